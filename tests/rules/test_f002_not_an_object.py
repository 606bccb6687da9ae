"""F002 not-an-object: rows that are valid JSON but not objects."""

import json

import pytest

import dslint
from dslint.rules.input.not_an_object import NotAnObject

RECORD = {"prompt": "Classify the sentiment: 'The battery died in an hour.'", "completion": " negative"}


def test_objects_pass(write_jsonl):
    report = dslint.scan(write_jsonl([RECORD, RECORD]), select=["F002"])
    assert report.count("F002") == 0


def test_non_objects_in_jsonl_are_reported_with_line_and_row(write_jsonl):
    path = write_jsonl(
        [
            json.dumps(RECORD),
            '["The battery died in an hour.", "negative"]',
            '"The screen is gorgeous."',
            "42",
            "null",
            json.dumps(RECORD),
        ]
    )
    report = dslint.scan(path, select=["F002"])
    assert report.count("not-an-object") == 4
    found = report.findings()
    assert [(f.code, f.line, f.row) for f in found] == [("F002", 2, 1), ("F002", 3, 2), ("F002", 4, 3), ("F002", 5, 4)]
    for f in found:
        assert f.path == str(path)
        assert f.severity == "error"
        assert "not an object" in f.message
    assert "null" in found[3].message
    assert found[0].excerpt.startswith("['The battery died")


def test_json_array_of_strings_has_element_lines(write_json):
    path = write_json([RECORD, "The screen is gorgeous.", ["a", "list"]])
    found = dslint.scan(path, select=["F002"]).findings()
    # indent=2: line 1 "[", the object spans lines 2-5, the string is on line 6, the list starts on line 7
    assert [(f.line, f.row) for f in found] == [(6, 1), (7, 2)]


def test_not_an_object_is_not_also_unknown_format(write_jsonl):
    path = write_jsonl(['["hello", "world"]'])
    report = dslint.scan(path, select=["F002", "F006"])
    assert [f.code for f in report.findings()] == ["F002"]


@pytest.mark.parametrize("value", [["hello", "world"], "hello", 3, 2.5, True, None])
def test_check_directly(make_record, value):
    (finding,) = NotAnObject().check(make_record(value))
    assert finding.code == "F002"
    assert "not an object" in finding.message


def test_check_directly_object(make_record):
    assert list(NotAnObject().check(make_record(RECORD))) == []
