"""Bounded loading: size limit, no YAML alias expansion, bounded nesting, typed fields, NUL bytes, other encodings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digests.ingest import ingest_paths
from digests.limits import LoadLimits
from digests.loaders import Rejected, load_paths
from digests.models import Article
from digests.storage import Store

BODY = "The council met on Monday and approved the budget. The vote was 7 to 2.\n"
BOMB = "---\ntitle: t\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]\n"
    for n in range(12)
) + "---\nBody text of the bomb.\n"


def load_folder(folder: Path, limits: LoadLimits | None = None) -> tuple[list[Article], dict[str, str]]:
    items = list(load_paths([folder], limits))
    loaded = [item for item in items if isinstance(item, Article)]
    reasons = {Path(item.path).name: item.reason for item in items if isinstance(item, Rejected)}
    return loaded, reasons


def test_files_over_the_limit_are_rejected_in_one_line_and_the_rest_load(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(f"Headline\n\n{BODY}")
    (tmp_path / "huge.txt").write_text("word " * 1000)
    (tmp_path / "huge.json").write_text(json.dumps({"body": "word " * 1000}))
    loaded, reasons = load_folder(tmp_path, LoadLimits(max_bytes=2_000))
    assert [a.title for a in loaded] == ["Headline"]
    assert reasons == {
        "huge.json": "too large (5.0 KB; the limit is 2.0 KB, set by [ingest] max_article_mb)",
        "huge.txt": "too large (5.0 KB; the limit is 2.0 KB, set by [ingest] max_article_mb)",
    }


def test_default_limit_is_two_megabytes(tmp_path: Path) -> None:
    (tmp_path / "five.txt").write_text("word " * 1_000_000)
    (tmp_path / "two.txt").write_text("word " * 390_000)
    assert LoadLimits().max_bytes == 2_000_000
    loaded, reasons = load_folder(tmp_path)
    assert reasons == {"five.txt": "too large (5.0 MB; the limit is 2.0 MB, set by [ingest] max_article_mb)"}
    assert len(loaded) == 1 and len(loaded[0].body) > 1_900_000


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bomb.md").write_text(BOMB)
    (tmp_path / "deep.md").write_text("---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\nBody.\n")
    (tmp_path / "good.md").write_text(f"---\ntitle: Fine\n---\n{BODY}")
    loaded, reasons = load_folder(tmp_path)
    assert [a.title for a in loaded] == ["Fine"]
    assert reasons == {
        "bomb.md": "front matter uses YAML aliases (*name), which newsdigest does not expand",
        "deep.md": "front matter nests deeper than 32 levels",
    }


def test_deep_json_is_rejected_without_recursion_error(tmp_path: Path) -> None:
    (tmp_path / "a-deep.json").write_text('{"body": "x", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (tmp_path / "b-strings.json").write_text(json.dumps({"body": BODY, "note": "[[[[[[" * 20}))
    loaded, reasons = load_folder(tmp_path)
    assert [a.body for a in loaded] == [BODY.strip()]
    assert reasons == {"a-deep.json": "JSON nests deeper than 32 levels"}


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        (
            "list-title.json",
            json.dumps({"title": ["a", "b"], "body": BODY}),
            "JSON field 'title' must be text, not a list",
        ),
        ("dict-body.json", json.dumps({"body": {"text": BODY}}), "JSON field 'body' must be text, not a mapping"),
        ("bool-url.json", json.dumps({"url": True, "body": BODY}), "JSON field 'url' must be text, not true/false"),
        (
            "list-date.json",
            json.dumps({"published": [1], "body": BODY}),
            "JSON field 'published' must be a date, not a list",
        ),
        ("map-url.md", f"---\nurl: {{a: 1}}\n---\n{BODY}", "front matter field 'url' must be text, not a mapping"),
        ("list-source.md", f"---\nsource: [a]\n---\n{BODY}", "front matter field 'source' must be text, not a list"),
    ],
)
def test_fields_of_the_wrong_type_are_rejected_in_one_line(tmp_path: Path, name: str, text: str, reason: str) -> None:
    (tmp_path / name).write_text(text)
    _, reasons = load_folder(tmp_path)
    assert reasons == {name: reason}


def test_nul_bytes_are_stripped_and_stored_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    padding = "Padding sentence number one of the article. " * 300
    (tmp_path / "nul.txt").write_bytes(f"Headline\n\n{padding}The vote\x00 was 7 to 2.".encode())
    (tmp_path / "nul.json").write_text(json.dumps({"title": "T\x00", "body": f"Body\x00 with a NUL. {BODY}"}))
    store = Store(postgres_url)
    try:
        report = ingest_paths(store, [tmp_path])
        assert (len(report.new), report.rejected) == (2, [])
        bodies = [stored.article.body for stored in store.articles(refresh=False)]
        assert not any("\x00" in body for body in bodies)
        assert any(body.endswith("The vote was 7 to 2.") for body in bodies)
    finally:
        store.close()


def test_windows_1252_and_latin_1_are_read_and_reported(tmp_path: Path, store: Store) -> None:
    cp1252 = "Caf\u00e9 owners \u201cwelcome\u201d the plan\n\nThe mayor\u2019s plan.\n"
    (tmp_path / "cp1252.txt").write_bytes(cp1252.encode("cp1252"))
    (tmp_path / "latin1.txt").write_bytes("Stra\u00dfe closed\n\nThe \u00bd price offer ends.\n".encode("latin-1"))
    (tmp_path / "utf8.txt").write_text("Plain\n\nAn ordinary article.\n", encoding="utf-8")
    loaded, reasons = load_folder(tmp_path)
    assert reasons == {}
    titles = {a.title: a.encoding for a in loaded}
    assert titles == {"Café owners “welcome” the plan": "cp1252", "Straße closed": "cp1252", "Plain": None}
    report = ingest_paths(store, [tmp_path])
    assert report.summary_line() == "3 new, 0 duplicate, 0 rejected; 2 read as cp1252"
    assert sorted(Path(line.split(":")[0]).name for line in report.decoded_lines()) == ["cp1252.txt", "latin1.txt"]
