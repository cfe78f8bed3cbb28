"""``python -m bot.ops.healthcheck``: exit 0 when the ops endpoint's ``/healthz`` answers 200 (container checks).

The address is ``$NEWSDIGEST_OPS_LISTEN`` (a wildcard host means this machine), else ``127.0.0.1:9102``.
"""

from __future__ import annotations

import os
import sys
import urllib.request

from bot.config import OPS_LISTEN_ENV

DEFAULT_LISTEN = "127.0.0.1:9102"
WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "[::1]", "": "127.0.0.1"}


def healthz_url(listen: str) -> str:
    host, _, port = listen.strip().rpartition(":")
    host = WILDCARDS.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def main() -> int:
    url = healthz_url(os.environ.get(OPS_LISTEN_ENV, "").strip() or DEFAULT_LISTEN)
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            healthy = response.status == 200
    except OSError as error:
        print(f"newsdigest healthcheck: {url}: {error}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
