"""Readers: bytes on disk -> raw rows with their positions, or read issues that say what is wrong and where.

A reader never raises on bad content: a line that is not JSON, invalid UTF-8 or a BOM becomes a `ReadIssue`
(reported by the input rules F001-F005) and reading goes on. Only a file that cannot be opened at all raises
`SourceError`, which the engine turns into a clear message naming the file.

JSONL is read line by line with orjson (fast, and exact line numbers survive bad lines); JSON arrays are parsed
whole (they are not streamable) and each element's line is found by a small bracket scanner; Parquet is read in
record batches with pyarrow.
"""

from __future__ import annotations

import bisect
import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

BOM = b"\xef\xbb\xbf"
PARQUET_BATCH_ROWS = 4096


class SourceError(Exception):
    """A file that cannot be read at all (missing, unreadable, corrupt container)."""


@dataclass(slots=True)
class RawRow:
    """One parsed row: `row` is its 0-based position among the file's rows, `line` its 1-based line."""

    row: int
    line: int | None
    value: Any
    byte_offset: int | None = None


@dataclass(slots=True)
class ReadIssue:
    """Something wrong in the input before there is a record. `rule` is the input rule's name."""

    rule: str
    message: str
    row: int | None = None
    line: int | None = None
    byte_offset: int | None = None
    text: str | None = None
    raw: bytes | None = None  # the line as read, for the rejects file of `dslint clean`


