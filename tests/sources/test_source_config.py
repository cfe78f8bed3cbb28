"""Source entries in the configuration and OPML files: one clear line per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.config import ConfigError, parse_config
from digests.sources.opml import OpmlError, read_opml


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ('[[sources]]\nfeed = "https://a.example/rss"\npath = "x"', "exactly one of path, feed, url or opml (got path"),
        ("[[sources]]\nevery = '15m'", "exactly one of path, feed, url or opml"),
        ('[[sources]]\nfeed = "ftp://a.example/rss"', "is not an http:// or https:// URL"),
        ('[[sources]]\nfeed = "https://a.example/rss"\nevery = "soon"', "is not an interval"),
        ('[[sources]]\nfeed = "https://a.example/rss"\nevery = "10s"', "polling intervals run from 1m to 7d"),
        ('[fetch]\nmax_redirects = 50', "fetch.max_redirects"),
        ('[alerts]\nchannel = "#ops"', "is not a channel"),
    ],
)
def test_bad_source_settings_are_one_line(toml: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(toml, "newsdigest.toml")
    assert problem in str(caught.value) and "\n" not in str(caught.value)


def test_opml_lists_feeds_and_rejects_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "feeds.opml"
    good.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="News">'
        '<outline text="World" xmlUrl="https://a.example/world.xml"/>'
        '<outline title="Sport" xmlUrl="https://a.example/sport.xml"/>'
        '<outline text="Again" xmlUrl="https://a.example/world.xml"/></outline></body></opml>'
    )
    assert [(f.url, f.title) for f in read_opml(good)] == [
        ("https://a.example/world.xml", "World"),
        ("https://a.example/sport.xml", "Sport"),
    ]
    bomb = tmp_path / "bomb.opml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE o [<!ENTITY a "aaaa">]><opml><body/></opml>')
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body>")
    html = tmp_path / "page.opml"
    html.write_text("<html><body/></html>")
    cases = ((bomb, "entity"), (broken, "not valid XML"), (html, "not an OPML file"), (tmp_path / "no", "not found"))
    for path, reason in cases:
        with pytest.raises(OpmlError, match=reason):
            read_opml(path)


def test_app_expands_opml_and_reports_a_bad_one(tmp_path: Path) -> None:
    (tmp_path / "list.opml").write_text('<opml><body><outline xmlUrl="https://a.example/1.xml"/></body></opml>')
    config = parse_config(
        f'[[sources]]\nopml = "{tmp_path / "list.opml"}"\nevery = "1h"\noutlet = "Desk"\n'
        f'[[sources]]\nopml = "{tmp_path / "missing.opml"}"\n[[sources]]\nurl = "https://a.example/story"\n',
        "test",
    )
    specs, rejected = App(config).web_sources()
    assert [(s.url, s.kind, s.every.total_seconds(), s.outlet) for s in specs] == [
        ("https://a.example/1.xml", "feed", 3600, "Desk"),
        ("https://a.example/story", "page", 900, None),
    ]
    assert len(rejected) == 1 and "file not found" in rejected[0].reason
