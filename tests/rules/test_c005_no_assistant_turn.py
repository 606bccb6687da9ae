"""C005 no-assistant-turn: a conversation in which no turn is the assistant's."""

import dslint
from dslint.rules.chat.no_assistant_turn import NoAssistantTurn


def test_conversations_with_a_reply_pass(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Suggest a name for a grey cat."},
                {"role": "assistant", "content": "How about Earl Grey?"},
            ]
        },
        {
            "conversations": [
                {"from": "human", "value": "Look up flight LH400."},
                {"from": "function_call", "value": '{"name": "flight_status", "arguments": {"flight": "LH400"}}'},
                {"from": "observation", "value": '{"status": "on time"}'},
                {"from": "gpt", "value": "LH400 is on time."},
            ]
        },
    ]
    assert dslint.scan(write_jsonl(rows), select=["C005"]).count("C005") == 0


def test_missing_reply_is_reported_on_the_turn_list(write_jsonl):
    rows = [
        {"messages": [{"role": "user", "content": "Hi"}]},
        {
            "conversations": [
                {"from": "system", "value": "You are a poet."},
                {"from": "human", "value": "Write a haiku about autumn."},
            ]
        },
        {
            "system": "JSON Mode: Enabled",
            "messages": [{"role": "user", "content": "Return an empty object."}],
        },
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["C005"]).findings()
    assert [(f.code, f.path, f.line, f.row, f.field) for f in found] == [
        ("C005", str(path), 1, 0, "messages"),
        ("C005", str(path), 2, 1, "conversations"),
        ("C005", str(path), 3, 2, "messages"),
    ]
    assert all(f.severity == "error" and f.message == "conversation has no assistant turn" for f in found)


def test_function_call_alone_counts_as_an_assistant_turn(make_record):
    record = make_record(
        {
            "conversations": [
                {"from": "human", "value": "Call the API."},
                {"from": "function_call", "value": '{"name": "ping", "arguments": {}}'},
            ]
        }
    )
    assert list(NoAssistantTurn().check(record)) == []


def test_instruction_formats_are_skipped(make_record):
    assert list(NoAssistantTurn().check(make_record({"text": "Just text."}))) == []


def test_messages_not_a_list_is_left_to_wrong_type(make_record):
    assert list(NoAssistantTurn().check(make_record({"messages": "Hello there"}))) == []


def test_empty_conversation_has_no_assistant_turn(write_jsonl):
    # An empty turn list trains on nothing; some rule must say so ("nothing dropped silently").
    path = write_jsonl([{"messages": []}, {"conversations": []}])
    found = dslint.scan(path, select=["C005"]).findings()
    assert [(f.line, f.field) for f in found] == [(1, "messages"), (2, "conversations")]
