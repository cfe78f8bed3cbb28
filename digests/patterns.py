"""Compiled regular expressions kept for the life of the process.

``re``'s own cache holds 512 patterns; sentence splitting and the summarisers use so many that patterns
written inline elsewhere were evicted and recompiled for every article. ``rx`` keeps them compiled.
"""

from __future__ import annotations

import re
from functools import cache


@cache
def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``pattern`` compiled once."""
    return re.compile(pattern, flags)
