"""T003 replacement-character: U+FFFD in text (the original bytes are lost), with its count and first position."""

import dslint
from dslint.rules.text.replacement_character import ReplacementCharacter


def test_replacement_characters_are_reported_once_per_field_with_location(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Which section is shorter?"},
                {"role": "assistant", "content": "The Pongola to God's\ufffdWindow section (day 2) is shorter."},
            ]
        },
        {
            "conversations": [
                {
                    "from": "human",
                    "value": "I visited my mother\ufffds villa. Don\ufffdt be hesitant, it\ufffds lovely.",
                },
                {"from": "gpt", "value": "It sounds lovely."},
            ]
        },
        {"instruction": "Translate.", "input": "lak\ufffdsd\ufffdsz\ufffdt\ufffds", "output": "home decoration"},
        {"prompt": "Name a colour:", "completion": " \ufffd"},
        {"text": "No damage here: café, naïve, “quotes”."},
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["T003"]).findings()
    assert [(f.code, f.path, f.line, f.row, f.field, f.span) for f in found] == [
        ("T003", str(path), 1, 0, "messages[1].content", [20, 21]),
        ("T003", str(path), 2, 1, "conversations[0].value", [19, 20]),
        ("T003", str(path), 3, 2, "input", [3, 4]),
        ("T003", str(path), 4, 3, "completion", [1, 2]),
    ]
    assert all(f.severity == "warning" for f in found)
    assert [f.message for f in found] == [
        "1 U+FFFD replacement character (the original text is lost)",
        "3 U+FFFD replacement characters (the original text is lost)",
        "4 U+FFFD replacement characters (the original text is lost)",
        "1 U+FFFD replacement character (the original text is lost)",
    ]
    assert found[0].excerpt == "The Pongola to God's\ufffdWindow section (day 2) is shor…"


def test_clean_text_and_other_types_pass(make_record):
    record = make_record(
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "What is it?"}]},
                {"role": "assistant", "content": "A question mark in a box is not U+FFFD: ⍰ and ? and ￼."},
                {"role": "user", "content": 42},
            ]
        }
    )
    assert list(ReplacementCharacter().check(record)) == []


def test_has_no_fix(make_record):
    record = make_record({"text": "Don\ufffdt"})
    assert ReplacementCharacter().fix(record) == []
    assert record.raw == {"text": "Don\ufffdt"}
    assert ReplacementCharacter.fix_applicability.value == "none"
