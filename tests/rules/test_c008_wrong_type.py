"""C008 wrong-type: a field of the wrong JSON type, or a required field that is missing."""

import pytest

import dslint
from dslint.rules.chat.wrong_type import WrongType


def test_right_types_pass(write_jsonl):
    rows = [
        {
            "system": "You describe images.",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is in this picture?"},
                        {"type": "image_url", "image_url": {"url": "https://example.com/dog.jpg"}},
                    ],
                },
                {"role": "assistant", "content": "A dog catching a frisbee.", "weight": 1},
                {"role": "user", "content": "What colour is it?"},
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
                },
                {"role": "tool", "tool_call_id": "c1", "content": "brown"},
                {"role": "assistant", "content": "Brown."},
            ],
        },
        {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}], "system": "Be nice."},
        {
            "instruction": "Continue the chat.",
            "input": "",
            "output": "Sure!",
            "history": [["Hi", "Hello"], ["How are you?", "Fine, thanks."]],
        },
        {"prompt": "2+2=", "completion": " 4"},
        {"text": "Great phone.", "label": 1},
    ]
    assert dslint.scan(write_jsonl(rows), select=["C008"]).count("C008") == 0


def test_wrong_types_are_reported_with_expected_and_actual(write_jsonl):
    rows = [
        {"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": "The answer is 42."}]},
        {"messages": "Hello, can you help me?"},
        {"messages": ["Hello", {"role": "assistant", "content": "Hi!"}]},
        {"conversations": [{"from": "human", "value": ["What", "is", "up?"]}, {"from": "gpt", "value": "Not much."}]},
        {"instruction": "Count to three.", "input": "", "output": ["one", "two", "three"]},
        {"prompt": "Is water wet?", "completion": True},
        {"messages": [{"role": "user"}, {"role": "assistant", "content": "You said nothing."}]},
        {"instruction": "Reply.", "output": "OK", "history": [["Hi", "Hello"], "How are you?"]},
        {
            "system": {"persona": "pirate"},
            "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Arr"}],
        },
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["C008"])
    found = report.findings()
    assert [(f.code, f.path, f.line, f.row, f.field) for f in found] == [
        ("C008", str(path), 1, 0, "messages[0].content"),
        ("C008", str(path), 2, 1, "messages"),
        ("C008", str(path), 3, 2, "messages[0]"),
        ("C008", str(path), 4, 3, "conversations[0].value"),
        ("C008", str(path), 5, 4, "output"),
        ("C008", str(path), 6, 5, "completion"),
        ("C008", str(path), 7, 6, "messages[0].content"),
        ("C008", str(path), 8, 7, "history[1]"),
        ("C008", str(path), 9, 8, "system"),
    ]
    assert all(f.severity == "error" for f in found)
    msgs = [f.message for f in found]
    assert "expected a string" in msgs[0] and "42" not in msgs[0]
    assert msgs[1] == "messages is a string, expected an array"
    assert msgs[2] == "messages[0] is a string, expected an object"
    assert msgs[3] == "conversations[0].value is an array, expected a string"
    assert msgs[4] == "output is an array, expected a string"
    assert msgs[5] == "completion is a boolean, expected a string"
    assert msgs[6] == "messages[0].content is missing (expected a string)"
    assert msgs[7] == "history[1] is a string, expected a [prompt, response] pair"
    assert msgs[8] == "system is an object, expected a string"


def test_content_part_that_is_not_an_object(make_record):
    record = make_record(
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "Describe this"}, "cat.png"]},
                {"role": "assistant", "content": "A cat."},
            ]
        }
    )
    (finding,) = WrongType().check(record)
    assert finding.location.field == "messages[0].content[1]"
    assert finding.message == "messages[0].content[1] is a string, expected a content part object"


def test_null_values(make_record):
    record = make_record({"conversations": [{"from": "human", "value": None}, {"from": None, "value": "Hello"}]})
    assert [(f.location.field, f.message) for f in WrongType().check(record)] == [
        ("conversations[0].value", "conversations[0].value is null, expected a string"),
        ("conversations[1].from", "conversations[1].from is null, expected a string"),
    ]


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"messages": [{"content": "Hi"}, {"role": "assistant", "content": "Hello"}]}, "messages[0].role"),
        ({"conversations": [{"from": "human"}, {"from": "gpt", "value": "Hello"}]}, "conversations[0].value"),
        ({"conversations": [{"value": "Hi"}, {"from": "gpt", "value": "Hello"}]}, "conversations[0].from"),
    ],
)
def test_missing_required_key_says_missing(make_record, value, field):
    # The docstring: "... or a required field that is missing, with the expected and the actual type".
    (finding,) = WrongType().check(make_record(value))
    assert finding.location.field == field
    assert finding.message == f"{field} is missing (expected a string)"
