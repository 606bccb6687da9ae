"""C006 last-turn-not-assistant: a trailing user or tool turn nobody answers."""

import dslint
from dslint.rules.chat.last_turn_not_assistant import LastTurnNotAssistant

TOOL_CALL = {"id": "call_1", "type": "function", "function": {"name": "get_time", "arguments": '{"tz": "UTC"}'}}


def test_conversations_ending_with_assistant_pass(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "What's a good stretch for lower back pain?"},
                {"role": "assistant", "content": "Try the cat-cow stretch, ten slow reps."},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "What time is it in UTC?"},
                {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
                {"role": "tool", "tool_call_id": "call_1", "content": "14:05"},
                {"role": "assistant", "content": "It is 14:05 UTC."},
            ]
        },
        {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}]},
    ]
    assert dslint.scan(write_jsonl(rows), select=["C006"]).count("C006") == 0


def test_trailing_user_and_tool_turns_are_reported(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Recommend a board game for four."},
                {"role": "assistant", "content": "Ticket to Ride."},
                {"role": "user", "content": "Something shorter?"},
            ]
        },
        {
            "conversations": [
                {"from": "human", "value": "Stock price of ACME?"},
                {"from": "function_call", "value": '{"name": "quote", "arguments": {"symbol": "ACME"}}'},
                {"from": "observation", "value": '{"price": 12.5}'},
            ]
        },
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["C006"])
    found = report.findings()
    assert [(f.code, f.path, f.line, f.row, f.field) for f in found] == [
        ("C006", str(path), 1, 0, "messages[2].role"),
        ("C006", str(path), 2, 1, "conversations[2].from"),
    ]
    assert found[0].severity == "warning"
    assert "ends with a user turn" in found[0].message
    assert "ends with a tool turn" in found[1].message


def test_no_assistant_at_all_is_left_to_c005(make_record):
    record = make_record({"messages": [{"role": "user", "content": "Hello?"}]})
    assert list(LastTurnNotAssistant().check(record)) == []


def test_severity_can_be_raised(write_jsonl):
    path = write_jsonl(
        [
            {
                "messages": [
                    {"role": "user", "content": "a"},
                    {"role": "assistant", "content": "b"},
                    {"role": "user", "content": "c"},
                ]
            }
        ]
    )
    report = dslint.scan(path, select=["C006"], severity={"C006": "error"})
    assert report.findings()[0].severity == "error"
    assert not report.passed
