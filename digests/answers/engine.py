"""The answer engine: question analysis -> stories -> evidence units -> typed candidates -> scored answer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from digests.actors import resolve
from digests.answers import compose, speech
from digests.answers.candidates import Candidate, candidates, listed_after
from digests.answers.question import WHAT, Question, classify
from digests.answers.retrieve import Index, Retriever, Story
from digests.answers.text import is_furniture, strip_dateline
from digests.figures import COUNTABLE_KINDS, figure_line
from digests.models import Actor, Answer, Figure
from digests.patterns import rx
from digests.quotes import sentence_subject
from digests.retrieval import ArticleIndex, coverage, stem, terms
from digests.storage import Store
from digests.storage.tables import ArticleRow

logger = logging.getLogger(__name__)

RECOUNT_SECONDS = 30.0
UNITS_PER_STORY = 10
STORIES_FOR_CANDIDATES = 1
MIN_CONFIDENCE = 0.25
DOER_WEIGHT = 1.5
PLAUSIBLE = 0.8
UNRELATED_PENALTY = 0.8
CHANGE_STEMS = frozenset(
    terms("rise rose risen jump jumped climb climbed grow grew increase increased soar soared surge gain boost leap "
          "fall fell drop dropped slump decline decrease plunge tumble sink slide shrink up down by cut")
) | {"by", "up", "down"}
WORD = rx(r"[A-Za-z0-9][\w’'-]*")
REASON = rx(
    r"\b(?:because|due to|as a result of|in protest (?:at|against|over)|accus\w+|condemn\w+|blam\w+|cit(?:ing|ed)|"
    r"in order to|so that|for fear|over (?:concerns?|fears?|claims?)|after|amid|since|reason|protest\w*|"
    r"alleg\w+|said (?:it|they|he|she) (?:was|were|would))\b",
    flags=0,
)


@dataclass
class Trace:
    """What each stage chose, for measuring the pipeline stage by stage."""

    question: Question | None = None
    stories: list[int] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # the top units of the top story, best first
    candidates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scored:
    score: float
    story: Story
    unit: int
    candidate: Candidate


class AnswerEngine:
    """Answers questions over the store. ``index`` is any object with ``ArticleIndex``'s API; by default the
    store's persistent search index, shared by every process. With ``index_factory`` instead, the engine keeps
    an in-memory :class:`ArticleIndex` that follows new articles via :meth:`Store.revision`."""

    def __init__(self, store: Store, index: Index | None = None, index_factory: Callable[[], Index] | None = None):
        self.store = store
        if index is None and index_factory is None:
            index = store.search_index()
        self._own_index = index is None
        self._factory: Callable[[], Index] = index_factory or ArticleIndex
        self.index: Index = index if index is not None else self._factory()
        self.retriever = Retriever(store, self.index)
        self._revision = (0, 0)
        self._highest = 0
        self._checked = 0.0
        self._lock = threading.Lock()
        self.last = Trace()

    # --- index upkeep (only for the engine's own in-memory index) -------------------------------------------

    def refresh(self) -> None:
        """Index articles added since the last question; rebuild if articles went away."""
        if not self._own_index:
            return
        with self.store.session() as session:
            highest = session.scalar(select(func.max(ArticleRow.id))) or 0
        now = time.monotonic()
        if highest == self._revision[1] and now - self._checked < RECOUNT_SECONDS:
            return
        self._checked = now
        revision = self.store.revision()
        if revision == self._revision:
            return
        index = self.index
        if revision[0] < len(index) or revision[1] < self._highest or not isinstance(index, ArticleIndex):
            index = self._factory()
            assert isinstance(index, ArticleIndex)
            self.index = index
            self.retriever = Retriever(self.store, index)
            self._highest = 0
        query = (
            select(ArticleRow.id, ArticleRow.title, ArticleRow.body)
            .where(ArticleRow.id > self._highest)
            .order_by(ArticleRow.id)
        )
        with self.store.session() as session:
            for article_id, title, body in session.execute(query):
                index.add(article_id, f"{title}\n{title}\n{body}")
                self._highest = max(self._highest, article_id)
        self._revision = revision

    # --- answering ------------------------------------------------------------------------------------------

    def ask(self, question: str) -> Answer:
        """A short answer with its evidence and citations, or a clear "not stated"; thread-safe."""
        with self._lock:
            self.refresh()
            parsed = classify(question)
            self.last = Trace(question=parsed)
            if not len(self.index):
                return Answer(parsed.text, parsed.kind, "No articles are stored yet.", answered=False)
            handler = {
                "figures": self.figures,
                "said_by": self.said_by,
                "who_said": self.who_said,
                "why": self.why,
                "general": self.general,
            }.get(parsed.kind, self.typed)
            return handler(parsed)

    def stories(self, question: Question) -> list[Story]:
        found = self.retriever.stories(question.terms, question.names)
        self.last.stories = [s.stored.id for s in found]
        if found:
            top = found[0]
            self.last.units = [top.prepared.units[i] for i in top.best(3)]
        return found

    def grounded(self, question: Question, story: Story, unit: int) -> float:
        """Confidence that the unit answers the question: 0 when the story lacks a name the question gives, else
        the share of the question's idf weight found in the unit, its neighbours and the headline."""
        prepared = story.prepared
        if any(span[-1] not in prepared.vocabulary for span in question.spans):
            return 0.0  # a name the question gives is missing (its last word: "Stephen Fossett" is "Steve Fossett")
        near = set(prepared.title_terms)
        for unit_terms in prepared.unit_terms[max(0, unit - 1) : unit + 2]:
            near.update(unit_terms)
        near |= {name for name in question.names if name in prepared.vocabulary}
        return coverage(question.terms, near, self.retriever.idf(question.terms))

    def not_stated(self, question: Question, stories: list[Story], what: str | None = None) -> Answer:
        closest = [(s.stored, s.prepared.units[i]) for s in stories[:1] for i in s.best(2)]
        return compose.not_stated(question.text, question.kind, what or WHAT[question.expects], closest)

    def evidence(self, story: Story, unit: int) -> list[str]:
        """The unit the answer came from, then the two best other units of the same story."""
        others = [i for i in story.best(UNITS_PER_STORY) if i != unit and not is_furniture(story.prepared.units[i])]
        return [story.prepared.units[unit], *(story.prepared.units[i] for i in others[:2])]

    # --- typed answers: who, when, where, how many, how much ---------------------------------------------------

    def typed(self, question: Question) -> Answer:
        stories = self.stories(question)
        if not stories:
            return self.not_stated(question, stories)
        if question.identity:
            identity = self.identity(question, stories)
            if identity is not None:
                return identity
        scored = self.scored(question, stories)
        self.last.candidates = [s.candidate.text for s in scored[:10]]
        top_units = typed_units(scored, stories[0])
        self.last.units = [stories[0].prepared.units[i] for i in top_units[:3]]
        for best in scored[:3]:
            confidence = self.grounded(question, best.story, best.unit)
            if confidence >= MIN_CONFIDENCE:
                short = self.short(question, best)
                units = typed_units(scored, best.story)
                others = [i for i in units if i != best.unit][:2]
                evidence = [best.story.prepared.units[i] for i in (best.unit, *others)]
                return compose.answered(question.text, question.kind, short, best.story.stored, evidence)
        return self.plausible(question, stories)

    def plausible(self, question: Question, stories: list[Story]) -> Answer:
        """No candidate of the expected type stands in the asked relation: when the best sentence still holds
        most of what the question asks, it is given (without a short answer) rather than "not stated"."""
        top = stories[0]
        best = top.best(3)
        if best and self.grounded(question, top, best[0]) >= PLAUSIBLE:
            evidence = [top.prepared.units[i] for i in best]
            return compose.answered(question.text, question.kind, "", top.stored, evidence)
        return self.not_stated(question, stories)

    def identity(self, question: Question, stories: list[Story]) -> Answer | None:
        """"Who is X?": X's role as the article gives it."""
        assert question.identity is not None
        for story in stories[:2]:
            actor = resolve(question.identity, story.stored.analysis.actors)
            if actor is not None and actor.role:
                unit = next((i for i, u in enumerate(story.prepared.units) if actor.name in u), None)
                if unit is None:
                    continue
                short = f"{actor.name}, {actor.role}"
                return compose.answered(
                    question.text, question.kind, short, story.stored, self.evidence(story, unit)
                )
        # no role found: where the article introduces the name (news writing describes people at first mention)
        story = stories[0]
        first = next((i for i, u in enumerate(story.prepared.units) if question.identity in u), None)
        if first is None:
            return None
        return compose.answered(question.text, question.kind, "", story.stored, self.evidence(story, first))

    def scored(self, question: Question, stories: list[Story]) -> list[Scored]:
        idf = self.retriever.idf(question.terms)
        total = sum(idf.values()) or 1.0
        asked = set(question.terms) | set(question.names)
        found: list[Scored] = []
        for rank, story in enumerate(stories[:STORIES_FOR_CANDIDATES]):
            prior = story.score / (stories[0].score or 1.0)
            for unit in story.best(UNITS_PER_STORY):
                sentence = story.prepared.units[unit]
                if story.prepared.furniture[unit]:
                    continue
                words = [(m.start(), m.end(), stem(m.group(0).lower().replace("’", "'"))) for m in WORD.finditer(
                    sentence)]
                base = story.unit_scores[unit] / total + 0.5 * prior - 0.3 * rank
                found_in_unit = candidates(sentence, question.expects, story.prepared.common)
                if question.expects == "agent":
                    found_in_unit += actor_candidates(story, sentence)
                    doer = described_doer(question, story, sentence)
                    if doer is not None:
                        found.append(Scored(base + DOER_WEIGHT, story, unit, doer))
                for found_here in found_in_unit:
                    candidate = trimmed(found_here, sentence, asked, set(question.names))
                    if candidate is None:
                        continue
                    fit, related = self.fit(question, candidate, sentence, words, story)
                    if related:
                        found.append(Scored(base + fit, story, unit, candidate))
                    elif not question.role:  # a verb the article may say otherwise: kept, behind related ones
                        found.append(Scored(base + fit - UNRELATED_PENALTY, story, unit, candidate))
        found.sort(key=lambda s: (-s.score, s.story.stored.id, s.unit, s.candidate.start))
        return found

    def fit(
        self, question: Question, candidate: Candidate, sentence: str, words: list[tuple[int, int, str]], story: Story
    ) -> tuple[float, bool]:
        """How well the candidate stands where the answer should: near the question's words, after the asked
        verb (its object or recipient) or before it (its doer), next to the asked role; and whether it stands in
        the asked relation at all (a question that names a verb or a role is not answered by a name that merely
        shares a sentence with its words)."""
        at = next((i for i, w in enumerate(words) if w[0] >= candidate.start), len(words))
        end = next((i for i, w in enumerate(words) if w[0] >= candidate.end), len(words))
        asked = set(question.terms)
        positions = [i for i, w in enumerate(words) if w[2] in asked and not (at <= i < end)]
        score = 0.0
        related = not question.relation and not question.role
        if positions:
            distance = min(min(abs(i - at), abs(i - (end - 1))) for i in positions)
            score += 0.6 / (1 + distance / 3)
        for verb in question.relation:
            hits = [i for i, w in enumerate(words) if w[2] == verb]
            for i in hits:
                if question.position == "after" and 0 < at - i <= 10:
                    score += 0.8
                    related = True
                    between = sentence[words[i][1] : candidate.start].strip().lower()
                    if question.preposition and between in (question.preposition, f"{question.preposition} the"):
                        score += 0.8
                    break
                if question.position == "before" and 0 < i - (end - 1) <= 10:
                    score += 0.6
                    related = True
                    break
                if question.position == "before" and 0 < at - i <= 3 and words[at - 1][2] == "by":
                    score += 0.8
                    related = True
                    break
        if question.role:
            role_positions = [i for i, w in enumerate(words) if w[2] in question.role]
            near = [i for i in role_positions if min(abs(i - at), abs(i - (end - 1))) <= 5]
            organisation = at > 0 and words[at - 1][2] in ("of", "at", "for")  # "the mayor of Buffalo": a place
            around = {words[i][2] for i in range(max(0, at - 5), min(len(words), end + 8))}
            if near and not organisation and len(set(question.role) & around) * 2 >= len(set(question.role)) + 1:
                score += 0.8
                related = True
        if candidate.kind == "agent":
            actors = {a.name: a for a in story.stored.analysis.actors if a.kind in ("person", "organisation")}
            actor = actors.get(candidate.text)
            if actor is not None:
                score += 0.2
                if question.role and actor.role and set(question.role) <= set(terms(actor.role)):
                    score += 0.8  # the extractor found this role for this name
                    related = True
        if candidate.kind == "number":
            described = set(terms(candidate.text))
            if described & asked:
                score += 0.6
            if CHANGE_STEMS & asked and at > 0 and CHANGE_STEMS & {w[2] for w in words[max(0, at - 2) : at]}:
                score += 0.8  # "how much did profits rise": the change ("jumped 76%"), not the level
        return score, related

    def short(self, question: Question, best: Scored) -> str:
        """The short answer; a figure keeps its qualifier and attribution as the article gives them; a recipient
        is everyone the sentence lists after the verb and its preposition."""
        sentence = best.story.prepared.units[best.unit]
        if question.preposition and question.relation:
            before = sentence[: best.candidate.start].rstrip().lower()
            if before.endswith(f" {question.preposition}") or before.endswith(f" {question.preposition} the"):
                listed = listed_after(sentence, best.candidate.start)
                if listed:
                    return listed
        if best.candidate.kind == "agent":
            return full_name(best.candidate.text, best.story.stored.analysis.actors)
        if best.candidate.kind == "number":
            sentence = best.story.prepared.units[best.unit]
            figure = figure_for(best.story.stored.analysis.figures, sentence, best.candidate.text)
            if figure is not None:
                return figure_line(figure)
        return best.candidate.text

    # --- sentence answers: general, why -------------------------------------------------------------------------

    def general(self, question: Question) -> Answer:
        stories = self.stories(question)
        if not stories or not stories[0].best(1):
            return self.not_stated(question, stories)
        story = stories[0]
        unit = story.best(1)[0]
        if self.grounded(question, story, unit) < 0.5:
            return self.not_stated(question, stories)
        return compose.answered(question.text, question.kind, "", story.stored, self.evidence(story, unit))

    def why(self, question: Question) -> Answer:
        """A reason the article gives ("because", accusations, "condemned ... as") in a unit about the question."""
        stories = self.stories(question)
        for story in stories[:2]:
            for unit in story.best(UNITS_PER_STORY):
                sentence = story.prepared.units[unit]
                match = REASON.search(sentence)
                if match is None or self.grounded(question, story, unit) < 0.5:
                    continue
                reason = sentence[match.start() :].rstrip(" .")
                return compose.answered(
                    question.text, question.kind, reason, story.stored, self.evidence(story, unit)
                )
        return self.not_stated(question, stories)

    # --- figures and quotations -----------------------------------------------------------------------------------

    def figures(self, question: Question) -> Answer:
        stories = self.stories(question) if question.terms else []
        if question.terms:
            idf = self.retriever.idf(question.terms)
            stories = [s for s in stories if coverage(question.terms, s.prepared.vocabulary, idf) >= 0.5]
            if not stories:
                return self.not_stated(question, self.stories(question))
            stored = stories[0].stored
        else:
            newest = self.store.newest()
            if newest is None:
                return self.not_stated(question, [])
            stored = newest
        chosen = [f for f in stored.analysis.figures if f.counts and f.kind in (*COUNTABLE_KINDS, "duration", "age")]
        if not chosen:
            return self.not_stated(question, stories)
        lines = [(figure_line(f), f.sentence) for f in chosen]
        return compose.listing(question.text, question.kind, f"Figures in {compose.label(stored)}:", lines, stored)

    def said_by(self, question: Question) -> Answer:
        """Only the words the article gives to the asked-about speaker; else their reported speech; else that they
        are not quoted (and that they did not respond, when the article says so)."""
        focus = question.focus or question.terms
        stories = self.stories(question)
        for story in stories[:2]:
            quotes = [q for q in story.stored.analysis.quotes if speech.spoken_by(q, focus)]
            if quotes:
                lines = [(f"{speech.speaker_text(q)}: “{q.text}”", q.sentence) for q in quotes]
                header = f"In {compose.label(story.stored)}:"
                return compose.listing(question.text, question.kind, header, lines, story.stored)
        for story in stories[:2]:
            silent = [u for u in story.prepared.units if speech.no_response(u, focus)]
            if silent:
                who = question.focus and rx(r"(?i)what\s+\w+\s+(.+?)\s+\w+\??$").match(question.text)
                name = who.group(1) if who else "They"
                short = f"{name[:1].upper()}{name[1:]} is not quoted; the article says they have not responded"
                return compose.answered(question.text, question.kind, short, story.stored, silent[:1])
            said = [u for u in story.prepared.units if speech.reported(u, focus)]
            if said:
                short = f"No direct quotation; reported in {compose.label(story.stored)}"
                return compose.answered(question.text, question.kind, short, story.stored, said[:3])
        return self.not_stated(question, stories, "words of that speaker")

    def who_said(self, question: Question) -> Answer:
        """The speaker of the quotation that holds most of the question's words."""
        stories = self.stories(question)
        idf = self.retriever.idf(question.terms)
        best = None
        for rank, story in enumerate(stories[:3]):
            for order, quote in enumerate(story.stored.analysis.quotes):
                share = coverage(question.terms, terms(quote.text), idf)
                key = (share, -rank, -order)
                if quote.speaker and share >= 0.5 and (best is None or key > best[0]):
                    best = (key, quote, story)
        if best is None:
            return self.typed_speaker(question, stories)
        _, quote, story = best
        short = f"{speech.speaker_text(quote)}: “{quote.text}”"
        unit = next((i for i, u in enumerate(story.prepared.units) if u in quote.sentence or quote.sentence in u), 0)
        return compose.answered(question.text, question.kind, short, story.stored, self.evidence(story, unit))

    def typed_speaker(self, question: Question, stories: list[Story]) -> Answer:
        """No quotation matches: the named subject of a speech verb in the best unit, else not stated."""
        for story in stories[:1]:
            for unit in story.best(3):
                sentence = story.prepared.units[unit]
                subject = speech_subject(sentence)
                if subject and self.grounded(question, story, unit) >= 0.5:
                    return compose.answered(
                        question.text, question.kind, subject, story.stored, self.evidence(story, unit)
                    )
        return self.not_stated(question, stories)


