"""P004 completion-leading-space: a completion that does not start with exactly one space."""

import pytest

import dslint
from dslint.rules.prompt.completion_leading_space import CompletionLeadingSpace

SEP = "\n\n###\n\n"


def test_one_leading_space_passes(write_jsonl):
    rows = [
        {"prompt": "Capital of Kenya?" + SEP, "completion": " Nairobi END"},
        {"prompt": "Capital of Peru?" + SEP, "completion": ' [{"city": "Lima"}]\n\nEND\n\n'},
        {"prompt": "Empty?" + SEP, "completion": ""},  # empty-content reports it
        {"prompt": "Typed?" + SEP, "completion": 42},  # wrong-type reports it
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]},
    ]
    assert dslint.scan(write_jsonl(rows), select=["P004"]).count("P004") == 0


def test_missing_extra_and_odd_whitespace_are_reported(write_jsonl):
    rows = [
        {"prompt": "Capital of Kenya?" + SEP, "completion": " Nairobi END"},
        {"prompt": "Capital of Chile?" + SEP, "completion": "Santiago END"},
        {"prompt": "Capital of Peru?" + SEP, "completion": "   Lima END"},
        {"prompt": "Capital of Cuba?" + SEP, "completion": "\nHavana END"},
        {"prompt": "Capital of Mali? ", "completion": "Bamako END"},
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["P004"])
    found = report.findings()
    assert [(f.line, f.row, f.field, f.span) for f in found] == [
        (2, 1, "completion", None),
        (3, 2, "completion", [0, 3]),
        (4, 3, "completion", [0, 1]),
        (5, 4, "completion", None),
    ]
    assert [f.message for f in found] == [
        "completion does not start with a space, not exactly one space",
        "completion starts with 3 spaces, not exactly one space",
        'completion starts with "\\n", not exactly one space',
        "completion does not start with a space, not exactly one space "
        "(the prompt ends with the space: move it to the completion)",
    ]
    assert {f.severity for f in found} == {"warning"}
    assert report.passed


@pytest.mark.parametrize(
    ("before", "after"),
    [("Santiago END", " Santiago END"), ("   Lima END", " Lima END"), ("\n\t Havana", " Havana")],
)
def test_fix_gives_exactly_one_space_and_is_idempotent(make_record, before, after):
    rule = CompletionLeadingSpace()
    record = make_record({"prompt": "Capital?" + SEP, "completion": before})
    assert rule.fix(record) == ["completion"]
    assert record.raw["completion"] == record.messages[1].content == after
    assert rule.fix(record) == []
    assert list(rule.check(record)) == []
