"""What ``newsdigest sources`` and ``/news sources`` show: every source with its last fetch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from digests.sources.settings import SourceSpec
from digests.sources.state import SourceState
from digests.sources.text import one_line


@dataclass(frozen=True)
class SourceStatus:
    """One configured source and its last fetch (None until first polled)."""

    spec: SourceSpec
    state: SourceState | None

    @property
    def name(self) -> str:
        return self.spec.outlet or (self.state.title if self.state and self.state.title else "") or self.spec.url

    def line(self) -> str:
        state = self.state
        head = f"{self.spec.kind} {self.spec.url}"
        if self.name != self.spec.url:
            head += f" ({one_line(self.name, 80)})"
        if state is None or state.last_fetch_at is None:
            return f"{head}: not fetched yet"
        status = f"HTTP {state.last_status}" if state.last_status is not None else "no response"
        parts = [
            f"last fetch {stamp(state.last_fetch_at)}",
            status,
            f"{state.last_new} new",
            f"next poll {stamp(state.next_poll_at)}",
            f"{state.failures} consecutive failure{'s' if state.failures != 1 else ''}",
        ]
        text = f"{head}: " + ", ".join(parts)
        if state.failing:
            text += f" — FAILING: {one_line(state.last_error or 'unknown error', 160)}"
        elif state.last_error:
            text += f" — last error: {one_line(state.last_error, 160)}"
        return text


def stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


def source_statuses(specs: Sequence[SourceSpec], states: Mapping[str, SourceState]) -> list[SourceStatus]:
    """Each configured source with its state, in configuration order."""
    return [SourceStatus(spec, states.get(spec.url)) for spec in specs]
