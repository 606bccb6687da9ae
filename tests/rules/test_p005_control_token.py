"""P005 control-token: chat-template control tokens written as text inside a message."""

import pytest
from pydantic import ValidationError

import dslint
from dslint.config import ConfigError
from dslint.packs import load_pack
from dslint.rules.prompt.control_token import ControlToken, ControlTokenOptions


def chat(*turns: tuple[str, str]) -> dict[str, list[dict[str, str]]]:
    return {"messages": [{"role": role, "content": content} for role, content in turns]}


def test_ordinary_text_passes(write_jsonl):
    rows = [
        chat(("user", "Is List<String> a generic type in Java?"), ("assistant", "Yes: List<String> holds strings.")),
        chat(("user", "What does [1, 2, 3] print?"), ("assistant", "It prints [1, 2, 3] and a <b>bold</b> tag.")),
        # quoted in code, as a text about chat templates would
        chat(
            ("user", "How does ChatML mark turns?"),
            ("assistant", "Each turn opens with `<|im_start|>` and ends with:\n```\n<|im_end|>\n```"),
        ),
        {"prompt": "Rate x < y [0-9]\n\n###\n\n", "completion": " low END"},
    ]
    assert dslint.scan(write_jsonl(rows), select=["P005"]).count("P005") == 0


def test_control_tokens_are_reported_per_message(write_jsonl):
    rows = [
        chat(("user", "Capital of France?"), ("assistant", "Paris.<|im_end|>")),
        chat(("user", "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]"), ("assistant", "Hello!</s>")),
        {
            "conversations": [
                {"from": "human", "value": "Hi"},
                {"from": "gpt", "value": "<start_of_turn>model\nHello<end_of_turn>"},
            ]
        },
        {"prompt": "Say hi<|endoftext|>", "completion": " hi<|channel|>final"},
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["P005"]).findings()
    assert [(f.line, f.row, f.field, f.span) for f in found] == [
        (1, 0, "messages[1].content", [6, 16]),
        (2, 1, "messages[0].content", [0, 6]),
        (2, 1, "messages[1].content", [6, 10]),
        (3, 2, "conversations[1].value", [0, 15]),
        (4, 3, "prompt", [6, 19]),
        (4, 3, "completion", [3, 14]),
    ]
    assert [f.message for f in found] == [
        "control token in assistant content: <|im_end|>",
        "4 control tokens in user content: [INST], <<SYS>>, <</SYS>>, [/INST]",
        "control token in assistant content: </s>",
        "2 control tokens in gpt content: <start_of_turn>, <end_of_turn>",
        "control token in prompt content: <|endoftext|>",
        "control token in completion content: <|channel|>",  # any <|name|> token
    ]
    assert found[0].excerpt == "Paris.<|im_end|>"
    assert {f.severity for f in found} == {"error"}


def test_the_list_comes_from_the_pack():
    tokens = load_pack("lexicons/control-tokens.toml")["tokens"]
    for token in ("<|endoftext|>", "<|im_start|>", "<|eot_id|>", "<|start_header_id|>", "[INST]", "<<SYS>>", "</s>"):
        assert token in tokens
    rule = ControlToken()
    assert rule.firsts == ("<", "[")


def test_options_extend_or_replace_the_list(make_record):
    record = make_record(chat(("user", "Hi ### END_TURN"), ("assistant", "Hi <|im_end|> @@EOS@@")))
    assert [f.location.field for f in ControlToken().check(record)] == ["messages[1].content"]
    extended = ControlToken(ControlTokenOptions.model_validate({"extend-tokens": ["@@EOS@@"]}))
    (finding,) = extended.check(record)
    assert finding.message == "2 control tokens in assistant content: <|im_end|>, @@EOS@@"
    assert extended.firsts == ("<", "@", "[")
    replaced = ControlToken(ControlTokenOptions.model_validate({"tokens": ["END_TURN"], "patterns": []}))
    (finding,) = replaced.check(record)
    assert (finding.location.field, finding.location.span) == ("messages[0].content", (7, 15))
    with_code = ControlToken(ControlTokenOptions.model_validate({"skip-code": False}))
    code = make_record(chat(("user", "What is `<|im_start|>`?"), ("assistant", "A ChatML token.")))
    assert len(list(with_code.check(code))) == 1
    assert list(ControlToken().check(code)) == []


def test_a_pattern_without_a_literal_start_disables_the_precheck(make_record):
    rule = ControlToken(ControlTokenOptions.model_validate({"patterns": [r"\bEOT\d+\b"]}))
    assert rule.firsts is None
    (finding,) = rule.check(make_record(chat(("user", "Stop at EOT42 please"), ("assistant", "OK"))))
    assert finding.location.span == (8, 13)


def test_a_bad_pattern_is_a_config_error(write_jsonl):
    with pytest.raises(ValidationError, match="not a regular expression"):
        ControlTokenOptions.model_validate({"patterns": ["[unclosed"]})
    path = write_jsonl([chat(("user", "Hi"), ("assistant", "Hello"))])
    with pytest.raises(ConfigError, match=r"rules\.P005\.patterns"):
        dslint.scan(path, select=["P005"], rules={"P005": {"patterns": ["(<|x"]}})
