"""Hub plumbing behind the public loaders: client, cache, pacing, recording, parsing, schema, sources (private)."""
