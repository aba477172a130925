"""The engine: accounts, affordability, the ladder and its options, decisions, rendering, what-ifs.

It knows nothing of HTTP, JSON or the store. :mod:`negotiator.engine.quote` is the front door."""
