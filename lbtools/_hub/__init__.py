"""Hub plumbing behind the public loaders (private): client, cache, fetch (fan-out and the per-request fetchers),
parse, schema, sources. The snapshot folder's format is ``lbtools._snapshot_format``."""
