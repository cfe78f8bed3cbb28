"""Canonical article URLs: one story, one address, whatever tracking or spelling a link carries."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from url_normalize import url_normalize

MAX_URL_LENGTH = 4096

# Query parameters that say how a reader arrived, never which article: dropped (names compared lower-case).
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "igshid", "igsh", "li_fat_id", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "__hstc", "__hssc",
        "__hsfp", "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "wickedid",
        "s_cid", "cmpid", "ocid", "ncid", "sr_share", "ref_src", "ref_url", "at_medium", "at_campaign",
        "at_custom1", "at_custom2", "at_custom3", "at_custom4", "rss", "cmp", "guccounter", "guce_referrer",
        "guce_referrer_sig", "spm", "share", "smid", "fb_action_ids", "fb_action_types", "fb_source",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hmb_", "__s")


class URLError(ValueError):
    """A string that is not an http(s) URL newsdigest can identify an article by."""


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The form by which two links to the same article compare equal.

    RFC 3986 normalisation (by url-normalize: lower-case scheme and host, IDN hosts in punycode, default ports
    dropped, dot segments resolved, percent-encoding made uniform), then what newsrooms' links vary in: http and
    https are the same story (always ``https``), ``www.`` is dropped, the fragment is dropped, tracking
    parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ...) are dropped, the others sorted, a trailing
    slash is dropped (the root path is ``/``), and so are user names and passwords.
    Raises :class:`URLError` for anything but an http(s) URL.
    """
    text = url.strip()
    if not text:
        raise URLError("empty URL")
    if len(text) > MAX_URL_LENGTH:
        raise URLError(f"URL longer than {MAX_URL_LENGTH} characters")
    if re.search(r"[\x00-\x20\x7f]", text):
        text = re.sub(r"[\x00-\x1f\x7f]", "", text).replace(" ", "%20")
    try:
        given = urlsplit(text)
    except ValueError as error:  # a broken IPv6 literal
        raise URLError(f"not a valid URL: {error}") from None
    if given.scheme.lower() not in ("http", "https"):
        raise URLError(f"not an http(s) URL: {given.scheme.lower() or 'no scheme'}")
    if not given.netloc:
        raise URLError("URL has no host")
    try:
        normalised = url_normalize(text)
        parts = urlsplit(normalised or "")
        port = parts.port
        host = parts.hostname or ""
    except ValueError as error:  # a bad port, an invalid IDN label, a broken IPv6 literal
        raise URLError(f"not a valid URL: {error}") from None
    if not host:
        raise URLError("URL has no host")
    host = host.rstrip(".")
    if host.startswith("www.") and "." in host[4:]:
        host = host[4:]
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    query = urlencode(sorted(pairs), safe="~:/?[]@!$'()*,;")
    return urlunsplit(("https", netloc, path, query, ""))
