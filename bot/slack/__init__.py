"""The Slack front end: Block Kit digests, quote cards and ``/news`` over Socket Mode or HTTP (slack-bolt)."""
