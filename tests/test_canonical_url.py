"""Canonical URLs: the links one article is reached by compare equal; different articles stay apart."""

from __future__ import annotations

import pytest

from digests.grouping import URLError, canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/news/story", "https://example.org/news/story"),
        ("HTTP://WWW.Example.ORG/news/story", "https://example.org/news/story"),
        ("http://example.org:80/news/story", "https://example.org/news/story"),
        ("https://example.org:443/news/story/", "https://example.org/news/story"),
        ("https://example.org/news/story#comments", "https://example.org/news/story"),
        ("https://example.org/news/story?utm_source=rss&utm_medium=feed", "https://example.org/news/story"),
        ("https://example.org/a?fbclid=IwAR0x&gclid=Cj0&mc_cid=9&mc_eid=7&id=5", "https://example.org/a?id=5"),
        ("https://example.org/a?UTM_Campaign=x&b=2&a=1", "https://example.org/a?a=1&b=2"),
        ("https://example.org/a?b=2&a=1&a=0", "https://example.org/a?a=0&a=1&b=2"),
        ("https://example.org/a?q=a+b&next=%2Fhome", "https://example.org/a?next=/home&q=a+b"),
        ("https://example.org/a?flag&x=", "https://example.org/a?flag=&x="),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/?", "https://example.org/"),
        ("https://example.org//", "https://example.org/"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("http://example.org:8080/a/", "https://example.org:8080/a"),
        ("https://example.org/a/./b/../c", "https://example.org/a/c"),
        ("https://example.org/%7Euser/caf%c3%a9", "https://example.org/~user/caf%C3%A9"),
        ("https://example.org/Case/Matters", "https://example.org/Case/Matters"),
        ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
        ("https://xn--bcher-kva.example/stra%C3%9Fe", "https://xn--bcher-kva.example/stra%C3%9Fe"),
        ("https://example.org./a", "https://example.org/a"),
        ("https://editor:secret@example.org/a", "https://example.org/a"),
        ("https://www.example.org/a", "https://example.org/a"),
        ("https://www2.example.org/a", "https://www2.example.org/a"),
        ("https://[2001:db8::1]:8080/a", "https://[2001:db8::1]:8080/a"),
        ("https://192.0.2.7/a", "https://192.0.2.7/a"),
        ("  https://example.org/a b  ", "https://example.org/a%20b"),
    ],
)
def test_canonical_form(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_the_same_story_by_every_route_is_one_address() -> None:
    routes = [
        "http://www.example.org/world/2026/11/29/story.html?utm_source=twitter#top",
        "https://example.org/world/2026/11/29/story.html/",
        "HTTPS://EXAMPLE.ORG:443/world/2026/11/29/story.html?fbclid=abc",
    ]
    assert len({canonical_url(route) for route in routes}) == 1


def test_different_articles_keep_different_addresses() -> None:
    assert canonical_url("https://example.org/story?id=1") != canonical_url("https://example.org/story?id=2")
    assert canonical_url("https://example.org/a") != canonical_url("https://example.com/a")
    assert canonical_url("https://example.org:8443/a") != canonical_url("https://example.org/a")


@pytest.mark.parametrize(
    "url",
    ["", "   ", "ftp://example.org/a", "javascript:alert(1)", "/local/path.txt", "https:///nohost", "https://x:99999/", "https://[::1/a"],
)
def test_what_is_not_an_http_url_is_refused_in_one_line(url: str) -> None:
    with pytest.raises(URLError) as raised:
        canonical_url(url)
    assert "\n" not in str(raised.value)


def test_an_oversized_url_is_refused() -> None:
    with pytest.raises(URLError, match="longer than"):
        canonical_url("https://example.org/" + "a" * 5000)
