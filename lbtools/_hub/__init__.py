"""Hub plumbing behind the public loaders (private): client, cache, memo, fetch (fan-out and the per-request
fetchers), parse, schema, recording, sources, benchmarks."""
