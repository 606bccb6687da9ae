"""F003 invalid-utf8: the first bad byte is reported, and the row is still scanned."""

import json

import dslint


def _line(obj):
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def test_valid_utf8_passes(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(
        _line({"prompt": "Translate to French: coffee", "completion": " café"})
        + b"\n"
        + _line({"prompt": "Translate to Japanese: thank you", "completion": " ありがとう"})
        + b"\n"
    )
    report = dslint.scan(path, select=["F003"])
    assert report.count("F003") == 0
    assert report.summary.splits[0].records == 2


def test_latin1_byte_is_reported_with_line_and_offset_and_row_still_scanned(tmp_path):
    good = _line({"prompt": "Translate to French: tea", "completion": " thé"})
    # a Latin-1 "café" (0xe9) in the prompt, and an empty completion the other rules must still see
    bad = b'{"prompt": "Translate to French: caf\xe9", "completion": ""}'
    path = tmp_path / "train.jsonl"
    path.write_bytes(good + b"\n" + bad + b"\n" + good + b"\n")
    report = dslint.scan(path, select=["F003", "C007"])
    (f003,) = [f for f in report.findings() if f.code == "F003"]
    assert (f003.line, f003.row, f003.field) == (2, 1, None)
    assert f003.severity == "error"
    at = bad.index(b"\xe9")
    assert f"0xe9 at column {at + 1}" in f003.message
    assert f003.message.endswith(f"(byte {len(good) + 1 + at})")
    # the row was read, with U+FFFD, and its empty completion is reported too
    (c007,) = [f for f in report.findings() if f.code == "C007"]
    assert (c007.line, c007.row, c007.field) == (2, 1, "completion")
    assert report.summary.splits[0].records == 3


def test_only_first_bad_sequence_per_line_is_reported(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"text": "na\xefve r\xe9sum\xe9 of a caf\xe9 owner"}\n')
    report = dslint.scan(path, select=["F003"])
    assert report.count("F003") == 1
    assert "0xef" in report.findings()[0].message


def test_bad_utf8_and_bad_json_on_one_line_are_both_reported(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"text": "caf\xe9 au lait"\n')
    report = dslint.scan(path, select=["F001", "F003"])
    assert sorted((f.code, f.line) for f in report.findings()) == [("F001", 1), ("F003", 1)]


def test_json_array_file_reports_line_of_bad_byte(tmp_path):
    path = tmp_path / "train.json"
    path.write_bytes(
        b"[\n"
        b'  {"prompt": "Translate to French: tea", "completion": " th\xc3\xa9"},\n'
        b'  {"prompt": "Translate to French: caf\xe9", "completion": ""}\n'
        b"]\n"
    )
    report = dslint.scan(path, select=["F003", "C007"])
    (c007,) = [f for f in report.findings() if f.code == "C007"]
    assert (c007.line, c007.row) == (3, 1)  # the record was still scanned
    (f003,) = [f for f in report.findings() if f.code == "F003"]
    assert "0xe9" in f003.message
    # The docstring promises "the line and byte offset of the first invalid UTF-8 sequence".
    assert f003.line == 3
