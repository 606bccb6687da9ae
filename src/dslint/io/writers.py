"""Writers: rows -> a file in the input's own format and layout (for `dslint clean`).

JSONL stays JSONL (same keys, same key order; compact orjson), a JSON array stays a JSON array (two-space
indent), Parquet stays Parquet with the input's schema; `.gz`/`.zst` stay compressed. Output is
deterministic: the same rows give the same bytes (gzip without a timestamp or file name).
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import IO, Any

import orjson

from dslint.io.readers import file_kind

PARQUET_WRITE_ROWS = 4096


def _open_out(path: Path) -> tuple[IO[bytes], IO[bytes]]:
    """(stream to write, underlying file to close after it)."""
    raw = path.open("wb")
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0), raw  # type: ignore[return-value]
    if name.endswith((".zst", ".zstd")):
        import zstandard

        return zstandard.ZstdCompressor().stream_writer(raw, closefd=False), raw
    return raw, raw


class RowWriter:
    """Writes rows one at a time to `path`, in the format of the input file `like`. Use as a context manager."""

    def __init__(self, path: Path, like: Path) -> None:
        self.path, self.like, self.count = path, like, 0
        self.kind = file_kind(like)
        self._batch: list[Any] = []
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            self._schema = pq.read_schema(like)
            self._parquet = pq.ParquetWriter(path, self._schema)
        else:
            self._out, self._file = _open_out(path)
            if self.kind == "json":
                self._out.write(b"[")

    def write(self, row: Any) -> None:
        if self.kind == "parquet":
            self._batch.append(row)
            if len(self._batch) >= PARQUET_WRITE_ROWS:
                self._flush()
        elif self.kind == "json":
            self._out.write((b",\n" if self.count else b"\n") + orjson.dumps(row, option=orjson.OPT_INDENT_2))
        else:
            self._out.write(orjson.dumps(row) + b"\n")
        self.count += 1

    def _flush(self) -> None:
        import pyarrow as pa

        # rows whose null columns were dropped on reading get them back from the schema
        self._parquet.write_table(pa.Table.from_pylist(self._batch, schema=self._schema))
        self._batch = []

    def close(self) -> None:
        if self.kind == "parquet":
            if self._batch or self.count == 0:
                self._flush()
            self._parquet.close()
            return
        if self.kind == "json":
            self._out.write(b"\n]\n" if self.count else b"]\n")
        self._out.close()
        if self._file is not self._out:
            self._file.close()

    def __enter__(self) -> RowWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
