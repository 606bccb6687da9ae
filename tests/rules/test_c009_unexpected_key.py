"""C009 unexpected-key: keys the record's format does not define (information only)."""

import dslint
from dslint.rules.chat.unexpected_key import UnexpectedKey


def test_format_keys_and_common_keys_pass(write_jsonl):
    rows = [
        {
            "id": "conv-0001",
            "split": "train",
            "metadata": {"lang": "en"},
            "source": "support-tickets",
            "system": "You are a support agent.",
            "tools": [],
            "messages": [
                {"role": "user", "content": "Reset my password.", "name": "dana"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "reset", "arguments": "{}"}}],
                    "weight": 0,
                },
                {"role": "tool", "tool_call_id": "c1", "content": "ok"},
                {"role": "assistant", "content": "Done, check your inbox.", "weight": 1, "refusal": None},
            ],
        },
        {
            "id": "identity_0",
            "conversations": [{"from": "human", "value": "Who are you?"}, {"from": "gpt", "value": "Vicuna."}],
            "tools": "",
        },
        {"instruction": "Add.", "input": "2+2", "output": "4", "history": [], "meta": {"grade": 1}},
        {"prompt": "2+2=", "completion": " 4", "id": 7},
        {"text": "Some crawled page.", "url": "https://example.com", "timestamp": "2019-04-25T12:57:54Z"},
    ]
    assert dslint.scan(write_jsonl(rows), select=["C009"]).count("C009") == 0


def test_top_level_unexpected_keys_are_reported(write_jsonl):
    rows = [
        {
            "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
            "prompt_id": 17,
        },
        {"prompt": "2+2=", "completion": " 4", "respone": " four"},
        {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}], "lang": "en"},
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["C009"])
    found = report.findings()
    assert [(f.code, f.path, f.line, f.row, f.field) for f in found] == [
        ("C009", str(path), 1, 0, "prompt_id"),
        ("C009", str(path), 2, 1, "respone"),
        ("C009", str(path), 3, 2, "lang"),
    ]
    assert all(f.severity == "info" for f in found)
    assert found[0].message == "unexpected key 'prompt_id' for openai-chat format"
    assert found[1].message == "unexpected key 'respone' for prompt-completion format"
    assert report.passed


def test_message_level_typo_is_reported(write_jsonl):
    # The docstring's own example: {"role": "user", "contnet": "Hi"}.
    path = write_jsonl(
        [{"messages": [{"role": "user", "contnet": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"}]}]
    )
    found = dslint.scan(path, select=["C009"]).findings()
    assert [(f.line, f.field) for f in found] == [(1, "messages[0].contnet")]
    assert "unexpected key" in found[0].message and "contnet" in found[0].message


def test_sharegpt_turn_key_is_reported(make_record):
    record = make_record(
        {
            "conversations": [
                {"from": "human", "value": "Hi", "markdown": True},
                {"from": "gpt", "value": "Hello"},
            ],
            "lang": "en",
        }
    )
    assert sorted(f.location.field for f in UnexpectedKey().check(record)) == ["conversations[0].markdown", "lang"]
