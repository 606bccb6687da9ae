"""C004 assistant-before-user: the first non-system turn is not the user's, or there is no user turn."""

import dslint
from dslint.rules.chat.assistant_before_user import AssistantBeforeUser


def test_user_first_passes(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "system", "content": "Marv is a factual chatbot that is also sarcastic."},
                {"role": "user", "content": "What's the capital of France?"},
                {"role": "assistant", "content": "Paris, as if everyone doesn't know that already."},
            ]
        },
        {
            "system": "JSON Mode: Enabled",
            "messages": [
                {"role": "user", "content": "Give me a person with a name and an age."},
                {"role": "assistant", "content": '{"name": "Ada", "age": 36}'},
            ],
        },
        {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}]},
    ]
    assert dslint.scan(write_jsonl(rows), select=["C004"]).count("C004") == 0


def test_no_user_turn_is_reported_at_the_first_turn(write_jsonl):
    # the OpenAI cookbook's toy set has exactly this record
    rows = [
        {
            "messages": [
                {"role": "system", "content": "Marv is a factual chatbot that is also sarcastic."},
                {"role": "user", "content": "Who wrote 'Romeo and Juliet'?"},
                {"role": "assistant", "content": "Oh, just some guy named William Shakespeare."},
            ]
        },
        {
            "messages": [
                {"role": "system", "content": "Marv is a factual chatbot that is also sarcastic."},
                {"role": "assistant", "content": "Eat a banana!"},
            ]
        },
    ]
    path = write_jsonl(rows)
    (finding,) = dslint.scan(path, select=["C004"]).findings()
    assert (finding.code, finding.path, finding.line, finding.row, finding.field) == (
        "C004",
        str(path),
        2,
        1,
        "messages[1].role",
    )
    assert finding.severity == "error"
    assert finding.message == "conversation has no user turn"


def test_assistant_before_a_later_user_turn(write_jsonl):
    rows = [
        {
            "conversations": [
                {"from": "gpt", "value": "Hi! I'm your support assistant. What can I do for you?"},
                {"from": "human", "value": "My order hasn't arrived."},
                {"from": "gpt", "value": "Sorry to hear that. What's the order number?"},
            ]
        }
    ]
    path = write_jsonl(rows)
    (finding,) = dslint.scan(path, select=["C004"]).findings()
    assert (finding.line, finding.row, finding.field) == (1, 0, "conversations[0].from")
    assert "starts with" in finding.message
    assert "assistant" in finding.message
    assert "before any user turn" in finding.message


def test_tool_turn_first(make_record):
    record = make_record(
        {
            "messages": [
                {"role": "system", "content": "You are a weather bot."},
                {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 3}'},
                {"role": "user", "content": "Is it cold?"},
                {"role": "assistant", "content": "Yes, 3 °C."},
            ]
        }
    )
    (finding,) = AssistantBeforeUser().check(record)
    assert finding.location.field == "messages[1].role"
    assert "tool" in finding.message and "before any user turn" in finding.message


def test_system_only_and_unknown_first_role_are_left_to_other_rules(make_record):
    rule = AssistantBeforeUser()
    assert list(rule.check(make_record({"messages": [{"role": "system", "content": "Be nice."}]}))) == []
    unknown = make_record(
        {"messages": [{"role": "narrator", "content": "Once upon a time"}, {"role": "assistant", "content": "..."}]}
    )
    assert list(rule.check(unknown)) == []  # C001 reports the unknown role


def test_instruction_formats_are_skipped(make_record):
    assert list(AssistantBeforeUser().check(make_record({"prompt": "Hi", "completion": " Hello"}))) == []
