"""What the HTTP service and the pages share: the use cases (a quote with stored history, accept, pay) and
the HTTP plumbing both speak (request bodies, problems, the rate limit)."""
