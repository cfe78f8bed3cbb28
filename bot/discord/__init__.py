"""The Discord front end: digests as embeds, quote cards as attachments, and the ``/news`` application commands."""
