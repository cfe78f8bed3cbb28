"""Only public http(s) addresses are fetched, unless the configuration allows a host; checked after DNS."""

from __future__ import annotations

import asyncio

import pytest

from bot.fakes.feed_server import FeedServer
from digests.sources.addresses import AddressPolicy, ForbiddenAddress
from digests.sources.fetcher import Fetcher, FetchError
from digests.sources.settings import FetchSettings


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://127.1.2.3:8080/",
        "http://10.0.0.5/",
        "http://192.168.1.1/admin",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
    ],
)
def test_non_public_literal_addresses_are_refused(url: str) -> None:
    with pytest.raises(ForbiddenAddress, match="non-public"):
        AddressPolicy().check_url(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://a/", "/relative", "http://"])
def test_only_http_and_https_with_a_host(url: str) -> None:
    with pytest.raises(ForbiddenAddress):
        AddressPolicy().check_url(url)


def test_public_addresses_and_allowed_hosts_pass() -> None:
    assert AddressPolicy().check_url("https://93.184.215.14/x") == "93.184.215.14"
    assert AddressPolicy().check_url("https://news.example.org/rss") == "news.example.org"  # checked at resolution
    assert AddressPolicy(["127.0.0.1"]).check_url("http://127.0.0.1:8080/feed") == "127.0.0.1"
    with pytest.raises(ForbiddenAddress, match="user name"):
        AddressPolicy().check_url("http://user:pw@example.org/")


def fetch(settings: FetchSettings, url: str) -> int:
    async def go() -> int:
        async with Fetcher(settings) as fetcher:
            return (await fetcher.get(url)).status

    return asyncio.run(go())


def test_a_name_resolving_to_loopback_is_refused_after_dns(server: FeedServer) -> None:
    server.add("/feed.xml", "<rss version='2.0'><channel><title>t</title></channel></rss>")
    named = f"http://localhost:{server.port}/feed.xml"
    with pytest.raises(FetchError, match=r"refused: localhost resolves to a non-public address"):
        fetch(FetchSettings(), named)
    assert server.requests("/feed.xml") == []  # never connected
    assert fetch(FetchSettings(allow_hosts=("localhost",)), named) == 200


def test_every_redirect_is_checked(server: FeedServer) -> None:
    """An allowed host redirecting to a forbidden one is refused before the second connection."""
    server.add("/feed.xml", "<rss version='2.0'><channel><title>t</title></channel></rss>")
    server.add("/hop", redirect=f"http://127.0.0.1:{server.port}/feed.xml")
    server.add("/to-file", redirect="file:///etc/passwd")
    only_the_name = FetchSettings(allow_hosts=("localhost",))
    with pytest.raises(FetchError, match=r"refused: 127.0.0.1 is a non-public address"):
        fetch(only_the_name, f"http://localhost:{server.port}/hop")
    assert [seen.path for seen in server.seen] == ["/hop"]  # the redirect target was never asked
    with pytest.raises(FetchError, match="only http and https"):
        fetch(only_the_name, f"http://localhost:{server.port}/to-file")
    assert fetch(FetchSettings(allow_hosts=("127.0.0.1",)), server.url("/hop")) == 200
    with pytest.raises(FetchError, match="non-public address"):
        fetch(FetchSettings(), server.url("/feed.xml"))
