"""Hub plumbing behind the public loaders (private): client, cache, fetch (fan-out and the per-request fetchers),
parse, schema, recording, snapfiles, sources."""
