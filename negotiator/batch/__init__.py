"""Portfolio files in, offer files out: the batch job over the engine (see docs/batch.md)."""