def described_doer(question: Question, story: Story, sentence: str) -> Candidate | None:
    """A sentence whose subject names the asked relation's doers by a noun of the verb ("The signatories" for
    "who signed"): the actor that description refers to, else, for a plural description, the article's lead
    group."""
    if not question.relation or question.position != "before":
        return None
    body, _ = strip_dateline(sentence)
    subject = sentence_subject(body)
    if not subject or question.relation[0] not in terms(subject):
        return None
    actors = story.stored.analysis.actors
    actor = resolve(subject, actors)
    if actor is None and subject.lower().endswith("s"):
        actor = next((a for a in actors if a.kind == "group"), None)
    if actor is None:
        return None
    start = sentence.find(subject)
    return Candidate(actor.name, "agent", max(0, start), max(0, start) + len(subject))


def actor_candidates(story: Story, sentence: str) -> list[Candidate]:
    """The groups the article's extractor found (``41 Israeli military intelligence officers``), where the unit
    names them: answers to "who" that are not capitalised names."""
    found = []
    for actor in story.stored.analysis.actors:
        if actor.kind == "group" and actor.name in sentence:
            start = sentence.index(actor.name)
            found.append(Candidate(actor.name, "agent", start, start + len(actor.name)))
    return found


def typed_units(scored: list[Scored], story: Story) -> list[int]:
    """The story's units in the order of their best candidate, then the rest by retrieval score."""
    order = list(dict.fromkeys(s.unit for s in scored if s.story is story))
    rest = [i for i in story.best(UNITS_PER_STORY) if i not in order]
    return order + rest


