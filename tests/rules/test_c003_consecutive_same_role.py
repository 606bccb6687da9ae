"""C003 consecutive-same-role: two user turns, or two assistant replies, in a row."""

import dslint
from dslint.rules.chat.consecutive_same_role import ConsecutiveSameRole

TOOL_CALL = {
    "id": "call_7",
    "type": "function",
    "function": {"name": "get_exchange_rate", "arguments": '{"from": "EUR", "to": "JPY"}'},
}


def test_alternating_and_tool_flows_pass(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "system", "content": "You are a currency assistant."},
                {"role": "user", "content": "How many yen is 100 euros?"},
                {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
                {"role": "tool", "tool_call_id": "call_7", "content": '{"rate": 162.4}'},
                {"role": "assistant", "content": "100 euros is about 16,240 yen."},
            ]
        },
        {
            # a reply followed by its own tool call, then two tool results in a row
            "messages": [
                {"role": "user", "content": "Rates for JPY and USD?"},
                {"role": "assistant", "content": "Let me look both up."},
                {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL, TOOL_CALL]},
                {"role": "tool", "tool_call_id": "call_7", "content": '{"rate": 162.4}'},
                {"role": "tool", "tool_call_id": "call_8", "content": '{"rate": 1.08}'},
                {"role": "assistant", "content": "1 EUR = 162.4 JPY = 1.08 USD."},
            ]
        },
        {
            # ShareGPT: a reply, then the function_call, its observation, and the answer
            "conversations": [
                {"from": "human", "value": "Convert 100 EUR to JPY."},
                {"from": "gpt", "value": "Sure, one moment."},
                {"from": "function_call", "value": '{"name": "convert", "arguments": {"amount": 100}}'},
                {"from": "observation", "value": '{"result": 16240}'},
                {"from": "gpt", "value": "That is 16,240 JPY."},
            ]
        },
    ]
    assert dslint.scan(write_jsonl(rows), select=["C003"]).count("C003") == 0


def test_repeated_roles_are_reported(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "I need a packing list for Iceland."},
                {"role": "user", "content": "It's for a week in March."},
                {"role": "assistant", "content": "Pack thermals, a shell jacket and crampons."},
            ]
        },
        {
            "conversations": [
                {"from": "human", "value": "Best time to see the northern lights?"},
                {"from": "gpt", "value": "September to March."},
                {"from": "gpt", "value": "Clear, dark nights away from towns are best."},
            ]
        },
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["C003"])
    found = report.findings()
    assert [(f.code, f.path, f.line, f.row, f.field) for f in found] == [
        ("C003", str(path), 1, 0, "messages[1].role"),
        ("C003", str(path), 2, 1, "conversations[2].from"),
    ]
    assert found[0].severity == "warning"
    assert "two user turns in a row" in found[0].message
    assert "two assistant turns in a row" in found[1].message
    assert report.passed  # warnings only


def test_sharegpt_function_call_after_observation_after_call(make_record):
    # human, function_call, observation, function_call, observation, gpt: a chain of tool calls is normal
    record = make_record(
        {
            "conversations": [
                {"from": "human", "value": "Weather in Oslo and Bergen?"},
                {"from": "function_call", "value": '{"name": "weather", "arguments": {"city": "Oslo"}}'},
                {"from": "observation", "value": '{"temp": 3}'},
                {"from": "function_call", "value": '{"name": "weather", "arguments": {"city": "Bergen"}}'},
                {"from": "observation", "value": '{"temp": 6}'},
                {"from": "gpt", "value": "Oslo 3 °C, Bergen 6 °C."},
            ]
        }
    )
    assert list(ConsecutiveSameRole().check(record)) == []


def test_human_mapped_user_twice_in_sharegpt(make_record):
    record = make_record(
        {
            "conversations": [
                {"from": "human", "value": "Hello"},
                {"from": "user", "value": "Are you there?"},
                {"from": "gpt", "value": "Yes."},
            ]
        }
    )
    (finding,) = ConsecutiveSameRole().check(record)
    assert finding.location.field == "conversations[1].from"


def test_alpaca_is_not_a_conversation(make_record):
    record = make_record({"instruction": "Name a colour.", "input": "", "output": "Teal."})
    assert list(ConsecutiveSameRole().check(record)) == []
