"""Which network addresses newsdigest may fetch from: public ones, plus hosts the configuration allows.

A source URL must not turn the bot into a proxy into the newsroom's own network. The check runs on the
addresses a name resolves to, inside the HTTP client's resolver, so the connection goes to exactly the
address that was checked (no second lookup between check and connect), on the first request and on every
redirect alike.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

SCHEMES = ("http", "https")
# Cloud metadata services that live on ordinary-looking addresses.
METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class ForbiddenAddress(ValueError):
    """A URL or address newsdigest refuses to fetch; the message says why in one line."""


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a globally routable unicast address (not loopback, private, link-local, ...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast and address not in METADATA


class AddressPolicy:
    """Public addresses only, except hosts (names or literal addresses) the configuration allows."""

    def __init__(self, allow_hosts: Iterable[str] = ()) -> None:
        self.allow_hosts = frozenset(host.strip().lower().strip("[]") for host in allow_hosts if host.strip())

    def allows_host(self, host: str) -> bool:
        return host.lower().strip("[]") in self.allow_hosts

    def check_address(self, host: str, address: str) -> None:
        """Raise :class:`ForbiddenAddress` unless ``address`` (which ``host`` resolved to) may be fetched."""
        if self.allows_host(host) or self.allows_host(address):
            return
        try:
            parsed = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            raise ForbiddenAddress(f"{host} resolved to {address!r}, which is not an IP address") from None
        if not is_public(parsed):
            raise ForbiddenAddress(
                f"{host} is a non-public address ({parsed}); allow it with [fetch] allow_hosts if intended"
                if host == address
                else f"{host} resolves to a non-public address ({parsed}); allow it with [fetch] allow_hosts"
            )

    def check_url(self, url: str) -> str:
        """The URL's host, after checking its scheme and, for a literal IP host, its address."""
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            parts.port  # noqa: B018 - raises ValueError for a malformed port
        except ValueError as error:
            raise ForbiddenAddress(f"{url!r} is not a valid URL ({error})") from None
        if parts.scheme.lower() not in SCHEMES:
            raise ForbiddenAddress(f"only http and https URLs are fetched, not {parts.scheme or 'a relative URL'}")
        if not host:
            raise ForbiddenAddress(f"{url!r} has no host")
        if parts.username or parts.password:
            raise ForbiddenAddress("URLs with a user name or password are not fetched")
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return host  # a name: checked after resolution, by CheckedResolver
        self.check_address(host, host)
        return host


class CheckedResolver(AbstractResolver):
    """aiohttp's resolver, keeping only the addresses the policy allows; none left is a refused connection."""

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self.policy = policy
        self.inner = inner or DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        found: list[ResolveResult] = await self.inner.resolve(host, port, family)
        allowed, refused = [], None
        for result in found:
            try:
                self.policy.check_address(host, result["host"])
            except ForbiddenAddress as error:
                refused = error
                continue
            allowed.append(result)
        if not allowed:
            raise refused or ForbiddenAddress(f"{host} did not resolve to any address")
        return allowed

    async def close(self) -> None:
        await self.inner.close()
