"""F006 unknown-format: objects whose keys match no known dataset format."""

import pytest

import dslint
from dslint.rules.format.unknown_format import UnknownFormat

KNOWN = [
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"}]},
    {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}]},
    {"instruction": "Give three tips for staying healthy.", "input": "", "output": "Eat well, sleep, move."},
    {"prompt": "Q: What is 7 x 8?\nA:", "completion": " 56"},
    {"text": "I loved every minute of this film.", "label": "positive"},
    {"text": "The 2019 season opened with a narrow home win."},
]


def test_known_formats_pass(write_jsonl):
    report = dslint.scan(write_jsonl(KNOWN), select=["F006"])
    assert report.count("F006") == 0
    assert report.summary.splits[0].formats == {
        "openai-chat": 1,
        "sharegpt": 1,
        "alpaca": 1,
        "prompt-completion": 1,
        "classification": 1,
        "text": 1,
    }


def test_unknown_keys_are_reported_with_line_row_and_keys(write_jsonl):
    rows = [
        KNOWN[3],
        {"question": "What is the boiling point of water at sea level?", "response": "100 °C."},
        {"message": [{"role": "user", "content": "Typo in the key."}]},
        {"promt": "Q: What is 7 x 8?\nA:", "completion": " 56"},
        {},
        KNOWN[0],
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["F006"])
    found = report.findings()
    assert [(f.code, f.line, f.row, f.field) for f in found] == [
        ("F006", 2, 1, None),
        ("F006", 3, 2, None),
        ("F006", 4, 3, None),
        ("F006", 5, 4, None),
    ]
    assert all(f.severity == "error" and "matches no known format" in f.message for f in found)
    assert "(keys: question, response)" in found[0].message
    assert "(keys: message)" in found[1].message
    assert "(keys: completion, promt)" in found[2].message
    assert "(keys: none)" in found[3].message
    assert report.summary.splits[0].formats["unknown"] == 4


@pytest.mark.parametrize(
    "row",
    [
        {"instruction": "Summarise the text.", "response": "A summary."},  # alpaca without output
        {"prompt": "Q: 2+2?", "answer": " 4"},  # prompt without completion
    ],
)
def test_half_a_format_is_unknown(make_record, row):
    (finding,) = UnknownFormat().check(make_record(row))
    assert finding.code == "F006"


def test_non_objects_are_left_to_f002(make_record):
    assert list(UnknownFormat().check(make_record(["a", "b"]))) == []
