"""F005 empty-file: zero bytes, blank lines only, an empty array, a Parquet file with no rows."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dslint

RECORD = {"text": "The mitochondria is the powerhouse of the cell.", "label": "biology"}


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("valid.jsonl", b"", "no records"),
        ("valid.jsonl", b"\n\n   \n\t\n", "no records"),
        ("valid.json", b"[]", "empty array"),
        ("valid.json", b"  \n", "no records"),
        ("valid.jsonl.gz", None, "no records"),
    ],
)
def test_empty_files_are_reported(tmp_path, name, content, words):
    import gzip

    path = tmp_path / name
    path.write_bytes(gzip.compress(b"") if content is None else content)
    report = dslint.scan(path, select=["F005"])
    (finding,) = report.findings()
    assert finding.code == "F005"
    assert finding.path == str(path)
    assert finding.line is None and finding.row is None and finding.field is None
    assert finding.severity == "error"
    assert words in finding.message
    assert finding.split == "validation"  # from the file name
    assert not report.passed


def test_parquet_with_no_rows(tmp_path):
    path = tmp_path / "train.parquet"
    pq.write_table(pa.table({"text": pa.array([], pa.string()), "label": pa.array([], pa.string())}), path)
    (finding,) = dslint.scan(path, select=["F005"]).findings()
    assert finding.code == "F005"
    assert "no records" in finding.message


def test_files_with_records_pass(tmp_path, write_jsonl, write_json):
    jsonl = write_jsonl([RECORD])
    array = write_json([RECORD], name="test.json")
    parquet = tmp_path / "valid.parquet"
    pq.write_table(pa.Table.from_pylist([RECORD]), parquet)
    report = dslint.scan([jsonl, array, parquet], select=["F005"])
    assert report.count("F005") == 0
    assert sum(s.records for s in report.summary.splits) == 3


def test_only_the_empty_file_of_several_is_reported(tmp_path, write_jsonl):
    full = write_jsonl([RECORD, RECORD], name="train.jsonl")
    empty = tmp_path / "test.jsonl"
    empty.write_text("", encoding="utf-8")
    report = dslint.scan([full, empty], select=["F005"])
    assert [f.path for f in report.findings()] == [str(empty)]


def test_file_of_only_bad_lines_is_not_empty(write_jsonl):
    path = write_jsonl(['{"text": "unterminated'])
    report = dslint.scan(path, select=["F005", "F001"])
    assert [f.code for f in report.findings()] == ["F001"]


def test_single_object_json_is_not_empty(tmp_path):
    path = tmp_path / "train.json"
    path.write_text(json.dumps(RECORD), encoding="utf-8")
    assert dslint.scan(path, select=["F005"]).count("F005") == 0
