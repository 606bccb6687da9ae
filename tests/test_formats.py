"""Formats: one raw row -> one Record, whatever the layout; roles normalised, field paths in the input's terms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dslint.io.formats import FORMATS, Normaliser, detect_format
from dslint.io.readers import RawRow, read_rows
from dslint.records import Location, Record

DATA = Path(__file__).parent / "data"
LOC = Location("train.jsonl", row=4, line=5, split="train")


def norm(value: Any, role_map: dict[str, str] | None = None) -> Record:
    return Normaliser(role_map).normalise(value, LOC)


def turns(record: Record) -> list[tuple[str, Any, str, str, str]]:
    return [(m.role, m.content, m.field, m.source_role, m.role_field) for m in record.messages]


# -- detection --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "fmt"),
    [
        ({"messages": [{"role": "user", "content": "Hi"}]}, "openai-chat"),
        ({"messages": "not a list"}, "openai-chat"),
        ({"conversations": [{"from": "human", "value": "Hi"}]}, "sharegpt"),
        ({"instruction": "Add 2 and 3.", "input": "", "output": "5"}, "alpaca"),
        ({"instruction": "Say hi.", "output": "Hi"}, "alpaca"),
        ({"prompt": "Q: capital of France?\nA:", "completion": " Paris\n"}, "prompt-completion"),
        ({"text": "I loved this film.", "label": 1}, "classification"),
        ({"text": "I loved this film.", "label": "positive"}, "classification"),
        ({"text": "Once upon a time.", "url": "https://example.com"}, "text"),
        ({"text": "Just text."}, "text"),
        ({"question": "2+2?", "answer": "4"}, "unknown"),
        ({"instruction": "No output here."}, "unknown"),
        ({"prompt": "No completion."}, "unknown"),
        ({}, "unknown"),
    ],
)
def test_detect_format(row: dict[str, Any], fmt: str) -> None:
    assert detect_format(row) == fmt
    assert norm(row).format == fmt
    assert fmt in FORMATS


@pytest.mark.parametrize("value", [["a", "list"], "a string", 42, None, 1.5, True])
def test_non_object_rows_are_unknown(value: Any) -> None:
    record = norm(value)
    assert record.format == "unknown"
    assert record.messages == []
    assert record.raw == value
    assert record.location == LOC


def test_record_keeps_raw_and_location() -> None:
    row = {"prompt": "p", "completion": "c"}
    record = norm(row)
    assert record.raw is row
    assert record.location == LOC
    assert not record.is_conversation


# -- OpenAI chat ------------------------------------------------------------------------------------------


def test_openai_chat_roles_and_fields() -> None:
    row = {
        "messages": [
            {"role": "developer", "content": "Be concise."},
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function"}]},
            {"role": "tool", "tool_call_id": "c1", "content": '{"temp": 21}'},
            {"role": "function", "name": "f", "content": "legacy"},
            {"role": "assistant", "content": "21°C and sunny.", "weight": 1},
        ]
    }
    record = norm(row)
    assert record.format == "openai-chat"
    assert record.is_conversation
    assert turns(record) == [
        ("system", "Be concise.", "messages[0].content", "developer", "messages[0].role"),
        ("user", "Weather in Paris?", "messages[1].content", "user", "messages[1].role"),
        ("assistant", None, "messages[2].content", "assistant", "messages[2].role"),
        ("tool", '{"temp": 21}', "messages[3].content", "tool", "messages[3].role"),
        ("tool", "legacy", "messages[4].content", "function", "messages[4].role"),
        ("assistant", "21°C and sunny.", "messages[5].content", "assistant", "messages[5].role"),
    ]
    assert [m.has_tool_calls for m in record.messages] == [False, False, True, False, False, False]
    assert record.messages[5].weight == 1
    assert record.messages[0].weight is None
    assert record.messages[2].text == ""
    assert record.type_errors == []
    assert record.unexpected_keys == []


def test_openai_top_level_system_comes_first() -> None:
    row = {"system": "You are a pirate.", "messages": [{"role": "user", "content": "Hi"}]}
    record = norm(row)
    assert turns(record)[0] == ("system", "You are a pirate.", "system", "system", "system")
    assert [m.field for m in record.messages] == ["system", "messages[0].content"]


def test_openai_list_of_parts_content() -> None:
    row = {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in this image?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
                    {"type": "text", "text": "Answer briefly."},
                ],
            },
            {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]},
        ]
    }
    record = norm(row)
    assert [m.content for m in record.messages] == ["What is in this image?\nAnswer briefly.", "A cat."]
    assert [m.field for m in record.messages] == ["messages[0].content", "messages[1].content"]
    assert record.type_errors == []


def test_openai_bad_content_parts_are_type_errors() -> None:
    row = {"messages": [{"role": "user", "content": ["just a string", {"text": "ok"}, {"no_type": 1}, 7]}]}
    record = norm(row)
    assert record.messages[0].content == "ok"
    assert record.type_errors == [
        ("messages[0].content[0]", "a content part object", "a string"),
        ("messages[0].content[2]", "a content part object", "an object"),
        ("messages[0].content[3]", "a content part object", "a number"),
    ]


def test_openai_text_part_with_non_string_text_is_a_type_error() -> None:
    # A text part whose text is not a string must not vanish silently from the message.
    row = {"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}
    record = norm(row)
    assert record.type_errors, "the non-string text of a text part was dropped without a type error"
    assert record.type_errors[0][0].startswith("messages[0].content[0]")


def test_openai_type_errors() -> None:
    row = {
        "system": ["not", "a", "string"],
        "messages": [
            "not an object",
            {"role": 3, "content": "role is a number"},
            {"content": "role missing"},
            {"role": "user"},
            {"role": "assistant", "content": 12.5},
            {"role": "user", "content": {"text": "dict content"}},
            {"role": "assistant", "function_call": {"name": "f"}},
        ],
    }
    record = norm(row)
    assert record.type_errors == [
        ("system", "a string", "an array"),
        ("messages[0]", "an object", "a string"),
        ("messages[1].role", "a string", "a number"),
        ("messages[2].role", "a string", "missing"),
        ("messages[3].content", "a string", "missing"),
        ("messages[4].content", "a string", "a number"),
        ("messages[5].content", "a string", "an object"),
    ]
    # Non-object messages are skipped; the rest are still normalised (lenient); a role that is not a string
    # reads as "" (wrong-type reports it, unknown-role does not report it again).
    assert [m.role for m in record.messages] == ["system", "", "", "user", "assistant", "user", "assistant"]
    assert record.messages[-1].has_tool_calls


def test_openai_messages_not_a_list() -> None:
    record = norm({"messages": {"role": "user", "content": "Hi"}})
    assert record.format == "openai-chat"
    assert record.type_errors == [("messages", "an array", "an object")]
    assert record.messages == []


def test_openai_unknown_role_kept_as_given() -> None:
    record = norm({"messages": [{"role": "Human", "content": "Hi"}, {"role": "bot", "content": "Hello"}]})
    assert [(m.role, m.source_role) for m in record.messages] == [("Human", "Human"), ("bot", "bot")]


def test_openai_weight_must_be_a_number() -> None:
    record = norm({"messages": [{"role": "assistant", "content": "x", "weight": "1"}]})
    assert record.messages[0].weight is None
    record = norm({"messages": [{"role": "assistant", "content": "x", "weight": 0}]})
    assert record.messages[0].weight == 0


def test_openai_unexpected_top_level_keys() -> None:
    row = {
        "messages": [{"role": "user", "content": "Hi"}],
        "id": 1,
        "split": "train",
        "metadata": {},
        "tools": [],
        "prompt": "stray",
        "Messages": [],
    }
    assert norm(row).unexpected_keys == ["prompt", "Messages"]


def test_openai_unexpected_message_keys_are_reported_with_their_path() -> None:
    row = {
        "messages": [
            {"role": "user", "content": "Hi", "contnet": "typo"},
            {"role": "assistant", "content": "Hello", "name": "bot", "refusal": None, "Content": "x"},
        ],
        "extra": True,
    }
    record = norm(row)
    assert sorted(record.unexpected_keys) == ["extra", "messages[0].contnet", "messages[1].Content"]


# -- ShareGPT ---------------------------------------------------------------------------------------------


def test_sharegpt_roles_and_fields() -> None:
    row = {
        "system": "You can call tools.",
        "conversations": [
            {"from": "human", "value": "Find a recipe with rice."},
            {"from": "function_call", "value": '{"name": "search", "arguments": {"q": "rice"}}'},
            {"from": "observation", "value": '{"results": ["risotto"]}'},
            {"from": "gpt", "value": "Try a risotto."},
            {"from": "user", "value": "Thanks"},
            {"from": "chatgpt", "value": "You're welcome."},
        ],
        "tools": "[]",
    }
    record = norm(row)
    assert record.format == "sharegpt"
    assert record.is_conversation
    assert turns(record) == [
        ("system", "You can call tools.", "system", "system", "system"),
        ("user", "Find a recipe with rice.", "conversations[0].value", "human", "conversations[0].from"),
        (
            "assistant",
            '{"name": "search", "arguments": {"q": "rice"}}',
            "conversations[1].value",
            "function_call",
            "conversations[1].from",
        ),
        ("tool", '{"results": ["risotto"]}', "conversations[2].value", "observation", "conversations[2].from"),
        ("assistant", "Try a risotto.", "conversations[3].value", "gpt", "conversations[3].from"),
        ("user", "Thanks", "conversations[4].value", "user", "conversations[4].from"),
        ("assistant", "You're welcome.", "conversations[5].value", "chatgpt", "conversations[5].from"),
    ]
    assert [m.has_tool_calls for m in record.messages] == [False, False, True, False, False, False, False]
    assert record.type_errors == []
    assert record.unexpected_keys == []


def test_sharegpt_type_errors_and_unknown_roles() -> None:
    row = {
        "conversations": [
            {"from": "human", "value": ["a", "list"]},
            {"value": "no from"},
            {"from": "gpt"},
            ["not", "a", "turn"],
            {"from": "narrator", "value": "Meanwhile..."},
        ]
    }
    record = norm(row)
    assert record.type_errors == [
        ("conversations[0].value", "a string", "an array"),
        ("conversations[1].from", "a string", "missing"),
        ("conversations[2].value", "a string", "missing"),
        ("conversations[3]", "an object", "an array"),
    ]
    assert [m.role for m in record.messages] == ["user", "", "assistant", "narrator"]
    assert record.messages[0].text == ""


def test_sharegpt_conversations_not_a_list() -> None:
    record = norm({"conversations": "human: hi"})
    assert record.type_errors == [("conversations", "an array", "a string")]
    assert record.messages == []


def test_sharegpt_unexpected_keys_with_their_path() -> None:
    row = {"conversations": [{"from": "human", "value": "Hi", "markdown": True}], "lang": "en", "id": "x"}
    record = norm(row)
    assert sorted(record.unexpected_keys) == ["conversations[0].markdown", "lang"]


def test_real_glaive_toolcall_file_normalises_cleanly() -> None:
    path = DATA / "lf_glaive_toolcall" / "glaive_toolcall_en_demo.json"
    normaliser = Normaliser()
    roles: set[tuple[str, str]] = set()
    for item in read_rows(path):
        assert isinstance(item, RawRow)
        record = normaliser.normalise(item.value, Location(str(path), item.row, item.line))
        assert record.format == "sharegpt"
        assert record.type_errors == []
        roles |= {(m.source_role, m.role) for m in record.messages}
    assert {("human", "user"), ("gpt", "assistant"), ("function_call", "assistant"), ("observation", "tool")} <= roles


# -- role map ---------------------------------------------------------------------------------------------


def test_role_map_extends_both_chat_formats() -> None:
    role_map = {"bot": "assistant", "Human": "user", "gpt": "user"}
    record = norm(
        {"messages": [{"role": "Human", "content": "Hi"}, {"role": "bot", "content": "Hello"}]}, role_map=role_map
    )
    assert [(m.role, m.source_role) for m in record.messages] == [("user", "Human"), ("assistant", "bot")]
    record = norm(
        {"conversations": [{"from": "Human", "value": "Hi"}, {"from": "bot", "value": "Hello"}]}, role_map=role_map
    )
    assert [(m.role, m.source_role) for m in record.messages] == [("user", "Human"), ("assistant", "bot")]
    # Built-in names are still known, and a user's mapping wins over a built-in one.
    record = norm({"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]}, role_map)
    assert [m.role for m in record.messages] == ["user", "user"]
    # The default normaliser is not affected by another one's role map.
    assert [m.role for m in norm({"messages": [{"role": "bot", "content": "x"}]}).messages] == ["bot"]


# -- Alpaca -----------------------------------------------------------------------------------------------


def test_alpaca_fields_and_roles() -> None:
    row = {
        "system": "You are a math tutor.",
        "history": [["What is 1+1?", "2"], ["And 2+2?", "4"]],
        "instruction": "Add the numbers.",
        "input": "3 and 5",
        "output": "8",
    }
    record = norm(row)
    assert record.format == "alpaca"
    assert not record.is_conversation
    assert turns(record) == [
        ("system", "You are a math tutor.", "system", "system", "system"),
        ("user", "What is 1+1?", "history[0][0]", "user", "history[0][0]"),
        ("assistant", "2", "history[0][1]", "assistant", "history[0][1]"),
        ("user", "And 2+2?", "history[1][0]", "user", "history[1][0]"),
        ("assistant", "4", "history[1][1]", "assistant", "history[1][1]"),
        ("user", "Add the numbers.", "instruction", "instruction", "instruction"),
        ("user", "3 and 5", "input", "input", "input"),
        ("assistant", "8", "output", "output", "output"),
    ]
    assert record.type_errors == []
    assert record.unexpected_keys == []


@pytest.mark.parametrize("input_value", ["", None])
def test_alpaca_empty_input_is_not_a_turn(input_value: Any) -> None:
    row = {"instruction": "Name a colour.", "output": "Blue."}
    if input_value is not None:
        row["input"] = input_value
    record = norm(row)
    assert [m.field for m in record.messages] == ["instruction", "output"]
    assert record.type_errors == []


def test_alpaca_type_errors() -> None:
    row = {
        "instruction": ["list"],
        "input": 5,
        "output": None,
        "history": [["q"], ["q2", 7], "x"],
    }
    record = norm(row)
    assert record.type_errors == [
        ("history[0]", "a [prompt, response] pair", "an array"),
        ("history[1][1]", "a string", "a number"),
        ("history[2]", "a [prompt, response] pair", "a string"),
        ("instruction", "a string", "an array"),
        ("input", "a string", "a number"),
        ("output", "a string", "null"),
    ]
    assert norm({"instruction": "i", "output": "o", "history": "q/a"}).type_errors == [
        ("history", "an array", "a string")
    ]


def test_alpaca_unexpected_keys() -> None:
    row = {"instruction": "i", "input": "", "output": "o", "id": 3, "category": "math", "response": "dup"}
    assert norm(row).unexpected_keys == ["category", "response"]


def test_real_identity_file_is_alpaca() -> None:
    path = DATA / "lf_identity" / "identity.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    records = [norm(r) for r in rows]
    assert {r.format for r in records} == {"alpaca"}
    assert all(r.type_errors == [] for r in records)
    assert all(r.messages[-1].field == "output" and r.messages[-1].role == "assistant" for r in records)


# -- prompt/completion, classification, text --------------------------------------------------------------


def test_prompt_completion() -> None:
    record = norm({"prompt": "Translate: cat ->", "completion": " chat", "id": 9, "temperature": 0})
    assert record.format == "prompt-completion"
    assert turns(record) == [
        ("user", "Translate: cat ->", "prompt", "prompt", "prompt"),
        ("assistant", " chat", "completion", "completion", "completion"),
    ]
    assert record.unexpected_keys == ["temperature"]
    bad = norm({"prompt": 1, "completion": ["x"]})
    assert bad.type_errors == [("prompt", "a string", "a number"), ("completion", "a string", "an array")]


def test_real_prompt_completion_file() -> None:
    path = DATA / "nerre_prompt_completion" / "doping" / "data" / "training_eng.jsonl"
    items = [i for i in read_rows(path) if isinstance(i, RawRow)]
    assert items
    for item in items:
        record = norm(item.value)
        assert record.format == "prompt-completion"
        assert [m.field for m in record.messages] == ["prompt", "completion"]


def test_classification() -> None:
    record = norm({"text": "Terrible service.", "label": 0, "source": "yelp", "lang": "en"})
    assert record.format == "classification"
    assert turns(record) == [("user", "Terrible service.", "text", "text", "text")]
    assert (record.label, record.label_field) == (0, "label")
    assert record.unexpected_keys == ["lang"]


def test_text() -> None:
    record = norm({"text": "A web page.", "url": "https://example.org", "timestamp": "2019-04-25", "lang": "en"})
    assert record.format == "text"
    assert turns(record) == [("text", "A web page.", "text", "text", "text")]
    assert record.label is None and record.label_field is None
    assert record.unexpected_keys == ["lang"]
    assert norm({"text": None}).type_errors == [("text", "a string", "null")]


def test_real_c4_file_is_text() -> None:
    path = DATA / "lf_c4_demo" / "c4_demo.jsonl"
    for n, item in enumerate(read_rows(path)):
        assert isinstance(item, RawRow)
        record = norm(item.value)
        assert record.format == "text"
        assert record.messages[0].field == "text"
        assert record.type_errors == []
        if n == 50:
            break


def test_fastchat_dummy_is_sharegpt_with_id() -> None:
    path = DATA / "fastchat_dummy_conv" / "dummy_conversation.json"
    item = next(iter(read_rows(path)))
    assert isinstance(item, RawRow)
    record = norm(item.value)
    assert record.format == "sharegpt"
    assert record.unexpected_keys == []
    assert [m.role for m in record.messages] == ["user", "assistant", "user", "assistant"]
    assert record.messages[1].field == "conversations[1].value"