def speech_subject(sentence: str) -> str | None:
    body, _ = strip_dateline(sentence)
    subject = sentence_subject(body)
    if subject and rx(r"\b(?:said|says|told|wrote|added|stated)\b").search(body):
        return subject
    return None


def trimmed(candidate: Candidate, sentence: str, asked: set[str], names: set[str]) -> Candidate | None:
    """The candidate without the question's own words at its edges (``Buffalo Mayor Byron Brown`` -> ``Byron
    Brown`` for "the mayor of Buffalo"); None when nothing else is left."""
    if candidate.kind == "number":
        if rx(r"\d[\d,.]*").search(candidate.text) and candidate.text.lower() in asked:
            return None
        return candidate
    words = candidate.text.split()
    start = candidate.start
    while words and set(terms(words[0])) <= asked | {""} and (terms(words[0]) or words[0].lower() in ("the",)):
        start += len(words[0]) + 1
        words = words[1:]
    if words and terms(words[-1]) and set(terms(words[-1])) <= names:
        return None  # a span ending in an asked name is that person ("Alexander McQueen" for "McQueen")
    while words and terms(words[-1]) and set(terms(words[-1])) <= asked:
        words = words[:-1]
    if not words or words[0] in ("of", "for", "and"):
        return None  # what remains is the role's organisation ("Chief of Staff of the IDF"), not its holder
    text = " ".join(words)
    if text in sentence[start:]:
        start = sentence.index(text, start)
    if set(terms(text)) & asked and len(set(terms(text)) - asked) == 0:
        return None
    return Candidate(text.strip(" ,"), candidate.kind, start, start + len(text))


def full_name(name: str, actors: tuple[Actor, ...]) -> str:
    """The fullest name the article gives for ``name`` (``Renzaho`` -> ``Tharcisse Renzaho``)."""
    fuller = [a.name for a in actors if a.kind == "person" and a.name.endswith(f" {name}")]
    return max(fuller, key=len) if fuller else name


def figure_for(figures: tuple[Figure, ...], sentence: str, text: str) -> Figure | None:
    for figure in figures:
        same = figure.sentence in sentence or sentence in figure.sentence
        if figure.text in text and figure.text in sentence and same:
            return figure
    return None
