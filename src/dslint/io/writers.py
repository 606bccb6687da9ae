"""Writers: rows -> a file in the input's own format and layout (for `dslint clean`).

JSONL stays JSONL (same keys, same key order; compact orjson), a JSON array stays a JSON array (two-space
indent), Parquet stays Parquet with the input's schema; `.gz`/`.zst` stay compressed. Output is
deterministic: the same rows give the same bytes (gzip without a timestamp or file name).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from dslint.io.readers import file_kind

PARQUET_WRITE_ROWS = 4096


def _open_out(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.GzipFile(filename="", mode="wb", fileobj=path.open("wb"), mtime=0)  # type: ignore[return-value]
    if name.endswith((".zst", ".zstd")):
        import zstandard

        return zstandard.ZstdCompressor().stream_writer(path.open("wb"), closefd=True)
    return path.open("wb")


def write_rows(rows: Iterable[Any], path: Path, like: Path) -> int:
    """Write `rows` to `path` in the format of the input file `like`; returns the number written."""
    kind = file_kind(like)
    if kind == "parquet":
        return _write_parquet(rows, path, like)
    n = 0
    with _open_out(path) as out:
        gz_fileobj = getattr(out, "fileobj", None)
        if kind == "json":
            out.write(b"[")
            for row in rows:
                out.write((b",\n" if n else b"\n") + orjson.dumps(row, option=orjson.OPT_INDENT_2))
                n += 1
            out.write(b"\n]\n" if n else b"]\n")
        else:
            for row in rows:
                out.write(orjson.dumps(row) + b"\n")
                n += 1
    if gz_fileobj is not None:  # GzipFile does not close a file object it was given
        gz_fileobj.close()
    return n


def _write_parquet(rows: Iterable[Any], path: Path, like: Path) -> int:
    """Parquet with the input's schema; rows whose null columns were dropped on reading get them back."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(like)
    n = 0
    batch: list[Any] = []
    with pq.ParquetWriter(path, schema) as writer:
        for row in rows:
            batch.append(row)
            n += 1
            if len(batch) >= PARQUET_WRITE_ROWS:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    return n
