"""F004 byte-order-mark: a leading UTF-8 BOM is reported, and the first record is still read."""

import json

import dslint

BOM = b"\xef\xbb\xbf"
NO_USER = {
    "messages": [
        {"role": "system", "content": "You are a friendly cooking assistant."},
        {"role": "assistant", "content": "Preheat the oven to 200°C."},
    ]
}
GOOD = {
    "messages": [
        {"role": "user", "content": "How long should I boil an egg for a runny yolk?"},
        {"role": "assistant", "content": "About six minutes from boiling water."},
    ]
}


def _jsonl(*rows):
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)


def test_no_bom_passes(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(_jsonl(GOOD, GOOD))
    assert dslint.scan(path, select=["F004"]).count("F004") == 0


def test_bom_in_jsonl_is_reported_and_first_record_still_read(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(BOM + _jsonl(NO_USER, GOOD))
    report = dslint.scan(path, select=["F004", "F001", "C004"])
    by_code = {f.code: f for f in report.findings()}
    assert set(by_code) == {"F004", "C004"}  # the BOM does not make line 1 invalid JSON
    f004 = by_code["F004"]
    assert (f004.path, f004.line, f004.row, f004.field) == (str(path), 1, 0, None)
    assert f004.severity == "warning"
    assert "byte order mark" in f004.message
    # the first record's own problem is found at line 1
    assert (by_code["C004"].line, by_code["C004"].row) == (1, 0)
    assert report.summary.splits[0].records == 2
    assert report.passed is False  # because of C004; F004 alone is a warning


def test_bom_alone_is_a_warning_and_passes_by_default(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(BOM + _jsonl(GOOD))
    report = dslint.scan(path, select=["F004"])
    assert report.count("F004") == 1
    assert report.passed


def test_bom_in_json_array_file(tmp_path):
    path = tmp_path / "train.json"
    path.write_bytes(BOM + json.dumps([NO_USER, GOOD], indent=2).encode())
    report = dslint.scan(path, select=["F004", "F001", "C004"])
    assert sorted((f.code, f.line, f.row) for f in report.findings()) == [("C004", 2, 0), ("F004", 1, 0)]
    assert report.summary.splits[0].records == 2


def test_bom_on_a_later_line_is_not_f004(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_bytes(_jsonl(GOOD) + BOM + _jsonl(GOOD))
    report = dslint.scan(path, select=["F004"])
    assert report.count("F004") == 0
