"""Feed documents into items: formats, HTML reduced to text, links kept only when they are web links."""

from __future__ import annotations

import json

import pytest

from digests.sources.feeds import InvalidFeed, parse_feed
from digests.sources.text import html_to_text


def test_rss_1_0_and_0_91_and_links_made_safe() -> None:
    rdf = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="http://a.example/"><title>RDF &amp; Co</title><link>http://a.example/</link></channel>
<item rdf:about="http://a.example/1"><title>One</title><link>/stories/1</link><description>One.</description></item>
<item rdf:about="http://a.example/2"><title>Two</title><link>javascript:alert(1)</link><description>Two.</description></item>
</rdf:RDF>"""
    feed = parse_feed(rdf, "http://a.example/index.rdf", "application/rdf+xml")
    assert feed.title == "RDF & Co" and feed.kind == "rss10"
    assert [(item.title, item.link) for item in feed.items] == [("One", "http://a.example/stories/1"), ("Two", None)]
    old = b"<rss version='0.91'><channel><title>Old</title><item><title>T</title><link>http://a.example/t</link>"
    old += b"<description>Body &lt;b&gt;bold&lt;/b&gt;</description></item></channel></rss>"
    [item] = parse_feed(old, "http://a.example/rss", "text/xml").items
    assert item.text == "Body bold"


def test_json_feed_relative_links_and_refusals() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "title": "J",
        "items": [{"id": "1", "url": "/a", "content_text": "Plain text.", "author": {"name": "Ann"}}, "junk"],
    }
    [item] = parse_feed(json.dumps(doc).encode(), "https://j.example/feed.json").items
    assert (item.link, item.text, item.author) == ("https://j.example/a", "Plain text.", "Ann")
    with pytest.raises(InvalidFeed, match="JSON without a JSON Feed 'version'"):
        parse_feed(b'{"items": []}', "https://j.example/x")
    with pytest.raises(InvalidFeed, match="not valid JSON"):
        parse_feed(b"{oops", "https://j.example/x", "application/json")


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    html = "<p>First &amp; <b>bold</b>.</p><script>alert(1)</script><p>Second<br>line.</p><!-- note -->"
    assert html_to_text(html) == "First & bold.\n\nSecond\n\nline."
