"""Portfolio files in, offer files out: the batch job over the engine (see docs/batch.md).

``spark_read_portfolio`` and ``dask_read_portfolio`` (:mod:`negotiator.batch.cluster`) read a portfolio
file in Spark or Dask exactly as the command reads it; they are imported on first use.
"""

_CLUSTER = ("Portfolio", "spark_read_portfolio", "dask_read_portfolio")


def __getattr__(name: str):
    if name in _CLUSTER:
        from negotiator.batch import cluster
        return getattr(cluster, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = list(_CLUSTER)
