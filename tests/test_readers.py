"""Readers: bytes on disk -> raw rows with exact positions, or read issues; never an exception on bad content."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from dslint.io import readers
from dslint.io.readers import (
    BOM,
    RawRow,
    ReadIssue,
    SourceError,
    element_offsets,
    file_kind,
    read_json,
    read_jsonl,
    read_parquet,
    read_rows,
)
from dslint.io.sources import expand_path

DATA = Path(__file__).parent / "data"
FASTCHAT = DATA / "fastchat_dummy_conv" / "dummy_conversation.json"
GLAIVE = DATA / "lf_glaive_toolcall" / "glaive_toolcall_en_demo.json"

CHAT_ROWS = [
    {"messages": [{"role": "user", "content": "What is 2 + 2?"}, {"role": "assistant", "content": "4."}]},
    {
        "messages": [
            {"role": "system", "content": "You answer in French."},
            {"role": "user", "content": "Bonjour, ça va ?"},
            {"role": "assistant", "content": "Très bien, merci ! Et vous ?"},
        ]
    },
    {"messages": [{"role": "user", "content": 'Quote: "x" and \\ back'}, {"role": "assistant", "content": "ok 👍"}]},
]


def _jsonl(rows: list[dict]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def _split(items: list[RawRow | ReadIssue]) -> tuple[list[RawRow], list[ReadIssue]]:
    rows = [i for i in items if isinstance(i, RawRow)]
    issues = [i for i in items if isinstance(i, ReadIssue)]
    assert len(rows) + len(issues) == len(items)
    return rows, issues


def _positions(rows: list[RawRow]) -> list[tuple[int, int | None]]:
    return [(r.row, r.line) for r in rows]


# -- file kinds -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("train.jsonl", "jsonl"),
        ("train.JSONL", "jsonl"),
        ("train.ndjson", "jsonl"),
        ("train.jsonl.gz", "jsonl"),
        ("train.jsonl.zst", "jsonl"),
        ("train.jsonl.zstd", "jsonl"),
        ("data.json", "json"),
        ("data.json.gz", "json"),
        ("train-00000-of-00002.parquet", "parquet"),
        ("notes.txt", None),
        ("data.csv", None),
        ("archive.gz", None),
    ],
)
def test_file_kind(name: str, kind: str | None) -> None:
    assert file_kind(Path(name)) == kind


# -- JSONL ------------------------------------------------------------------------------------------------


@pytest.fixture
def jsonl_body() -> bytes:
    # Blank lines (also whitespace-only and CRLF-only) at the top, in the middle and at the end are not rows.
    lines = [
        b"\n",
        orjson.dumps(CHAT_ROWS[0]) + b"\n",
        b"   \n",
        b"\r\n",
        orjson.dumps(CHAT_ROWS[1]) + b"\r\n",
        orjson.dumps(CHAT_ROWS[2]) + b"\n",
        b"\n",
    ]
    return b"".join(lines)


EXPECTED_POSITIONS = [(0, 2), (1, 5), (2, 6)]


def test_jsonl_rows_lines_and_offsets(tmp_path: Path, jsonl_body: bytes) -> None:
    path = tmp_path / "chat.jsonl"
    path.write_bytes(jsonl_body)
    rows, issues = _split(list(read_rows(path)))
    assert issues == []
    assert _positions(rows) == EXPECTED_POSITIONS
    assert [r.value for r in rows] == CHAT_ROWS
    for r in rows:  # the byte offset points at the start of the row's own line
        assert r.byte_offset is not None
        assert jsonl_body[r.byte_offset :].startswith(b'{"messages"')
        assert jsonl_body.count(b"\n", 0, r.byte_offset) + 1 == r.line


def test_jsonl_rows_containing_some_bytes_keep_their_numbers(tmp_path: Path) -> None:
    # the index pass reads only a train file's rows that name a split: the others are not parsed
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"text": "a"}\n\n{"text": "b", "split": "test"}\nnot json\n{"split": "validation"}\n')
    rows, issues = _split(list(read_rows(path, containing=b'"split"')))
    assert issues == []
    assert [(r.row, r.line, r.value) for r in rows] == [
        (1, 3, {"text": "b", "split": "test"}),
        (3, 5, {"split": "validation"}),
    ]


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst", ".jsonl.zstd"])
def test_compressed_jsonl_gives_the_same_rows(tmp_path: Path, jsonl_body: bytes, suffix: str) -> None:
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(jsonl_body)
    packed = tmp_path / f"packed{suffix}"
    if suffix == ".jsonl.gz":
        packed.write_bytes(gzip.compress(jsonl_body))
    else:
        packed.write_bytes(zstandard.ZstdCompressor(level=3).compress(jsonl_body))
    expected = list(read_rows(plain))
    got = list(read_rows(packed))
    assert got == expected
    assert _positions(_split(got)[0]) == EXPECTED_POSITIONS


def test_streamed_zstd_without_content_size(tmp_path: Path, jsonl_body: bytes) -> None:
    # `zstd` from a pipe writes frames without a content size; they must read the same.
    path = tmp_path / "train.jsonl.zst"
    with path.open("wb") as fh, zstandard.ZstdCompressor().stream_writer(fh) as writer:
        writer.write(jsonl_body)
    plain = tmp_path / "train.jsonl"
    plain.write_bytes(jsonl_body)
    assert list(read_rows(path)) == list(read_rows(plain))


def test_jsonl_many_rows_line_numbers_exact(tmp_path: Path) -> None:
    rows = [{"text": f"document {i}: " + "lorem ipsum " * (i % 7)} for i in range(2500)]
    body = b"".join(orjson.dumps(r) + (b"\n\n" if i % 100 == 99 else b"\n") for i, r in enumerate(rows))
    path = tmp_path / "big.jsonl.gz"
    path.write_bytes(gzip.compress(body))
    got, issues = _split(list(read_rows(path)))
    assert issues == []
    assert [r.row for r in got] == list(range(2500))
    assert [r.value for r in got] == rows
    # Every 100th row is followed by a blank line, shifting the following lines by one each time.
    assert [r.line for r in got] == [i + 1 + i // 100 for i in range(2500)]


def test_invalid_json_line_is_reported_and_reading_continues(tmp_path: Path) -> None:
    good1 = orjson.dumps({"prompt": "Capital of France?", "completion": " Paris"}) + b"\n"
    bad = b'{"prompt": "Capital of Spain?", "completion": " Madrid"\n'  # missing closing brace
    good2 = orjson.dumps({"prompt": "Capital of Italy?", "completion": " Rome"}) + b"\n"
    trailing = b'{"prompt": "x", "completion": "y"},\n'  # trailing comma after the object
    body = good1 + b"\n" + bad + good2 + trailing
    path = tmp_path / "pc.jsonl"
    path.write_bytes(body)
    items = list(read_rows(path))
    rows, issues = _split(items)
    assert [r.value["completion"] for r in rows] == [" Paris", " Rome"]
    assert [i.rule for i in issues] == ["invalid-json", "invalid-json"]
    first, second = issues
    assert first.line == 3
    assert first.byte_offset == len(good1) + 1
    assert body[first.byte_offset :].startswith(b'{"prompt": "Capital of Spain?"')
    assert first.text is not None and "Capital of Spain" in first.text
    assert not first.text.endswith("\n")
    assert second.line == 5
    assert second.byte_offset == len(good1) + 1 + len(bad) + len(good2)
    # The good row after the bad one keeps its own line; the issue comes in file order.
    assert rows[1].line == 4
    assert items.index(first) < items.index(rows[1]) < items.index(second)
    # Rows are positions among the file's non-blank lines: the bad line holds row 1.
    assert (first.row, rows[1].row, second.row) == (1, 2, 3)


def test_invalid_utf8_is_reported_and_the_row_still_read(tmp_path: Path) -> None:
    line1 = orjson.dumps({"text": "plain ascii"}) + b"\n"
    line2 = b'{"text": "caf\xe9 cr\xe8me"}\n'  # latin-1 bytes inside a UTF-8 file
    line3 = orjson.dumps({"text": "naïve ✓"}) + b"\n"
    path = tmp_path / "latin.jsonl"
    path.write_bytes(line1 + line2 + line3)
    rows, issues = _split(list(read_rows(path)))
    assert [(r.row, r.line) for r in rows] == [(0, 1), (1, 2), (2, 3)]
    assert rows[1].value == {"text": "caf\ufffd cr\ufffdme"}
    assert rows[2].value == {"text": "naïve ✓"}
    assert len(issues) == 1
    issue = issues[0]
    assert issue.rule == "invalid-utf8"
    assert (issue.row, issue.line) == (1, 2)
    assert issue.byte_offset == len(line1) + line2.index(b"\xe9")
    assert "0xe9" in issue.message


def test_invalid_utf8_and_invalid_json_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "both.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"\n{"text": "ok"}\n')
    rows, issues = _split(list(read_rows(path)))
    assert [i.rule for i in issues] == ["invalid-utf8", "invalid-json"]
    assert all(i.line == 1 for i in issues)
    assert [(r.row, r.line, r.value) for r in rows] == [(1, 2, {"text": "ok"})]


def test_bom_is_reported_and_first_record_parses(tmp_path: Path) -> None:
    body = BOM + _jsonl(CHAT_ROWS[:2])
    path = tmp_path / "bom.jsonl"
    path.write_bytes(body)
    items = list(read_rows(path))
    rows, issues = _split(items)
    assert [i.rule for i in issues] == ["byte-order-mark"]
    assert (issues[0].line, issues[0].byte_offset) == (1, 0)
    assert items[0] is issues[0]
    assert [r.value for r in rows] == CHAT_ROWS[:2]
    assert _positions(rows) == [(0, 1), (1, 2)]
    assert rows[0].byte_offset == len(BOM)


def test_bom_in_gzipped_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl.gz"
    path.write_bytes(gzip.compress(BOM + _jsonl(CHAT_ROWS)))
    rows, issues = _split(list(read_rows(path)))
    assert [i.rule for i in issues] == ["byte-order-mark"]
    assert [r.value for r in rows] == CHAT_ROWS


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("zero.jsonl", b""),
        ("blank.jsonl", b"\n\n   \n\r\n"),
        ("zero.json", b""),
        ("blank.json", b"\n  \n"),
        ("array.json", b"[]"),
        ("array_spaced.json", b"[\n  \n]\n"),
    ],
)
def test_empty_files(tmp_path: Path, name: str, body: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(body)
    rows, issues = _split(list(read_rows(path)))
    assert rows == []
    assert [i.rule for i in issues] == ["empty-file"]


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_empty_compressed_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(gzip.compress(b"") if suffix.endswith(".gz") else zstandard.ZstdCompressor().compress(b""))
    rows, issues = _split(list(read_rows(path)))
    assert rows == []
    assert [i.rule for i in issues] == ["empty-file"]


def test_empty_parquet(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"prompt": pa.array([], pa.string()), "completion": pa.array([], pa.string())}), path)
    rows, issues = _split(list(read_rows(path)))
    assert rows == []
    assert [i.rule for i in issues] == ["empty-file"]


def test_bom_only_jsonl_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "bom_only.jsonl"
    path.write_bytes(BOM + b"\n")
    rows, issues = _split(list(read_rows(path)))
    assert rows == []
    assert [i.rule for i in issues] == ["byte-order-mark", "empty-file"]


def _big_jsonl(n: int = 3000) -> bytes:
    return b"".join(orjson.dumps({"text": f"row {i} " + "abc " * 15}) + b"\n" for i in range(n))


def test_truncated_gzip_yields_an_issue_not_an_exception(tmp_path: Path) -> None:
    body = _big_jsonl()
    packed = gzip.compress(body)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    rows, issues = _split(list(read_rows(path)))  # must not raise
    assert issues, "a truncated stream must be reported"
    assert any("truncated" in i.message or "corrupt" in i.message for i in issues)
    assert all(i.rule != "empty-file" for i in issues)
    # What was readable before the cut is kept, in order, with exact positions.
    assert rows
    assert [r.row for r in rows] == list(range(len(rows)))
    assert [r.line for r in rows] == list(range(1, len(rows) + 1))
    assert rows[-1].value["text"].startswith(f"row {len(rows) - 1} ")


def test_gzip_with_bad_header_yields_an_issue(tmp_path: Path) -> None:
    path = tmp_path / "notgzip.jsonl.gz"
    path.write_bytes(b'{"text": "this file was never compressed"}\n')
    rows, issues = _split(list(read_rows(path)))
    assert rows == []
    assert issues
    assert all(i.rule != "empty-file" for i in issues)


@pytest.mark.parametrize("keep", ["half", "all_but_3_bytes", "header_only"])
def test_truncated_zstd_is_reported_as_truncated(tmp_path: Path, keep: str) -> None:
    body = _big_jsonl(20000)
    packed = zstandard.ZstdCompressor().compress(body)
    cut = {"half": len(packed) // 2, "all_but_3_bytes": len(packed) - 3, "header_only": 6}[keep]
    path = tmp_path / "cut.jsonl.zst"
    path.write_bytes(packed[:cut])
    rows, issues = _split(list(read_rows(path)))  # must not raise
    # Like a truncated .gz: the reader must say the stream is truncated/corrupt, not "empty" and not merely
    # "invalid JSON" on the partial last line (a cut at a line boundary would otherwise lose rows silently).
    assert any("truncated" in i.message or "corrupt" in i.message for i in issues), issues
    assert all(i.rule != "empty-file" for i in issues)
    assert [r.row for r in rows] == list(range(len(rows)))


def test_truncated_zstd_at_a_block_boundary_is_not_silent(tmp_path: Path) -> None:
    # Blocks flushed every 100 lines end on line boundaries, so a cut loses whole rows and leaves no partial line.
    buf = io.BytesIO()
    writer = zstandard.ZstdCompressor().stream_writer(buf, closefd=False)
    for k in range(50):
        writer.write(b"".join(orjson.dumps({"text": f"row {k * 100 + i} " + "abc " * 15}) + b"\n" for i in range(100)))
        writer.flush(zstandard.FLUSH_BLOCK)
    writer.flush(zstandard.FLUSH_FRAME)
    packed = buf.getvalue()
    path = tmp_path / "cut.jsonl.zst"
    path.write_bytes(packed[: len(packed) // 2])
    rows, issues = _split(list(read_rows(path)))
    assert 0 < len(rows) < 5000
    assert issues, f"{5000 - len(rows)} rows were lost without any issue"


def test_not_zstd_data_yields_an_issue_not_an_exception(tmp_path: Path) -> None:
    path = tmp_path / "fake.jsonl.zst"
    path.write_bytes(b'{"text": "plain text with a .zst name"}\n')
    rows, issues = _split(list(read_rows(path)))  # a non-zstd file must not raise zstandard.ZstdError
    assert rows == []
    assert issues
    assert all(i.rule != "empty-file" for i in issues)


def test_missing_file_raises_source_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nope.jsonl"
    with pytest.raises(SourceError, match=r"nope\.jsonl"):
        list(read_rows(path))


# -- JSON arrays ------------------------------------------------------------------------------------------


def test_fastchat_array_element_lines() -> None:
    text = FASTCHAT.read_text(encoding="utf-8")
    lines = text.split("\n")
    items = list(read_rows(FASTCHAT))
    rows, issues = _split(items)
    assert issues == []
    assert [r.value for r in rows] == json.loads(text)
    assert rows[0].line == 2
    assert rows[1].line == 23
    assert [r.row for r in rows] == list(range(len(rows)))
    # Every element starts with `{` on its line, and the line holds the element's `id` just after it.
    for r in rows:
        assert lines[r.line - 1].strip() == "{"
        assert lines[r.line].strip() == f'"id": "{r.value["id"]}",'
        assert r.byte_offset is not None
        assert text.encode()[r.byte_offset : r.byte_offset + 1] == b"{"


def test_glaive_array_lines() -> None:
    raw = GLAIVE.read_bytes()
    rows, issues = _split(list(read_rows(GLAIVE)))
    assert issues == []
    assert len(rows) == len(json.loads(raw))
    for r in rows:
        assert r.byte_offset is not None
        assert raw.count(b"\n", 0, r.byte_offset) + 1 == r.line
        value, _ = json.JSONDecoder().raw_decode(raw[r.byte_offset :].decode("utf-8"))
        assert value == r.value


def test_json_array_with_tricky_strings(tmp_path: Path) -> None:
    body = (
        b"[\n"
        b'  {"text": "brackets ] [ and braces } { and, commas", "label": 1},\n'
        b'  {"text": "escaped \\"quote\\", then ], {"}, {"text": "same line"},\n'
        b"\n"
        b'  {"text": "ends with a backslash \\\\", "label": "b"}\n'
        b"  ,\n"
        b'  {"text": "after a leading comma", "tags": ["x,]", {"k": "[v]"}]}\n'
        b"]\n"
    )
    path = tmp_path / "tricky.json"
    path.write_bytes(body)
    rows, issues = _split(list(read_rows(path)))
    assert issues == []
    assert [r.value for r in rows] == json.loads(body)
    assert _positions(rows) == [(0, 2), (1, 3), (2, 3), (3, 5), (4, 7)]
    for r in rows:
        assert r.byte_offset is not None
        assert body[r.byte_offset : r.byte_offset + 9] == b'{"text": '


def test_element_offsets_for_non_object_elements() -> None:
    body = b'[1, "two, ]", [3, [4]], null,\n {"a": [5]}, true]'
    offsets = element_offsets(body)
    assert [body[o : o + 2] for o in offsets] == [b"1,", b'"t', b"[3", b"nu", b'{"', b"tr"]
    assert element_offsets(b"[]") == []
    assert element_offsets(b"[ \n ]") == []


def test_json_array_with_bom(tmp_path: Path) -> None:
    body = BOM + b'[\n  {"text": "a"},\n  {"text": "b"}\n]\n'
    path = tmp_path / "bom.json"
    path.write_bytes(body)
    rows, issues = _split(list(read_rows(path)))
    assert [i.rule for i in issues] == ["byte-order-mark"]
    assert [(r.row, r.line, r.value) for r in rows] == [(0, 2, {"text": "a"}), (1, 3, {"text": "b"})]
    assert all(body[r.byte_offset : r.byte_offset + 1] == b"{" for r in rows if r.byte_offset is not None)


def test_gzipped_json_array(tmp_path: Path) -> None:
    data = FASTCHAT.read_bytes()
    path = tmp_path / "dummy.json.gz"
    path.write_bytes(gzip.compress(data))
    assert list(read_rows(path)) == list(read_rows(FASTCHAT))


def test_single_object_json_file(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_bytes(b'{\n  "instruction": "Say hi",\n  "output": "Hi"\n}\n')
    rows, issues = _split(list(read_rows(path)))
    assert issues == []
    assert [(r.row, r.line, r.value) for r in rows] == [(0, 1, {"instruction": "Say hi", "output": "Hi"})]


def test_invalid_json_array_is_one_issue_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(b'[\n  {"text": "a"},\n  {"text": "b",}\n]\n')
    rows, issues = _split(list(read_rows(path)))
    assert rows == []
    assert [i.rule for i in issues] == ["invalid-json"]
    assert issues[0].line == 3


def test_json_array_with_invalid_utf8(tmp_path: Path) -> None:
    body = b'[\n  {"text": "ok"},\n  {"text": "caf\xe9"}\n]\n'
    path = tmp_path / "latin.json"
    path.write_bytes(body)
    rows, issues = _split(list(read_rows(path)))
    assert [i.rule for i in issues] == ["invalid-utf8"]
    assert issues[0].byte_offset == body.index(b"\xe9")
    assert [(r.line, r.value) for r in rows] == [(2, {"text": "ok"}), (3, {"text": "caf\ufffd"})]


def test_json_file_holding_jsonl_is_read_as_jsonl(tmp_path: Path) -> None:
    body = _jsonl(CHAT_ROWS[:1]) + b"\n" + _jsonl(CHAT_ROWS[1:])
    path = tmp_path / "actually_lines.json"
    path.write_bytes(body)
    rows, issues = _split(list(read_rows(path)))
    assert issues == []
    assert [r.value for r in rows] == CHAT_ROWS
    assert _positions(rows) == [(0, 1), (1, 3), (2, 4)]
    # Same answer as a .jsonl file with the same bytes.
    twin = tmp_path / "actually_lines.jsonl"
    twin.write_bytes(body)
    assert list(read_rows(path)) == list(read_rows(twin))


def test_json_file_holding_jsonl_with_a_bad_line(tmp_path: Path) -> None:
    body = b'{"text": "one"}\n{"text": oops}\n{"text": "three"}\n'
    path = tmp_path / "lines.json"
    path.write_bytes(body)
    rows, issues = _split(list(read_rows(path)))
    assert [r.value["text"] for r in rows] == ["one", "three"]
    assert [(i.rule, i.line) for i in issues] == [("invalid-json", 2)]


def test_json_file_holding_jsonl_with_bom_reports_the_bom_once(tmp_path: Path) -> None:
    path = tmp_path / "bom_lines.json"
    path.write_bytes(BOM + _jsonl(CHAT_ROWS))
    rows, issues = _split(list(read_rows(path)))
    assert [r.value for r in rows] == CHAT_ROWS
    assert [i.rule for i in issues] == ["byte-order-mark"]


def test_read_json_and_read_jsonl_are_the_dispatch_targets(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b'[{"text": "x"}]')
    assert list(read_json(path)) == list(read_rows(path))
    path2 = tmp_path / "a.jsonl"
    path2.write_bytes(b'{"text": "x"}\n')
    assert list(read_jsonl(path2)) == list(read_rows(path2))


# -- Parquet ----------------------------------------------------------------------------------------------


PARQUET_ROWS = [
    {
        "conversations": [{"from": "human", "value": f"Question {i}?"}, {"from": "gpt", "value": f"Answer {i}."}],
        "system": "Be brief." if i % 2 else None,
        "id": f"ex-{i}",
    }
    for i in range(10)
]


def test_parquet_rows_have_no_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "PARQUET_BATCH_ROWS", 3)  # rows keep counting across record batches
    path = tmp_path / "train.parquet"
    pq.write_table(pa.Table.from_pylist(PARQUET_ROWS), path, row_group_size=4)
    rows, issues = _split(list(read_rows(path)))
    assert issues == []
    # a null column is an absent key: in a table every row has every column
    assert [r.value for r in rows] == [{k: v for k, v in row.items() if v is not None} for row in PARQUET_ROWS]
    assert [r.row for r in rows] == list(range(10))
    assert all(r.line is None and r.byte_offset is None for r in rows)
    assert list(read_parquet(path)) == list(read_rows(path))


def test_parquet_nested_values_are_plain_python(tmp_path: Path) -> None:
    path = tmp_path / "nested.parquet"
    pq.write_table(pa.Table.from_pylist(PARQUET_ROWS[:2]), path)
    rows, _ = _split(list(read_rows(path)))
    conv = rows[0].value["conversations"]
    assert type(conv) is list
    assert type(conv[0]) is dict


def test_parquet_folder_of_shards_in_sorted_order(tmp_path: Path) -> None:
    folder = tmp_path / "shards"
    folder.mkdir()
    names = ["train-00002-of-00003.parquet", "train-00000-of-00003.parquet", "train-00001-of-00003.parquet"]
    for name in names:  # written out of order
        shard = int(name.split("-")[1])
        rows = [{"text": f"shard {shard} row {i}"} for i in range(3)]
        pq.write_table(pa.Table.from_pylist(rows), folder / name)
    (folder / "README.md").write_text("# not data\n")
    files = expand_path(folder)
    assert [f.name for f in files] == sorted(names)
    texts = [r.value["text"] for f in files for r in read_rows(f) if isinstance(r, RawRow)]
    assert texts == [f"shard {s} row {i}" for s in range(3) for i in range(3)]


def test_corrupt_parquet_raises_source_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(SourceError, match=r"broken\.parquet"):
        list(read_rows(path))
