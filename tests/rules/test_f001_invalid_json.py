"""F001 invalid-json: every bad line is reported with its line, and the scan goes on."""

import gzip
import json

import dslint

GOOD = [
    {
        "messages": [
            {"role": "system", "content": "You are a concise geography tutor."},
            {"role": "user", "content": "What is the capital of Australia?"},
            {"role": "assistant", "content": "Canberra, not Sydney."},
        ]
    },
    {
        "messages": [
            {"role": "user", "content": "Which river flows through Budapest?"},
            {"role": "assistant", "content": "The Danube."},
        ]
    },
    {
        "messages": [
            {"role": "user", "content": "How many time zones does Russia span?"},
            {"role": "assistant", "content": "Eleven."},
        ]
    },
]
TRUNCATED = '{"messages": [{"role": "user", "content": "Name the longest river in Africa."}'
BAD_SYNTAX = '{"messages": [{"role": "user", "content": "Is Lagos the capital of Nigeria?"},]}'


def test_valid_jsonl_passes(write_jsonl):
    report = dslint.scan(write_jsonl(GOOD), select=["F001"])
    assert report.count("F001") == 0
    assert report.passed
    assert report.summary.splits[0].records == 3


def test_reports_every_bad_line_and_goes_on(write_jsonl):
    # line 1 good, 2 truncated, 3 blank, 4 good, 5 trailing comma, 6 good
    path = write_jsonl([json.dumps(GOOD[0]), TRUNCATED, "", json.dumps(GOOD[1]), BAD_SYNTAX, json.dumps(GOOD[2])])
    report = dslint.scan(path, select=["F001"])
    assert report.count("F001") == 2
    assert report.count("invalid-json") == 2
    found = sorted(report.findings(), key=lambda f: f.line)
    assert [(f.code, f.line) for f in found] == [("F001", 2), ("F001", 5)]
    for f in found:
        assert f.path == str(path)
        assert f.severity == "error"
        assert f.field is None
        assert "invalid JSON" in f.message
        assert "byte" in f.message
    # rows count non-blank lines, bad ones included: line 2 is row 1, line 5 is row 3
    assert [f.row for f in found] == [1, 3]
    assert found[0].excerpt.startswith('{"messages": [{"role": "user"')
    # the good rows around the bad ones were all read
    assert report.summary.splits[0].records == 3
    assert not report.passed


def test_rules_still_run_on_rows_after_a_bad_line(write_jsonl):
    no_user = {"messages": [{"role": "assistant", "content": "Canberra."}]}
    path = write_jsonl([TRUNCATED, json.dumps(GOOD[0]), json.dumps(no_user)])
    report = dslint.scan(path, select=["F001", "C004"])
    assert [(f.code, f.line, f.row) for f in report.findings()] == [("C004", 3, 2), ("F001", 1, 0)]


def test_byte_offset_of_bad_line(write_jsonl):
    first = json.dumps(GOOD[0])
    path = write_jsonl([first, TRUNCATED])
    (finding,) = dslint.scan(path, select=["F001"]).findings()
    assert finding.message.endswith(f"(byte {len(first) + 1})")


def test_json_file_that_does_not_parse_is_one_finding_with_its_line(tmp_path):
    path = tmp_path / "train.json"
    path.write_text(
        "[\n"
        '  {"prompt": "Translate to German: good morning", "completion": " Guten Morgen"},\n'
        '  {"prompt": "Translate to German: thank you" "completion": " Danke"}\n'
        "]\n",
        encoding="utf-8",
    )
    report = dslint.scan(path, select=["F001"])
    (finding,) = report.findings()
    assert finding.code == "F001"
    assert finding.line == 3
    assert finding.row is None
    assert "whole file is unreadable" in finding.message
    assert report.summary.splits == []


def test_json_file_holding_jsonl_is_read_line_by_line(tmp_path):
    path = tmp_path / "train.json"
    path.write_text(json.dumps(GOOD[0]) + "\n" + json.dumps(GOOD[1]) + "\n" + TRUNCATED + "\n", encoding="utf-8")
    report = dslint.scan(path, select=["F001"])
    assert [(f.code, f.line, f.row) for f in report.findings()] == [("F001", 3, 2)]
    assert report.summary.splits[0].records == 2


def test_truncated_gzip_stream_is_reported_and_rows_before_kept(tmp_path):
    rows = [
        {
            "prompt": f"Summarise support ticket #{i}: customer {i * 7919 % 1000} cannot log in after reset.",
            "completion": f" Ticket {i}: login failure after password reset; escalate to identity team ({i % 13}).",
        }
        for i in range(3000)
    ]
    data = gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode())
    path = tmp_path / "train.jsonl.gz"
    path.write_bytes(data[: len(data) * 6 // 10])
    report = dslint.scan(path, select=["F001"])
    (finding,) = report.findings()
    assert finding.code == "F001"
    assert "corrupt or truncated" in finding.message
    kept = report.summary.splits[0].records
    assert 0 < kept < len(rows)
    assert finding.row == kept  # the row where the stream broke off


def test_intact_gzip_passes(tmp_path):
    path = tmp_path / "train.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in GOOD).encode()))
    report = dslint.scan(path, select=["F001"])
    assert report.count("F001") == 0
    assert report.summary.splits[0].records == 3
