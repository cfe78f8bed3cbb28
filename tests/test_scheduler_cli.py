"""``newsdigest deliveries`` and ``run`` through the ledger, as a user runs them (with the fake Slack)."""

from __future__ import annotations

import re
from pathlib import Path

from cli_support import newsdigest

from bot.fakes.slack_web_api import FakeSlack


def rows(listing: str) -> dict[str, list[str]]:
    """Delivery id -> its columns, from the table `newsdigest deliveries` prints."""
    found = {}
    for line in listing.splitlines()[1:]:
        cells = re.split(r"\s{2,}", line.strip())
        found[cells[0]] = cells
    return found


def test_failed_delivery_is_listed_and_retried(tmp_path: Path) -> None:
    once = newsdigest("run", "--once", "--channel", "console", "--channel", "slack:#news", cwd=tmp_path)
    assert once.returncode == 1
    assert "41 Israeli military intelligence officers" in once.stdout
    assert "slack:#news" in once.stderr and "Slack is not configured" in once.stderr

    listing = newsdigest("deliveries", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    table = rows(listing.stdout)
    states = {cells[3]: cells[4] for cells in table.values()}
    assert states == {"console": "sent", "slack:#news": "failed"}
    failed = newsdigest("deliveries", "--failed", cwd=tmp_path)
    (failed_id, cells), *others = rows(failed.stdout).items()
    assert others == [] and cells[3] == "slack:#news" and cells[5] == "1"
    assert cells[6].startswith("Slack is not configured")

    again = newsdigest("deliveries", "retry", failed_id, cwd=tmp_path)
    assert again.returncode == 1 and "failed again: Slack is not configured" in again.stderr

    with FakeSlack().running_in_thread() as slack:
        slack.add_channel("news")
        env = {"SLACK_BOT_TOKEN": slack.bot_token, "SLACK_API_URL": slack.base_url}
        retried = newsdigest("deliveries", "retry", failed_id, cwd=tmp_path, env=env)
        assert retried.returncode == 0, retried.stderr
        assert f"delivery {failed_id}: posted to slack:#news" in retried.stdout
        posted = slack.messages("#news")
        digests = [message for message in posted if "thread_ts" not in message]  # quote cards are thread replies
        assert len(digests) == 1
        assert digests[0]["metadata"]["event_payload"]["marker"].startswith("once@")
        twice = newsdigest("deliveries", "retry", failed_id, cwd=tmp_path, env=env)
        assert twice.returncode == 1 and "is sent, only failed deliveries can be retried" in twice.stderr
        assert slack.messages("#news") == posted

    final = rows(newsdigest("deliveries", cwd=tmp_path).stdout)
    assert {cells[3]: cells[4] for cells in final.values()} == {"console": "sent", "slack:#news": "sent"}
    assert newsdigest("deliveries", "--failed", cwd=tmp_path).stdout.strip() == "no failed deliveries"


def test_run_once_goes_through_the_ledger_and_channel_needs_once(tmp_path: Path) -> None:
    first = newsdigest("run", "--once", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("1. ") == 1
    listing = rows(newsdigest("deliveries", cwd=tmp_path).stdout)
    assert [(cells[1], cells[3], cells[4]) for cells in listing.values()] == [("once", "console", "sent")]
    missing = newsdigest("deliveries", "retry", "999", cwd=tmp_path)
    assert missing.returncode == 1 and missing.stderr.strip() == "newsdigest: there is no delivery 999"
    usage = newsdigest("run", "--channel", "console", cwd=tmp_path)
    assert usage.returncode == 2 and "--channel only applies with --once" in usage.stderr
