"""Loading articles from every supported file type, and rejecting bad files with a reason."""

from __future__ import annotations

import json
from pathlib import Path

from digests.loaders import Rejected, load_paths, load_seeds
from digests.models import Article


def load_one(path: Path) -> Article | Rejected:
    (item,) = list(load_paths([path]))
    return item


def test_seed_article_ships_and_gets_a_headline() -> None:
    (seed,) = list(load_seeds())
    assert isinstance(seed, Article)
    assert seed.source == "seeds/intelligence-officers-refuse-gaza.txt"
    assert "41 Israeli military intelligence officers" in seed.title
    assert len(seed.title.split()) <= 13
    assert seed.body.startswith("In an unprecedented act of dissent")


def test_txt_with_headline(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Ad sales boost Time Warner profit\n\nQuarterly profits rose 76%.\nSales rose.\n")
    article = load_one(path)
    assert isinstance(article, Article)
    assert article.title == "Ad sales boost Time Warner profit"
    assert article.body == "Quarterly profits rose 76%.\nSales rose."


def test_markdown_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: Council votes\nurl: https://example.org/a\nsource: Example Gazette\n"
        "published: 2025-06-01T09:00:00Z\n---\nThe council **voted** on [Monday](https://x).\n"
    )
    article = load_one(path)
    assert isinstance(article, Article)
    assert (article.title, article.url, article.outlet) == ("Council votes", "https://example.org/a", "Example Gazette")
    assert article.body == "The council voted on Monday."
    assert article.published is not None and article.published.isoformat() == "2025-06-01T09:00:00+00:00"


def test_html_main_text(tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>Paragraph {n} of the report says the council met again today.</p>" for n in range(8))
    path = tmp_path / "a.html"
    path.write_text(
        f"<html><head><title>Council meets</title></head><body><nav>Home | About</nav>"
        f"<article><h1>Council meets</h1>{paragraphs}</article><footer>Cookies</footer></body></html>"
    )
    article = load_one(path)
    assert isinstance(article, Article)
    assert article.title == "Council meets"
    assert "Paragraph 7 of the report" in article.body
    assert "Cookies" not in article.body


def test_json_article(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"title": "T", "body": "Body text here.", "url": "https://e.org/x", "source": "E"}))
    article = load_one(path)
    assert isinstance(article, Article)
    assert (article.title, article.body, article.url, article.outlet) == (
        "T",
        "Body text here.",
        "https://e.org/x",
        "E",
    )


def test_bad_files_are_rejected_with_reasons_and_the_rest_load(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Headline\n\nA good article body.\n")
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\x00\x00\x01")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "nobody.json").write_text('{"title": "x"}')
    nested = tmp_path / "nested" / "deeper"
    nested.mkdir(parents=True)
    (nested / "also-good.md").write_text("# Title\n\nBody.\n")
    items = list(load_paths([tmp_path, tmp_path / "missing.txt"]))
    loaded = [i for i in items if isinstance(i, Article)]
    reasons = {Path(r.path).name: r.reason for r in items if isinstance(r, Rejected)}
    assert sorted(a.title for a in loaded) == ["Café au lait", "Headline", "Title"]
    assert reasons == {
        "binary.txt": "binary file, not an article",
        "broken.json": "not valid JSON (line 1: Expecting property name enclosed in double quotes)",
        "empty.txt": "empty file",
        "missing.txt": "no such file or folder",
        "nobody.json": "JSON has no 'body' text",
    }
