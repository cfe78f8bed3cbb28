"""Live sources: feeds (RSS, Atom, JSON Feed), OPML lists and article pages, fetched politely and safely."""
