"""Grounded answers: classify the question, find the article and sentences, answer from the extracted facts."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from digests.actors import resolve, singular
from digests.figures import COUNTABLE_KINDS, figure_line, time_expressions
from digests.models import Actor, Answer, Citation, Figure, Quote, StoredArticle
from digests.patterns import rx
from digests.quotes import CUE_WORDS, sentence_subject
from digests.retrieval import IRREGULAR, STOPWORDS, ArticleIndex, coverage, rank_sentences, terms
from digests.storage import Store
from digests.storage.tables import ArticleRow

logger = logging.getLogger(__name__)

SHORT_LIMIT = 599
LIST_LIMIT = 1499
CANDIDATE_ARTICLES = 3
MIN_COVERAGE = 0.5
STRICT_COVERAGE = 0.66
WHO_MIN_SCORE = 0.5
NAME_WEIGHT = 1.0
PREFERRED_KINDS = {
    "fast": ("duration", "measure"), "long": ("duration", "measure"), "far": ("measure",), "high": ("measure",),
    "big": ("measure", "money", "count"), "large": ("measure", "money", "count"), "old": ("age", "duration"),
    "much": ("money", "percent", "measure"), "many": ("count", "duration"),
}  # fmt: skip
KIND_WORDS = {
    "money": "cost costs pay paid spend spent worth price fee value sum", "duration": "long last took take",
    "age": "old age", "measure": "far high big fast long", "percent": "percentage rate share proportion",
}  # fmt: skip
CHANGE_STEMS = tuple(
    frozenset(terms(words))
    for words in (
        "rise rose jump climb grow increase soar surge gain boost leap",
        "fall fell drop slump decline decrease plunge tumble sink slide shrink",
    )
)
CHANGE_WEIGHT = 1.0
CACHE_SIZE = 1024
RECOUNT_SECONDS = 30.0
KINDS = (
    ("who_said", re.compile(r"^\s*who\s+(?:said|says|told|wrote|warned|described|called|claimed|insisted)\b", re.I)),
    ("said_by", re.compile(
        r"^\s*what\s+(?:did|does|do|has|have)\s+(?P<who>.+?)\s+(?:say|said|tell|write|warn|claim|argue)\b", re.I
    )),
    ("figures", re.compile(r"\b(?:what|which|list|key|main)\b.*\b(?:figures|numbers|statistics|stats|data)\b", re.I)),
    ("how_many", re.compile(r"^\s*how\s+many\b", re.I)),
    ("how_much", re.compile(r"^\s*how\s+(?:much|big|large|long|far|fast|high|old)\b", re.I)),
    ("when", re.compile(r"^\s*(?:when|what\s+(?:date|day|year|time))\b", re.I)),
    ("where", re.compile(r"^\s*where\b", re.I)),
    ("why", re.compile(r"^\s*why\b", re.I)),
    ("who", re.compile(r"^\s*(?:who|whom|which\s+(?:company|firm|group|organisation|person|team|club))\b", re.I)),
)  # fmt: skip
QUESTION_NOISE = frozenset(
    str.split("what which who whom when where why how many much did does do figures numbers statistics reported report")
)
CAUSAL = re.compile(
    r"\b(?:because|due to|as a result|after|amid|following|so that|in order to|since|led to|blamed|reason|"
    r"caused|thanks to|owing to|in protest|over)\b",
    re.I,
)
PLACE = re.compile(r"\b(?:in|at|from|to|near|across)\s((?:the\s)?[A-Z][\w’'-]+(?:\s(?:of\s)?[A-Z][\w’'-]+)*)")
NON_PLACES = re.compile(
    r"^(?:(?:the\s)?(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|\d)"
)
AGENT = re.compile(r"\bby\s((?:[^\s,.;:“”\"]+\s?){1,8})")
OBJECT_WHO = re.compile(
    r"^\s*who(?:m)?\s+(?:did|does|do|has|have|had|will|would|could)\s+(?P<subject>.+?)\s+(?P<verb>(?-i:[a-z]+))\b", re.I
)
ROLE_WHO = re.compile(
    r"^\s*who\s+(?:is|was|are|were)\s+(?:(?:the|a|an)\s+|(?=[\w-]+['’]s\s))(?P<role>[^?]*?)\s*\??\s*$", re.I
)
WHO_IS = re.compile(r"^\s*[Ww]ho\s+(?:is|was|are|were)\s+(?P<name>[A-Z][^?]*?)\s*\??\s*$")
AUXILIARY = r"(?:will|would|could|can|should|may|might|has|have|had|is|was|are|were)"
ASKED_VERB = re.compile(
    rf"^\s*(?:which\s+(?:[\w-]+\s+){{1,3}}?{AUXILIARY}\s+|(?:who|which\s+[\w-]+)\s+(?:{AUXILIARY}\s+)?)"
    r"(?:[a-z]+ly\s+)?(?P<verb>(?-i:[a-z][a-z-]+))\b",
    re.I,
)
GROUNDING = 0.5
RELATION = 0.3
WHAT = {
    "figures": "figures", "how_many": "number", "how_much": "number", "when": "time", "where": "place",
    "who": "person or organisation", "who_said": "speaker", "said_by": "quotation", "why": "reason",
}  # fmt: skip
AGENT_VERB = re.compile(r"([A-Za-z]+)\s+$")
PARTITIVE = re.compile(r"^(?:One|Another|Some|Several|Many|Most|Few|Two|Three)\s(?:of\b|[a-z]+\s)", re.I)


@dataclass(frozen=True)
class Question:
    """A question with its kind and its stemmed content terms."""

    text: str
    kind: str
    terms: tuple[str, ...]
    focus: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    mentioned: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ranked:
    """An article with its sentences ranked for a question."""

    stored: StoredArticle
    score: float
    sentence_scores: tuple[float, ...]
    sentence_terms: tuple[tuple[str, ...], ...]

    def best(self, limit: int = 1) -> list[int]:
        order = sorted(range(len(self.sentence_scores)), key=lambda i: (-self.sentence_scores[i], i))
        return [i for i in order[:limit] if self.sentence_scores[i] > 0]


def classify(text: str) -> Question:
    """The kind of question and its content terms."""
    kind = "general"
    focus: tuple[str, ...] = ()
    for name, pattern in KINDS:
        match = pattern.search(text)
        if match:
            kind = name
            if name == "said_by":
                focus = tuple(terms(match.group("who")))
            break
    words = [w for w in rx(r"[\w’'-]+").findall(text.lower()) if w not in QUESTION_NOISE]
    content = tuple(t for t in terms(" ".join(words)) if t)
    if kind == "who" and content:
        focus = content[:1]
    names = tuple(terms(" ".join(rx(r"(?<=\s)[A-Z][\w’'-]+").findall(text))))
    mentioned = tuple(m.lower() for m in rx(r"[£$€]?\d[\d,.]*\w*|[A-Z][\w’'-]+").findall(text))
    return Question(text=text.strip(), kind=kind, terms=content, focus=focus, names=names, mentioned=mentioned)


def shorten(sentence: str, limit: int) -> str:
    """The sentence cut at a clause or word boundary before ``limit`` characters, marked with an ellipsis."""
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    for mark in (", ", "; ", " – ", " — ", " "):
        position = cut.rfind(mark)
        if position > limit // 2:
            return cut[:position].rstrip(" ,;") + "…"
    return cut + "…"


def citation(stored: StoredArticle, sentence: str) -> Citation:
    article = stored.article
    return Citation(article_id=stored.id, title=article.title, source=article.public_source, sentence=sentence)


class AnswerEngine:
    """Answers questions over the store; the index follows new articles via :meth:`Store.revision`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.index = ArticleIndex()
        self._revision = (0, 0)
        self._highest = 0
        self._cache: OrderedDict[int, StoredArticle] = OrderedDict()
        self._lock = threading.Lock()
        self._checked = 0.0
        self._sentence_terms: OrderedDict[int, tuple[tuple[str, ...], ...]] = OrderedDict()

    # --- index upkeep -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Index articles added since the last question; rebuild if articles went away.

        A new article always raises the highest id, which one indexed lookup sees; the full (count, highest id)
        revision, which counts rows, is checked when that changes and every ``RECOUNT_SECONDS``.
        """
        with self.store.session() as session:
            highest = session.scalar(select(func.max(ArticleRow.id))) or 0
        now = time.monotonic()
        if highest == self._revision[1] and now - self._checked < RECOUNT_SECONDS:
            return
        self._checked = now
        revision = self.store.revision()
        if revision == self._revision:
            return
        if revision[0] < len(self.index) or revision[1] < self._highest:
            self.index = ArticleIndex()
            self._highest = 0
            self._cache.clear()
            self._sentence_terms.clear()
        query = (
            select(ArticleRow.id, ArticleRow.title, ArticleRow.body)
            .where(ArticleRow.id > self._highest)
            .order_by(ArticleRow.id)
        )
        with self.store.session() as session:
            for article_id, title, body in session.execute(query):
                self.index.add(article_id, f"{title}\n{title}\n{body}")
                self._highest = max(self._highest, article_id)
        self._revision = revision
        logger.debug("answer index holds %d articles", len(self.index))

    def article(self, article_id: int) -> StoredArticle | None:
        stored = self._cache.get(article_id)
        if stored is None:
            stored = self.store.get(article_id)
            if stored is None:
                return None
            self._cache[article_id] = stored
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return stored

    def prefetch(self, ids: Sequence[int]) -> None:
        """Load the uncached articles among ``ids`` in one query."""
        missing = [i for i in ids if i not in self._cache]
        if len(missing) > 1:
            for stored in self.store.articles(ids=missing):
                self._cache[stored.id] = stored
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def sentence_terms(self, stored: StoredArticle) -> tuple[tuple[str, ...], ...]:
        cached = self._sentence_terms.get(stored.id)
        if cached is None:
            cached = tuple(tuple(terms(s)) for s in stored.analysis.sentences)
            self._sentence_terms[stored.id] = cached
            if len(self._sentence_terms) > CACHE_SIZE:
                self._sentence_terms.popitem(last=False)
        return cached

    def idf(self, query: Sequence[str]) -> dict[str, float]:
        return {t: self.index.idf(t) for t in set(query)}

    def rank(self, query: Sequence[str], limit: int = CANDIDATE_ARTICLES, names: Sequence[str] = ()) -> list[Ranked]:
        """Candidate articles for the query, best first, with their sentences scored; articles that contain the
        question's proper names rank higher."""
        idf = self.idf(query)
        ranked: list[Ranked] = []
        hits = self.index.search(query, limit + 2 if names else limit)
        top = hits[0][1] if hits else 1.0
        if names:
            named = {
                article_id: sum(self.index.contains(article_id, n) for n in names) / len(names)
                for article_id, _ in hits
            }
            hits = sorted(hits, key=lambda hit: (-(hit[1] / top + NAME_WEIGHT * named[hit[0]]), -hit[0]))[:limit]
        self.prefetch([article_id for article_id, _ in hits])
        for article_id, score in hits:
            stored = self.article(article_id)
            if stored is None:
                continue
            sentence_terms = self.sentence_terms(stored)
            scores = rank_sentences(query, sentence_terms, idf)
            best = max(scores, default=0.0)
            combined = score / top + best / (sum(idf.values()) or 1.0)
            if names:
                present = {t for s in sentence_terms for t in s} | set(terms(stored.article.title))
                combined += NAME_WEIGHT * sum(n in present for n in names) / len(names)
            ranked.append(Ranked(stored, combined, tuple(scores), sentence_terms))
        ranked.sort(key=lambda r: (-r.score, -r.stored.id))
        return ranked[:limit]

    # --- answering ----------------------------------------------------------------------------------------

    def ask(self, question: str) -> Answer:
        """A short answer in the articles' own words with citations, or a clear "not stated"; thread-safe."""
        with self._lock:
            return self._ask(question)

    def _ask(self, question: str) -> Answer:
        self.refresh()
        parsed = classify(question)
        if not len(self.index):
            return Answer(question=parsed.text, kind=parsed.kind, text="No articles are stored yet.", answered=False)
        handler = {
            "figures": self.figures,
            "how_many": self.how_many,
            "how_much": self.how_many,
            "when": self.when,
            "where": self.where,
            "who": self.who,
            "who_said": self.who_said,
            "said_by": self.said_by,
            "why": self.why,
        }.get(parsed.kind, self.general)
        answer = handler(parsed)
        if answer.answered and not self.grounded(parsed, answer):
            ranked = self.rank(parsed.terms, names=parsed.names)
            return self.not_stated(parsed, ranked, WHAT.get(parsed.kind, "answer"))
        return answer

    def grounded(self, question: Question, answer: Answer) -> bool:
        """Whether the cited article names everything the question names and the evidence (the cited sentences,
        their neighbours and the title; the whole article for lists) holds most of the question's content words.

        This is what keeps a near miss (a prime minister, but of another country) from passing as an answer.
        """
        if not answer.citations or not question.terms:
            return True
        stored = self.article(answer.citations[0].article_id)
        if stored is None:
            return False
        sentence_terms = self.sentence_terms(stored)
        title = set(terms(stored.article.title))
        everything = title.union(*sentence_terms)
        if any(name not in everything for name in question.names):
            return False
        if question.kind in ("how_many", "how_much"):
            return True  # the figure's own check covers its sentence, the one before and what the figure counts
        if question.kind in ("figures", "said_by"):
            context = everything
        else:
            cited = {c.sentence for c in answer.citations if c.article_id == stored.id}
            context = set(title)
            for index, sentence in enumerate(stored.analysis.sentences):
                if sentence in cited:
                    for near in sentence_terms[max(0, index - 1) : index + 2]:
                        context.update(near)
            context.update(terms(" ".join(cited)))
        context |= set(question.names)  # all of them are in the article (checked above)
        idf = self.idf(question.terms)
        relation = [t for t in question.terms if t not in question.names]  # "president" in "president of Brazil"
        if relation and coverage(relation, context, idf) < RELATION:
            return False
        return coverage(question.terms, context, idf) >= GROUNDING

    def not_stated(self, question: Question, ranked: list[Ranked], what: str = "answer") -> Answer:
        """Say the articles do not answer, offering the closest sentence as such."""
        for candidate in ranked:
            best = candidate.best()
            if best:
                sentence = candidate.stored.analysis.sentences[best[0]]
                text = (
                    f"Not stated: the stored articles do not give the {what}. "
                    f"Closest sentence (“{candidate.stored.article.title}”): {shorten(sentence, 380)}"
                )
                return Answer(
                    question.text,
                    question.kind,
                    shorten(text, SHORT_LIMIT),
                    (citation(candidate.stored, sentence),),
                    False,
                )
        return Answer(
            question.text, question.kind, f"Not stated: the stored articles do not give the {what}.", (), False
        )

    def covered(self, question: Question, candidate: Ranked, index: int, share: float = STRICT_COVERAGE) -> bool:
        return coverage(question.terms, candidate.sentence_terms[index], self.idf(question.terms)) >= share

    def general(self, question: Question) -> Answer:
        ranked = self.rank(question.terms, names=question.names)
        if not ranked or not ranked[0].best() or not self.covered(question, ranked[0], ranked[0].best()[0]):
            return self.not_stated(question, ranked)
        top = ranked[0]
        index = top.best()[0]
        sentence = top.stored.analysis.sentences[index]
        return Answer(question.text, question.kind, shorten(sentence, SHORT_LIMIT), (citation(top.stored, sentence),))

    def why(self, question: Question) -> Answer:
        ranked = self.rank(question.terms, names=question.names)
        if not ranked or not ranked[0].best():
            return self.not_stated(question, ranked, "reason")
        top = ranked[0]
        for index in top.best(4):
            sentence = top.stored.analysis.sentences[index]
            if CAUSAL.search(sentence) and self.covered(question, top, index):
                return Answer(
                    question.text, question.kind, shorten(sentence, SHORT_LIMIT), (citation(top.stored, sentence),)
                )
        return self.not_stated(question, ranked, "reason")

    def when(self, question: Question) -> Answer:
        ranked = self.rank(question.terms, names=question.names)
        for candidate in ranked[:2]:
            for index in candidate.best(3):
                sentence = candidate.stored.analysis.sentences[index]
                moments = time_expressions(sentence)
                if moments and self.covered(question, candidate, index):
                    lead = ", ".join(dict.fromkeys(m.strip() for m in moments))
                    text = shorten(f"{lead}: {sentence}", SHORT_LIMIT)
                    return Answer(question.text, question.kind, text, (citation(candidate.stored, sentence),))
        return self.not_stated(question, ranked, "time")

    def where(self, question: Question) -> Answer:
        ranked = self.rank(question.terms, names=question.names)
        for candidate in ranked[:2]:
            for index in candidate.best(3):
                sentence = candidate.stored.analysis.sentences[index]
                places = [m.group(1) for m in PLACE.finditer(sentence) if not NON_PLACES.match(m.group(1))]
                if places and self.covered(question, candidate, index):
                    lead = ", ".join(dict.fromkeys(places))
                    text = shorten(f"{lead}: {sentence}", SHORT_LIMIT)
                    return Answer(question.text, question.kind, text, (citation(candidate.stored, sentence),))
        return self.not_stated(question, ranked, "place")

    # --- figures ------------------------------------------------------------------------------------------

    def figures(self, question: Question) -> Answer:
        ranked = self.rank(question.terms, names=question.names) if question.terms else []
        if question.terms:
            idf = self.idf(question.terms)
            ranked = [
                r for r in ranked if coverage(question.terms, {t for s in r.sentence_terms for t in s}, idf) >= 0.5
            ]
            if not ranked:
                return self.not_stated(question, self.rank(question.terms), "figures")
        stored = ranked[0].stored if ranked else self.article(self.index.ids[-1])
        if stored is None:
            return self.not_stated(question, ranked, "figures")
        chosen = [f for f in stored.analysis.figures if f.counts and f.kind in (*COUNTABLE_KINDS, "duration", "age")]
        if not chosen:
            return self.not_stated(question, ranked, "figures")
        header = f"Figures in “{stored.article.title}”:"
        lines: list[str] = []
        cited: list[str] = []
        length = len(header)
        seen: set[str] = set()
        for figure in chosen:
            line = f"• {figure_line(figure)}"
            if line in seen:
                continue
            if length + len(line) + 1 > LIST_LIMIT:
                break
            seen.add(line)
            lines.append(line)
            length += len(line) + 1
            if figure.sentence not in cited:
                cited.append(figure.sentence)
        text = "\n".join([header, *lines])
        return Answer(question.text, question.kind, text, tuple(citation(stored, s) for s in cited))

    def how_many(self, question: Question) -> Answer:
        ranked = self.rank(question.terms, names=question.names)
        best: tuple[float, int, Figure, StoredArticle] | None = None
        order = 0
        how = rx(r"\s*how\s+(\w+)", re.I).match(question.text)
        preferred = PREFERRED_KINDS.get(how.group(1).lower() if how else "", ())
        direction = next((stems for stems in CHANGE_STEMS if stems & set(question.terms)), frozenset[str]())
        for candidate in ranked:
            title_terms = set(terms(candidate.stored.article.title))
            positions = {s: i for i, s in reversed(list(enumerate(candidate.stored.analysis.sentences)))}
            idf = self.idf(question.terms)
            # names the article gives count wherever they are ("Roman Shilov" up top, "he" in the figure's sentence)
            present = {n for n in question.names if n in title_terms.union(*candidate.sentence_terms)}
            local = [t for t in question.terms if t not in present] or list(question.terms)
            for figure in candidate.stored.analysis.figures:
                if figure.kind in ("date", "year", "time", "ordinal", "label"):
                    continue
                index = positions.get(figure.sentence)
                if index is None:
                    continue
                if figure.text.lower() in question.mentioned:
                    continue
                described = set(terms(f"{figure.counts or ''} {figure.text}"))
                score = candidate.score + candidate.sentence_scores[index] / (sum(idf.values()) or 1.0)
                score += 2 * coverage(local, described, idf)
                if figure.kind in preferred:
                    score += 1.0 if preferred.index(figure.kind) == 0 else 0.5
                if how and how.group(1).lower() == "fast" and figure.unit in ("s", "min", "h", "mph", "km/h"):
                    score += 0.5
                if figure.counts:
                    score += 0.2
                if direction:
                    score += CHANGE_WEIGHT * change_figure(figure, direction)
                order += 1
                key = (score, -order)
                context = set(candidate.sentence_terms[index]) | described | title_terms | kind_words(figure.kind)
                if index:
                    context |= set(candidate.sentence_terms[index - 1])
                if direction & set(candidate.sentence_terms[index]):
                    context |= direction  # "jumped" says "rise"
                if coverage(local, context, idf) >= MIN_COVERAGE and (best is None or key > (best[0], best[1])):
                    best = (score, -order, figure, candidate.stored)
        if best is None:
            return self.not_stated(question, ranked, "number")
        _, _, figure, stored = best
        text = shorten(f"{figure_line(figure)}. From: {figure.sentence}", SHORT_LIMIT)
        return Answer(question.text, question.kind, text, (citation(stored, figure.sentence),))

    # --- people -------------------------------------------------------------------------------------------

    def who(self, question: Question) -> Answer:
        ranked = self.rank(question.terms, names=question.names)
        if not ranked or not ranked[0].best():
            return self.not_stated(question, ranked, "person or organisation")
        identity = WHO_IS.match(question.text)
        if identity:
            for candidate in ranked:
                actor = resolve(identity.group("name"), candidate.stored.analysis.actors)
                if actor is not None and actor.role:
                    text = shorten(f"{actor.name}, {actor.role}. {actor.sentence}", SHORT_LIMIT)
                    return Answer(question.text, question.kind, text, (citation(candidate.stored, actor.sentence),))
        role = ROLE_WHO.match(question.text) if not identity else None
        if role:
            relation = set(terms(role.group("role"))) - set(question.names)
            for candidate in ranked if relation else []:
                holders = [a for a in candidate.stored.analysis.actors if relation <= role_terms(a)]
                holders.sort(key=lambda a: role_fit(a, question.names))  # stable: first mention among equals
                holder = holders[0] if holders else None
                if holder is not None and holder.role:
                    text = shorten(f"{holder.name}, {holder.role}. {holder.sentence}", SHORT_LIMIT)
                    return Answer(question.text, question.kind, text, (citation(candidate.stored, holder.sentence),))
            if relation:  # nobody named holds that role; another actor in the sentence is not the answer
                return self.not_stated(question, ranked, "person or organisation")
        top = ranked[0]
        sentences = top.stored.analysis.sentences
        actors = top.stored.analysis.actors
        idf = self.idf(question.terms)
        scored: list[tuple[float, int, list[str], bool]] = []
        direct: set[int] = set()
        objective = OBJECT_WHO.match(question.text)  # "who did X meet": the answer is whom X met, not X
        verb = terms(objective.group("verb")) if objective else []
        focus = verb[:1] or list(question.focus)
        asked = [verb[0]] if verb else asked_verb(question.text)
        wanted = [t for t in question.terms if t not in asked]
        if objective:
            wanted = [t for t in wanted if t not in terms(objective.group("subject"))]
        supported: set[int] = set()
        for index in top.best(8):
            sentence = sentences[index]
            near = {t for nearby in top.sentence_terms[max(0, index - 1) : index + 2] for t in nearby}
            if relation_held(top.sentence_terms[index], near, asked, wanted, idf):
                supported.add(index)
            names, strong = named_in(sentence, actors, question.mentioned, question.focus, question.terms)
            objects = objects_of(sentence, verb[0], actors, question.mentioned) if verb else []
            if objects:
                names, strong = objects, True
            score = top.sentence_scores[index] / (sum(idf.values()) or 1.0)
            score += 0.4 * bool(names) * strong
            if focus and focus[0] in top.sentence_terms[index]:
                score += 0.5
            if PARTITIVE.match(sentence):
                score -= 0.5
            scored.append((score, index, names, strong))
            if acted(sentence, question.terms):
                direct.add(index)
        scored.sort(key=lambda item: (-item[0], item[1]))
        # a who-answer is a named actor in a sentence that says the asked thing (the verb and what it is done to)
        held = [item for item in scored if item[1] in supported and item[2]]
        if not held:
            return self.not_stated(question, ranked, "person or organisation")
        with_names = [item for item in scored if item[2] and item[3] and item[0] >= WHO_MIN_SCORE]
        with_names = with_names or [item for item in scored if item[2] and item[0] >= WHO_MIN_SCORE]
        # a sentence naming who did the very thing asked ("organised by X" for "who organised") outranks the rest
        with_names = [item for item in with_names if item[1] in direct] or with_names
        if not any(item[1] in supported for item in with_names[:2]):
            with_names = [held[0], *(item for item in with_names if item is not held[0])]
        chosen = with_names[:2] or scored[:1]
        if not any(self.covered(question, top, item[1], MIN_COVERAGE) for item in chosen) and not with_names:
            return self.not_stated(question, ranked, "person or organisation")
        chosen.sort(key=lambda item: item[1])
        names = list(dict.fromkeys(name for item in chosen for name in item[2]))
        related = [name for name in names if not rx(r"[A-Z]\w+ by ").match(name)]
        others = [name for name in names if name not in related]
        lead = ". ".join(part for part in ("; ".join(related), "; ".join(others)) if part)
        budget = SHORT_LIMIT - len(lead) - 4
        per_sentence = max(120, budget // len(chosen) - 2)
        quoted = " ".join(shorten(sentences[item[1]], per_sentence) for item in chosen)
        text = shorten(f"{lead}. {quoted}" if lead else quoted, SHORT_LIMIT)
        return Answer(question.text, question.kind, text, tuple(citation(top.stored, sentences[i[1]]) for i in chosen))

    def who_said(self, question: Question) -> Answer:
        ranked = self.rank(question.terms, names=question.names)
        best: tuple[float, int, Quote, StoredArticle] | None = None
        order = 0
        for candidate in ranked:
            idf = self.idf(question.terms)
            for quote in candidate.stored.analysis.quotes:
                order += 1
                share = coverage(question.terms, terms(quote.text), idf)
                if quote.speaker and share >= MIN_COVERAGE and (best is None or (share, -order) > best[:2]):
                    best = (share, -order, quote, candidate.stored)
        if best is None:
            return self.general(question)
        quote, stored = best[2], best[3]
        text = shorten(f"{speaker_text(quote)}: “{quote.text}”", SHORT_LIMIT)
        return Answer(question.text, question.kind, text, (citation(stored, quote.sentence),))

    def said_by(self, question: Question) -> Answer:
        focus = question.focus or question.terms
        ranked = self.rank(question.terms, names=question.names)
        for candidate in ranked:
            quotes = [q for q in candidate.stored.analysis.quotes if spoken_by(q, focus)]
            if not quotes:
                continue
            header = f"In “{candidate.stored.article.title}”:"
            lines: list[str] = []
            length = len(header)
            cited: list[str] = []
            for quote in quotes:
                line = f"• {speaker_text(quote)}: “{quote.text}”"
                if length + len(line) + 1 > LIST_LIMIT:
                    break
                lines.append(line)
                length += len(line) + 1
                if quote.sentence not in cited:
                    cited.append(quote.sentence)
            text = "\n".join([header, *lines])
            return Answer(question.text, question.kind, text, tuple(citation(candidate.stored, s) for s in cited))
        return self.reported_speech(question, ranked, focus) or self.not_stated(question, ranked, "quotation")

    def reported_speech(self, question: Question, ranked: list[Ranked], focus: Sequence[str]) -> Answer | None:
        """No direct quotation: sentences in which the asked-about speaker says something, marked as reported."""
        wanted = {singular(t) for t in focus}
        for candidate in ranked:
            chosen: list[str] = []
            for sentence in candidate.stored.analysis.sentences:
                subject = sentence_subject(sentence)
                if not subject or not wanted <= {singular(t) for t in terms(subject)}:
                    continue
                if not CUE_WORDS.isdisjoint(sentence.lower().split()):
                    chosen.append(sentence)
            if chosen:
                header = f"No direct quotation; reported in “{candidate.stored.article.title}”:"
                lines = [f"• {shorten(sentence, 400)}" for sentence in chosen[:3]]
                text = "\n".join([header, *lines])
                return Answer(
                    question.text, question.kind, text, tuple(citation(candidate.stored, s) for s in chosen[:3])
                )
        return None


def role_fit(actor: Actor, names: Sequence[str]) -> int:
    """0 when the role names what the question names (``TimeWarner chairman``), 1 when it names nothing, 2 when it
    names something else (``Vodafone chairman`` is not the answer about TimeWarner)."""
    named = set(terms(" ".join(rx(r"\b[A-Z][\w’'&-]*").findall(actor.role or ""))))
    if named & set(names):
        return 0
    return 2 if named and names else 1


def asked_verb(question: str) -> list[str]:
    """The stem of the verb a who-question asks about (``win`` in "Who won the Oscar?"), if it names one."""
    match = ASKED_VERB.match(question)
    if match is None:
        return []
    stems = terms(match.group("verb"))
    return stems[:1]


def relation_held(
    sentence: Sequence[str], near: set[str], verb: Sequence[str], objects: Sequence[str], idf: dict[str, float]
) -> bool:
    """Whether a sentence holds the asked verb (any form) and, with its neighbours, most of what it is done to."""
    if verb and verb[0] not in sentence:
        return False
    return not objects or coverage(objects, near, idf) >= MIN_COVERAGE


def change_figure(figure: Figure, direction: frozenset[str]) -> float:
    """1 for the figure a change verb of the asked direction gives (``jumped 76%``, ``rose by £1,400``), else 0:
    a question about a rise wants the rise, not a level."""
    words = rx(r"[A-Za-z’'-]+").findall(figure.sentence)
    if not direction & set(terms(" ".join(words))):
        return 0.0
    position = figure.sentence.find(figure.text)
    before = rx(r"[A-Za-z’'-]+").findall(figure.sentence[max(0, position - 30) : max(0, position)])[-2:]
    lead = [w.lower() for w in before]
    if lead and (lead[-1] in ("by", "up", "down") or direction & set(terms(lead[-1]))):
        return 1.0
    if len(lead) == 2 and direction & set(terms(lead[0])) and lead[-1] in ("almost", "nearly", "about", "around"):
        return 1.0
    return 0.0


def kind_words(kind: str) -> set[str]:
    """Question words a figure of this kind answers by itself (a sum of money answers "how much did it cost")."""
    return set(terms(KIND_WORDS.get(kind, "")))


def speaker_text(quote: Quote) -> str:
    """``the officers (41 Israeli … reservists), wrote``."""
    speaker = quote.speaker or "unattributed"
    if quote.speaker_ref and quote.speaker_ref.lower() not in speaker.lower():
        speaker = f"{speaker} ({quote.speaker_ref})"
    return f"{speaker}, {quote.cue}" if quote.cue else speaker


def spoken_by(quote: Quote, focus: Sequence[str]) -> bool:
    """Whether the quote's speaker (as written or resolved) matches the asked-about speaker."""
    said = {singular(t) for t in terms(f"{quote.speaker or ''} {quote.speaker_ref or ''}")}
    wanted = {singular(t) for t in focus}
    return bool(wanted) and wanted <= said


def named_in(
    sentence: str,
    actors: Sequence[Actor],
    mentioned: Sequence[str] = (),
    focus: Sequence[str] = (),
    asked: Sequence[str] = (),
) -> tuple[list[str], bool]:
    """The actors a sentence is about: its subject resolved to a named actor and agents after "by" (strong), else
    the people and organisations it mentions (weak); actors the question itself names are not answers. An agent
    of a verb other than the ``asked`` one comes with its relation (``Organised by X``)."""
    lowered = {m.lower() for m in mentioned}

    def asked_about(actor: Actor) -> bool:
        return bool({w.lower() for w in actor.name.split()} & lowered)

    found: list[Actor] = []
    subject = sentence_subject(sentence)
    if subject:
        actor = resolve(subject, actors)
        if actor is None:
            actor = next((a for a in actors if a.kind != "group" and subject.endswith(a.name)), None)
        if (
            actor is None
            and focus
            and not PARTITIVE.match(subject)
            and rx(r"(?:the|these|those)\s", re.I).match(subject)
            and terms(subject.split()[-1])[:1] == list(focus[:1])
        ):
            actor = lead_group(subject, actors)
        if actor is not None:
            found.append(actor)
    names = [describe(actor) for actor in found if not asked_about(actor)]
    for match in AGENT.finditer(sentence):
        agent = match.group(1)
        verb = agent_verb(sentence[: match.start()])
        agents = [a for a in actors if a.kind != "group" and a.name in agent and not asked_about(a)]
        for actor in agents:
            if any(actor.name != other.name and actor.name in other.name for other in agents):
                continue  # "Mill Park" inside "Friends of Mill Park"
            # "Organised by X" answers "who organised", not "who signed": other verbs keep their relation
            if verb is None or not asked or verb[1] in asked:
                names.append(describe(actor))
            else:
                names.append(f"{verb[0].capitalize()} by {describe(actor, True)}")
    if names:
        return list(dict.fromkeys(names)), True
    weak = [
        describe(actor)
        for actor in actors
        if actor.kind in ("person", "organisation") and actor.name in sentence and not asked_about(actor)
    ]
    return weak[:3], False


def role_terms(actor: Actor) -> set[str]:
    """The words of an actor's role (``prime minist`` for Prime Minister Benjamin Netanyahu)."""
    return set(terms(actor.role)) if actor.role and actor.kind != "group" else set()


def objects_of(sentence: str, verb: str, actors: Sequence[Actor], mentioned: Sequence[str]) -> list[str]:
    """The people and organisations named after ``verb`` (a stem) in the sentence: whom someone met, beat, hired."""
    lowered = {m.lower() for m in mentioned}
    for word in rx(r"[A-Za-z’'-]+").finditer(sentence):
        if terms(word.group(0)) == [verb]:
            tail = sentence[word.end() :]
            return [
                describe(actor)
                for actor in actors
                if actor.kind in ("person", "organisation")
                and actor.name in tail
                and not {w.lower() for w in actor.name.split()} & lowered
            ]
    return []


def acted(sentence: str, asked: Sequence[str]) -> bool:
    """Whether the sentence gives an agent of one of the ``asked`` verbs (``Organised by X``, ``was won by X``)."""
    for match in AGENT.finditer(sentence):
        verb = agent_verb(sentence[: match.start()])
        if verb is not None and verb[1] in asked:
            return True
    return False


def agent_verb(before: str) -> tuple[str, str] | None:
    """The participle right before an agent's "by" (``Organised`` in ``Organised by X``) and its stem."""
    match = AGENT_VERB.search(before)
    if match is None:
        return None
    word = match.group(1)
    lowered = word.lower()
    if lowered in STOPWORDS or not (lowered.endswith(("ed", "en")) or lowered in IRREGULAR):
        return None
    stems = terms(lowered)
    return (word, stems[0]) if stems else None


def lead_group(subject: str, actors: Sequence[Actor]) -> Actor | None:
    """A plural description with no named match (``the signatories``) refers to the article's lead group."""
    words = subject.split()
    if not words or not words[-1].lower().endswith("s"):
        return None
    return next((a for a in actors if a.kind == "group"), None)


def describe(actor: Actor, inline: bool = False) -> str:
    """``Soldiers for the Hostages (the anti-war initiative)``, or ``inline`` as the article writes it (``the
    anti-war initiative Soldiers for the Hostages``); a group is its own description."""
    if actor.role and actor.kind != "group" and len(actor.role) <= 60:
        if actor.role.lower().startswith(("the ", "a ", "an ")) and "," not in actor.role and not inline:
            return f"{actor.name} ({actor.role})"
        return f"{actor.role} {actor.name}"
    return actor.name