def file_kind(path: Path) -> str | None:
    """`jsonl`, `json` or `parquet` from the file name, or None for a file dslint does not read."""
    name = path.name.lower()
    for suffix in (".gz", ".zst", ".zstd"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json"):
        return "json"
    if name.endswith(".parquet") and name == path.name.lower():
        return "parquet"  # Parquet compresses inside the file; a .parquet.gz is not readable as is
    return None


def _open_binary(path: Path) -> IO[bytes]:
    try:
        if path.name.lower().endswith(".gz"):
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return path.open("rb")
    except OSError as exc:
        raise SourceError(f"{path}: cannot open: {exc.strerror or exc}") from None


def _zstd_chunks(path: Path, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """Decompressed chunks of a .zst file (several frames allowed). A stream that stops inside a frame raises
    EOFError: zstandard's stream reader would return nothing or part of it silently."""
    import zstandard

    dctx = zstandard.ZstdDecompressor()
    dobj = dctx.decompressobj()
    fed = False
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise SourceError(f"{path}: cannot open: {exc.strerror or exc}") from None
    with fh:
        while chunk := fh.read(chunk_size):
            while chunk:
                try:
                    yield dobj.decompress(chunk)
                except zstandard.ZstdError as exc:
                    raise ValueError(f"not a valid zstd stream: {exc}") from None
                fed, chunk = True, b""
                if dobj.eof:
                    chunk = dobj.unused_data
                    dobj, fed = dctx.decompressobj(), False
    if fed and not dobj.eof:
        raise EOFError("zstd stream ended inside a frame")


def _lines(path: Path) -> Iterator[bytes]:
    """The file's lines (each ending in a newline but perhaps the last), decompressing .gz and .zst."""
    if not path.name.lower().endswith((".zst", ".zstd")):
        with _open_binary(path) as fh:
            yield from fh
        return
    pending = b""
    for chunk in _zstd_chunks(path):
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            yield line + b"\n"
    if pending:
        yield pending


def read_rows(path: Path, containing: bytes | None = None) -> Iterator[RawRow | ReadIssue]:
    """Rows of any supported file, in file order. With `containing`, a JSON Lines file yields only the rows
    whose line holds those bytes (the others are not parsed; row numbers stay those of the whole file)."""
    kind = file_kind(path)
    if kind == "parquet":
        yield from read_parquet(path)
    elif kind == "json":
        yield from read_json(path)
    else:
        yield from read_jsonl(path, containing)


def _decode_failure(data: bytes) -> tuple[int, str] | None:
    """(byte offset, message) of the first invalid UTF-8 sequence, or None if `data` is valid UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start, f"invalid UTF-8 byte 0x{data[exc.start]:02x}"
    return None


def _parse_line(data: bytes, row: int, line: int, offset: int) -> Iterator[RawRow | ReadIssue]:
    """Parse one JSONL line; on failure say why (bad UTF-8 is recovered with U+FFFD and still scanned)."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        bad = _decode_failure(data)
        if bad is None:
            text = data.decode("utf-8", "replace").rstrip("\r\n")
            message = f"invalid JSON: {exc.msg} at column {exc.colno}"
            yield ReadIssue("invalid-json", message, row, line, offset, text, data)
            return
        at, why = bad
        yield ReadIssue("invalid-utf8", f"{why} at column {at + 1}", row, line, offset + at, None, data)
        try:
            value = orjson.loads(data.decode("utf-8", "replace"))
        except orjson.JSONDecodeError as exc2:
            text = data.decode("utf-8", "replace").rstrip("\r\n")
            message = f"invalid JSON: {exc2.msg} at column {exc2.colno}"
            yield ReadIssue("invalid-json", message, row, line, offset, text, data)
            return
    yield RawRow(row, line, value, offset)


@dataclass(frozen=True)
class FilePart:
    """A byte range of a plain JSON Lines file that starts at a line, with the line and row numbers there."""

    start: int
    end: int
    line: int
    row: int


#: Smallest plain JSON Lines file that `file_parts` cuts (smaller ones are not worth a process each).
MIN_PART_BYTES = 4 << 20


def file_parts(path: Path, parts: int) -> list[FilePart] | None:
    """`parts` byte ranges of a plain JSON Lines file, each starting at a line, with the line and row numbers
    there (a blank line is not a row, as `read_jsonl` counts them); None for a file not worth cutting (small,
    compressed, not JSON Lines, or with no row). Reads the file once, line by line, without parsing."""
    if parts < 2 or file_kind(path) != "jsonl" or path.name.lower().endswith((".gz", ".zst", ".zstd")):
        return None
    size = path.stat().st_size
    if size < max(MIN_PART_BYTES, parts):
        return None
    targets = [size * k // parts for k in range(1, parts)]
    found = [FilePart(0, 0, 1, 0)]
    offset = row = 0
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if targets and offset >= targets[0]:
                found.append(FilePart(offset, 0, line_no, row))
                while targets and offset >= targets[0]:
                    targets.pop(0)
            data = raw[len(BOM) :] if line_no == 1 and raw.startswith(BOM) else raw
            if data.strip():
                row += 1
            offset += len(raw)
    if row == 0:
        return None
    ends = [p.start for p in found[1:]] + [size]
    return [FilePart(p.start, end, p.line, p.row) for p, end in zip(found, ends, strict=True)]


def _part_lines(path: Path, part: FilePart) -> Iterator[bytes]:
    """The lines of a byte range of a plain file (it starts at a line and ends at one)."""
    with path.open("rb") as fh:
        fh.seek(part.start)
        offset = part.start
        for data in fh:
            if offset >= part.end:
                return
            offset += len(data)
            yield data


def read_jsonl(
    path: Path, containing: bytes | None = None, part: FilePart | None = None
) -> Iterator[RawRow | ReadIssue]:
    """JSON Lines, plain or compressed. Blank lines are not rows. With `containing`, only the rows whose line
    holds those bytes (see `read_rows`); with `part`, only that part of a plain file (see `file_parts`)."""
    row = 0 if part is None else part.row
    offset = 0 if part is None else part.start
    first_line = 1 if part is None else part.line
    line_no = first_line - 1
    lines = _lines(path) if part is None else _part_lines(path, part)
    try:
        for line_no, data in enumerate(lines, start=first_line):
            start = offset
            offset += len(data)
            if line_no == 1 and data.startswith(BOM):
                yield ReadIssue("byte-order-mark", "file starts with a UTF-8 byte order mark", 0, 1, 0)
                data = data[len(BOM) :]
                start += len(BOM)
            if containing is not None and containing not in data:
                if data.strip():
                    row += 1
                continue
            try:  # the fast path; a line that fails is parsed again to say why
                yield RawRow(row, line_no, orjson.loads(data), start)
            except orjson.JSONDecodeError:
                if data.strip():
                    yield from _parse_line(data, row, line_no, start)
                else:
                    continue  # a blank line is not a row
            row += 1
    except (OSError, EOFError, ValueError) as exc:
        # A truncated or corrupt .gz/.zst stream: report where it broke, keep what was read.
        message = f"compressed stream is corrupt or truncated after line {line_no}: {exc}"
        yield ReadIssue("invalid-json", message, row, line_no + 1, offset)
        return
    if row == 0 and part is None:  # a file cut into parts has rows (`file_parts`)
        yield ReadIssue("empty-file", "the file holds no records", None, None, None)


# A JSON token scanner for finding where each top-level array element starts: strings are skipped whole,
# so brackets and commas inside them do not count.
_JSON_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]', re.DOTALL)
_NOT_SPACE = re.compile(rb"\S")


def element_offsets(data: bytes) -> list[int]:
    """Byte offsets where the elements of a top-level JSON array start."""
    offsets: list[int] = []
    depth = 0
    expect_element = False
    pos = 0
    for match in _JSON_TOKENS.finditer(data):
        tok = match.group()
        ch = tok[:1]
        if expect_element:
            nxt = _NOT_SPACE.search(data, pos)
            if nxt is not None and data[nxt.start() : nxt.start() + 1] != b"]":
                offsets.append(nxt.start())
            expect_element = False
        if ch in (b"[", b"{"):
            depth += 1
            if depth == 1 and ch == b"[":
                expect_element = True
        elif ch in (b"]", b"}"):
            depth -= 1
        elif ch == b"," and depth == 1:
            expect_element = True
        pos = match.end()
    return offsets


def read_json(path: Path) -> Iterator[RawRow | ReadIssue]:
    """A JSON file: an array of records (or one record). A `.json` file that is really JSONL is read as such."""
    try:
        data = b"".join(_lines(path))
    except (OSError, EOFError, ValueError) as exc:
        raise SourceError(f"{path}: cannot read: {exc}") from None
    start = len(BOM) if data.startswith(BOM) else 0
    body = data[start:]
    if start and not _looks_like_jsonl(body):  # read_jsonl reports the BOM itself
        yield ReadIssue("byte-order-mark", "file starts with a UTF-8 byte order mark", 0, 1, 0)
    if not body.strip():
        yield ReadIssue("empty-file", "the file holds no records", None, None, None)
        return
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if _looks_like_jsonl(body):
            yield from read_jsonl(path)
            return
        bad = _decode_failure(body)
        if bad is not None:
            at, why = bad
            offsets = element_offsets(body)
            row = bisect.bisect_right(offsets, at) - 1 if offsets else None
            line = body.count(b"\n", 0, at) + 1
            column = at - body.rfind(b"\n", 0, at)
            row = row if row is not None and row >= 0 else None
            yield ReadIssue("invalid-utf8", f"{why} at column {column}", row, line, start + at)
            try:
                value = orjson.loads(body.decode("utf-8", "replace"))
            except orjson.JSONDecodeError:
                yield ReadIssue("invalid-json", f"invalid JSON: {exc.msg}", None, exc.lineno, start + exc.pos)
                return
        else:
            yield ReadIssue(
                "invalid-json",
                f"invalid JSON, the whole file is unreadable: {exc}",
                None,
                exc.lineno,
                start + exc.pos,
            )
            return
    if not isinstance(value, list):
        yield RawRow(0, 1, value, start)
        return
    if not value:
        yield ReadIssue("empty-file", "the file holds an empty array", None, None, None)
        return
    offsets = element_offsets(body)
    if len(offsets) != len(value):  # cannot happen for valid JSON; keep rows, drop line numbers
        offsets = []
    line = 1
    prev = 0
    for row, item in enumerate(value):
        if offsets:
            line += body.count(b"\n", prev, offsets[row])
            prev = offsets[row]
            yield RawRow(row, line, item, start + offsets[row])
        else:
            yield RawRow(row, None, item, None)


def _looks_like_jsonl(body: bytes) -> bool:
    first = body.lstrip().split(b"\n", 1)[0]
    try:
        return isinstance(orjson.loads(first), dict) and b"\n" in body.strip()
    except orjson.JSONDecodeError:
        return False


def drop_nulls(row: dict[str, Any]) -> dict[str, Any]:
    """A table row without its null columns: in a table every row has every column, so null means absent
    (else a Parquet file mixing prompt/completion and text rows would read as one broken format)."""
    return {k: v for k, v in row.items() if v is not None}


def read_parquet(path: Path) -> Iterator[RawRow | ReadIssue]:
    """Parquet in record batches (bounded memory); rows have no line numbers."""
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: not a readable Parquet file: {exc}") from None
    row = 0
    for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS):
        for item in batch.to_pylist():
            yield RawRow(row, None, drop_nulls(item), None)
            row += 1
    if row == 0:
        yield ReadIssue("empty-file", "the file holds no records", None, None, None)
