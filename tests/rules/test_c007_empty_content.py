"""C007 empty-content: a turn or text field that is empty, whitespace only, or null."""

import pytest

import dslint
from dslint.rules.chat.empty_content import EmptyContent

TOOL_CALL = {"id": "call_3", "type": "function", "function": {"name": "lookup_order", "arguments": '{"id": 981}'}}


def test_filled_content_and_tool_calls_pass(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Where is order 981?"},
                {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
                {"role": "tool", "tool_call_id": "call_3", "content": '{"status": "shipped"}'},
                {"role": "assistant", "content": "", "tool_calls": [TOOL_CALL]},
                {"role": "tool", "tool_call_id": "call_3", "content": '{"eta": "Friday"}'},
                {"role": "assistant", "content": "Order 981 has shipped and arrives Friday."},
            ]
        },
        {
            "conversations": [
                {"from": "human", "value": "Where is order 981?"},
                {"from": "function_call", "value": ""},
                {"from": "observation", "value": '{"status": "shipped"}'},
                {"from": "gpt", "value": "It has shipped."},
            ]
        },
        # Alpaca's optional input may be empty or absent
        {"instruction": "Name the largest planet.", "input": "", "output": "Jupiter."},
        {"instruction": "Name the smallest planet.", "output": "Mercury."},
        {"prompt": "Capital of Kenya?\n\n###\n\n", "completion": " Nairobi END"},
        {"text": "Nairobi is the capital of Kenya.", "label": "geography"},
    ]
    assert dslint.scan(write_jsonl(rows), select=["C007"]).count("C007") == 0


def test_empty_fields_are_reported_in_every_format(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "system", "content": "You are a barista."},
                {"role": "user", "content": "One flat white, please."},
                {"role": "assistant", "content": "  "},
            ]
        },
        {
            "conversations": [
                {"from": "human", "value": ""},
                {"from": "gpt", "value": "Could you repeat the question?"},
            ]
        },
        {"instruction": "Summarise the article.", "input": "A long article.", "output": "\n\t"},
        {"prompt": "Summarise: The meeting moved to 3pm.\n\n###\n\n", "completion": ""},
        {"text": "", "label": "spam"},
        {"text": "   "},
        {"messages": [{"role": "user", "content": "Ping?"}, {"role": "assistant", "content": None}]},
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["C007"])
    found = report.findings()
    assert [(f.code, f.path, f.line, f.row, f.field) for f in found] == [
        ("C007", str(path), 1, 0, "messages[2].content"),
        ("C007", str(path), 2, 1, "conversations[0].value"),
        ("C007", str(path), 3, 2, "output"),
        ("C007", str(path), 4, 3, "completion"),
        ("C007", str(path), 5, 4, "text"),
        ("C007", str(path), 6, 5, "text"),
        ("C007", str(path), 7, 6, "messages[1].content"),
    ]
    assert all(f.severity == "error" for f in found)
    messages = [f.message for f in found]
    assert messages == [
        "assistant content is whitespace only",
        "human content is empty",
        "output content is whitespace only",
        "completion content is empty",
        "text content is empty",
        "text content is whitespace only",
        "assistant content is null",
    ]


def test_every_empty_turn_is_reported(make_record):
    record = make_record(
        {
            "messages": [
                {"role": "system", "content": ""},
                {"role": "user", "content": " "},
                {"role": "assistant", "content": "Hello."},
                {"role": "user", "content": None},
            ]
        }
    )
    assert [f.location.field for f in EmptyContent().check(record)] == [
        "messages[0].content",
        "messages[1].content",
        "messages[3].content",
    ]


def test_tool_result_must_not_be_empty(make_record):
    record = make_record(
        {
            "messages": [
                {"role": "user", "content": "Time?"},
                {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
                {"role": "tool", "tool_call_id": "call_3", "content": ""},
                {"role": "assistant", "content": "I could not find it."},
            ]
        }
    )
    (finding,) = EmptyContent().check(record)
    assert finding.location.field == "messages[2].content"
    assert finding.message == "tool content is empty"


def test_wrong_type_is_left_to_c008(make_record):
    record = make_record({"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": "42"}]})
    assert list(EmptyContent().check(record)) == []


@pytest.mark.parametrize(
    ("parts", "empty"),
    [
        ([{"type": "text", "text": "What is in this picture?"}], False),
        ([{"type": "text", "text": "   "}], True),
        ([], True),
    ],
)
def test_content_parts_text(make_record, parts, empty):
    record = make_record({"messages": [{"role": "user", "content": parts}, {"role": "assistant", "content": "A cat."}]})
    assert [f.location.field for f in EmptyContent().check(record)] == (["messages[0].content"] if empty else [])


def test_image_only_user_turn_is_not_empty(make_record):
    # OpenAI vision fine-tuning: a user turn may be just an image; it is not an empty turn.
    record = make_record(
        {
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}],
                },
                {"role": "assistant", "content": "A grey cat asleep on a windowsill."},
            ]
        }
    )
    assert list(EmptyContent().check(record)) == []
