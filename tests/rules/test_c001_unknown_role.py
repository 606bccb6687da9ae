"""C001 unknown-role: roles that map to none of system/user/assistant/tool."""

import pytest

import dslint
from dslint.rules.chat.unknown_role import UnknownRole

CHAT = {
    "messages": [
        {"role": "system", "content": "You are a helpful travel agent."},
        {"role": "user", "content": "Find me a weekend trip from Berlin under 200 euros."},
        {"role": "assistant", "content": "A train to Prague is about 40 euros each way."},
    ]
}


def test_canonical_and_format_roles_pass(write_jsonl):
    rows = [
        CHAT,
        {
            "messages": [
                {"role": "developer", "content": "Answer in one sentence."},
                {"role": "user", "content": "What's the weather in Rome?"},
                {"role": "assistant", "content": None, "function_call": {"name": "weather", "arguments": "{}"}},
                {"role": "function", "name": "weather", "content": '{"temp": 21}'},
                {"role": "assistant", "content": "It is 21 °C in Rome."},
            ]
        },
        {
            "conversations": [
                {"from": "system", "value": "You are a calculator."},
                {"from": "human", "value": "What is 2 + 2?"},
                {"from": "function_call", "value": '{"name": "add", "arguments": {"a": 2, "b": 2}}'},
                {"from": "observation", "value": "4"},
                {"from": "gpt", "value": "2 + 2 = 4."},
                {"from": "user", "value": "Thanks!"},
                {"from": "chatgpt", "value": "You're welcome."},
            ]
        },
    ]
    report = dslint.scan(write_jsonl(rows), select=["C001"])
    assert report.count("C001") == 0


def test_unknown_roles_are_reported_at_their_role_field(write_jsonl):
    rows = [
        CHAT,
        {
            "messages": [
                {"role": "user", "content": "Book a table for two."},
                {"role": "Assistant", "content": "Done, 8 pm at Luigi's."},
            ]
        },
        {
            "conversations": [
                {"from": "human", "value": "Tell me a joke."},
                {"from": "gpt", "value": "Why did the chicken cross the road?"},
                {"from": "human", "value": "Why?"},
                {"from": "chatbot", "value": "To get to the other side."},
            ]
        },
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["C001"])
    found = report.findings()
    assert [(f.code, f.path, f.line, f.row, f.field) for f in found] == [
        ("C001", str(path), 2, 1, "messages[1].role"),
        ("C001", str(path), 3, 2, "conversations[3].from"),
    ]
    assert all(f.severity == "error" for f in found)
    assert "unknown role 'Assistant'" in found[0].message
    assert "unknown role 'chatbot'" in found[1].message
    assert "role-map" in found[0].message


def test_role_map_setting_makes_a_role_known(write_jsonl):
    rows = [
        {
            "conversations": [
                {"from": "human", "value": "Recommend a sci-fi novel."},
                {"from": "bot", "value": "Try 'The Left Hand of Darkness'."},
            ]
        },
        {
            "messages": [
                {"role": "customer", "content": "Where is my parcel?"},
                {"role": "bot", "content": "It left the depot this morning."},
            ]
        },
    ]
    path = write_jsonl(rows)
    assert [f.field for f in dslint.scan(path, select=["C001"]).findings()] == [
        "conversations[1].from",
        "messages[0].role",
        "messages[1].role",
    ]
    report = dslint.scan(path, select=["C001"], role_map={"bot": "assistant", "customer": "user"})
    assert report.count("C001") == 0


def test_role_map_to_a_non_canonical_role_is_still_unknown(make_record):
    record = make_record(
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "bot", "content": "Hello"}]},
        role_map={"bot": "robot"},
    )
    (finding,) = UnknownRole().check(record)
    assert finding.location.field == "messages[1].role"
    assert "'bot'" in finding.message


@pytest.mark.parametrize(
    "row",
    [
        {"instruction": "Say hi.", "input": "", "output": "Hi!"},
        {"prompt": "Say hi.", "completion": " Hi!"},
        {"text": "Plain pre-training text."},
    ],
)
def test_non_conversation_formats_are_skipped(make_record, row):
    assert list(UnknownRole().check(make_record(row))) == []
