"""Portfolio files read by Spark and Dask exactly as the command reads them.

``spark_read_portfolio(spark, path)`` and ``dask_read_portfolio(path)``
cut the file where the command's chunker cuts it (:func:`negotiator.batch.pieces.plan`,
one pass on the driver), and each task reads its pieces with the command's
own block reader (:func:`negotiator.batch.pieces.read_piece`): multi-line
quoted fields, doubled quotes, extra fields, too-long lines, a last line
without its line break, a BOM, CRLF, blank lines, ``--encoding`` and float
id columns give the rows, values, rejects and row numbers the command gives.
Neither Spark's nor Dask's own CSV reader is used.

Both return a :class:`Portfolio`: the rows (the file's columns as text and
the command's ``row_number``) and the rejects of lines that are no record
(the command's reject columns); :meth:`Portfolio.offers` runs the chunk
function over the rows and adds those rejects, so its output holds every
offer and reject the command writes. PySpark and Dask are imported only
when called (extras ``spark`` and ``dask``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from negotiator.batch import job
from negotiator.batch.io import DEFAULT_CHUNK_BYTES
from negotiator.batch.pieces import DEFAULT_PIECE_ROWS, Piece, piece_schema, piece_table, piece_tables, plan
from negotiator.policy import Policy

_REJECT_COLUMNS = job.REJECT_SCHEMA.names


@dataclass
class Portfolio:
    """A portfolio read by Spark or Dask: ``rows`` and ``rejects`` (lazy frames of the engine's kind)."""

    rows: Any
    rejects: Any
    engine: str             # "spark" or "dask"
    pieces: int             # how many pieces the file was cut into

    def offers(self, policy: Policy, as_of: dt.date, channel: str = "batch"):
        """Offers and rejects, as the command writes them, in one lazy frame of
        :data:`negotiator.batch.job.COMBINED_SCHEMA` (``record``: offer, no_option or reject)."""
        if self.engine == "spark":
            out = job.spark_offers(self.rows, policy, as_of, channel)
            extra = self.rejects
            for name in job.COMBINED_SCHEMA.names:
                if name not in _REJECT_COLUMNS:
                    extra = extra.withColumn(name, _spark_null(name))
            from pyspark.sql import functions as F  # noqa: N812
            extra = extra.withColumn("record", F.lit("reject"))
            return out.unionByName(extra.select(*job.COMBINED_SCHEMA.names))
        import dask.dataframe as dd
        out = job.dask_offers(self.rows, policy, as_of, channel)
        return dd.concat([out, self.rejects.map_partitions(_combined_rejects, meta=job.combined_meta())])


def _spark_null(name: str):
    from pyspark.sql import functions as F  # noqa: N812
    return F.lit(None).cast(job._SPARK_TYPES[job.COMBINED_SCHEMA.field(name).type])


def _combined_rejects(df):
    """Rejects (the command's columns) as :data:`~negotiator.batch.job.COMBINED_SCHEMA` rows."""
    n = len(df)
    cols = {name: pa.nulls(n, job.COMBINED_SCHEMA.field(name).type) for name in job.COMBINED_SCHEMA.names}
    cols["record"] = pa.array(["reject"] * n, type=pa.string())
    for name in _REJECT_COLUMNS:
        cols[name] = pa.Array.from_pandas(df[name], type=job.REJECT_SCHEMA.field(name).type)
    return job._plain_pandas(pa.table(cols, schema=job.COMBINED_SCHEMA))


def _pieces(path, encoding: str, chunk_size: int | None, chunk_mib: float,
            delimiter: str) -> tuple[list[Piece], list[str]]:
    return plan(str(path), encoding, DEFAULT_PIECE_ROWS if chunk_size is None else chunk_size,
                int(chunk_mib * 2**20) if chunk_mib else DEFAULT_CHUNK_BYTES, delimiter)


# ----------------------------------------------------------------------------- Spark

def spark_read_portfolio(spark, path, encoding: str = "utf-8", *, delimiter: str = ",",
                         chunk_size: int | None = None,
                         chunk_mib: float = DEFAULT_CHUNK_BYTES / 2**20) -> Portfolio:
    """A portfolio file (CSV, JSON Lines, Parquet) as Spark reads it for the command: a :class:`Portfolio`.

    The file is planned on the driver (its encoding and columns checked as
    the command checks them, refused with the same :class:`~negotiator.batch.io.BatchInputError`);
    each piece is one Spark partition, read by a task with the command's
    reader through ``mapInArrow``, so every executor must see ``path`` (a
    shared or distributed file system mounted at the same path).
    ``chunk_size`` and ``chunk_mib`` are the command's ``--chunk-size``
    (default 100,000) and ``--chunk-mib``: each piece is one of the
    command's chunks; ``delimiter`` its ``--delimiter``. ``rows`` is in file
    order, with a global ``row_number``.
    """
    pieces, names = _pieces(path, encoding, chunk_size, chunk_mib, delimiter)
    schema = piece_schema(names)
    seeds = spark.sparkContext.parallelize([(k, p.to_json()) for k, p in enumerate(pieces)], len(pieces))
    frame = seeds.toDF("piece INT, spec STRING").mapInArrow(_read_spark_pieces, job.spark_ddl(schema))
    rows = frame.filter("record = 'row'").select(*names, "row_number")
    rejects = frame.filter("record = 'reject'").select(*_REJECT_COLUMNS)
    return Portfolio(rows, rejects, "spark", len(pieces))


def _read_spark_pieces(batches):
    """``mapInArrow``: the pieces named in the batches' ``spec`` column, read, as record batches."""
    for batch in batches:
        for spec in batch.column("spec").to_pylist():
            yield from piece_table(Piece.from_json(spec)).to_batches()


# ----------------------------------------------------------------------------- Dask

def dask_read_portfolio(path, encoding: str = "utf-8", *, delimiter: str = ",", chunk_size: int | None = None,
                        chunk_mib: float = DEFAULT_CHUNK_BYTES / 2**20) -> Portfolio:
    """A portfolio file (CSV, JSON Lines, Parquet) as Dask reads it for the command: a :class:`Portfolio`.

    As :func:`spark_read_portfolio`: one Dask partition per piece (each of
    the command's chunks), read by the command's reader; ``rows`` and
    ``rejects`` share their reading tasks when computed together.
    """
    import dask
    import dask.dataframe as dd
    pieces, names = _pieces(path, encoding, chunk_size, chunk_mib, delimiter)
    parts = [dask.delayed(_dask_piece, pure=True)(p.to_json()) for p in pieces]
    rows_meta = job._plain_pandas(piece_schema(names).empty_table().select([*names, "row_number"]))
    reject_meta = job._plain_pandas(job.REJECT_SCHEMA.empty_table())
    rows = dd.from_delayed([dask.delayed(_part, pure=True)(p, 0) for p in parts], meta=rows_meta,
                           verify_meta=False)
    rejects = dd.from_delayed([dask.delayed(_part, pure=True)(p, 1) for p in parts], meta=reject_meta,
                              verify_meta=False)
    return Portfolio(rows, rejects, "dask", len(pieces))


def _dask_piece(spec: str):
    rows, rejects = piece_tables(Piece.from_json(spec))
    return job._plain_pandas(rows), job._plain_pandas(rejects.cast(job.REJECT_SCHEMA))


def _part(pair, k: int):
    return pair[k]


__all__ = ["Portfolio", "spark_read_portfolio", "dask_read_portfolio"]
