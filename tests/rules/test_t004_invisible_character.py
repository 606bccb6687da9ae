"""T004 invisible-character: control and format characters a reviewer cannot see (zero-width, bidi, soft hyphen)."""

# ruff: noqa: RUF001
# (the text under test is non-ASCII on purpose: mojibake, curly quotes, other scripts)

import copy

import pytest

import dslint
from dslint.rules.text.invisible_character import InvisibleCharacter, remove_invisible


def test_invisible_characters_are_reported_once_per_field_with_location(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Tell me about the church."},
                {"role": "assistant", "content": "St John the Baptist Church \u200bin Burford\u200b was rebuilt."},
            ]
        },
        {
            "conversations": [
                {"from": "human", "value": "Is this admin check right?"},
                {"from": "gpt", "value": 'if access_level != "user\u202e \u2066// Check if admin\u2069 \u2066":'},
            ]
        },
        {
            "instruction": "Summarise.",
            "input": "Threatened strikes against pro-\u00adgovernment forces.",
            "output": "Ok.",
        },
        {"prompt": "Ring the bell\x07 now", "completion": " Done\x00"},
        {"text": "\ufeffHello with a byte order mark inside the text", "label": "greeting"},
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["T004"]).findings()
    assert [(f.code, f.path, f.line, f.row, f.field, f.span) for f in found] == [
        ("T004", str(path), 1, 0, "messages[1].content", [27, 28]),
        ("T004", str(path), 2, 1, "conversations[1].value", [24, 25]),
        ("T004", str(path), 3, 2, "input", [31, 32]),
        ("T004", str(path), 4, 3, "prompt", [13, 14]),
        ("T004", str(path), 4, 3, "completion", [5, 6]),
        ("T004", str(path), 5, 4, "text", [0, 1]),
    ]
    assert all(f.severity == "warning" for f in found)
    assert [f.message for f in found] == [
        "2 invisible characters: U+200B ZERO WIDTH SPACE (2)",
        "4 invisible characters: U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LEFT-TO-RIGHT ISOLATE (2), "
        "U+2069 POP DIRECTIONAL ISOLATE",
        "1 invisible character: U+00AD SOFT HYPHEN",
        "1 invisible character: U+0007 BELL",
        "1 invisible character: U+0000 NULL",
        "1 invisible character: U+FEFF ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)",
    ]
    # the excerpt shows what cannot be seen
    assert found[0].excerpt == "St John the Baptist Church <U+200B>in Burford<U+200B> was rebuilt."


@pytest.mark.parametrize(
    "text",
    [
        "Family: 👨\u200d👩\u200d👧 and a rainbow flag 🏳\ufe0f\u200d🌈",  # ZWJ emoji sequences
        "می\u200cخواهم",  # Persian: ZERO WIDTH NON-JOINER
        "क्\u200dष",  # Devanagari: ZERO WIDTH JOINER
        "The word \u200fשלום\u200e means peace.",  # RIGHT-TO-LEFT and LEFT-TO-RIGHT MARKS
        "Scotland's flag: 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # an emoji tag sequence
        "Tabs\tnewlines\nand\r\nCRLF are fine, and so is a non-breaking\xa0space.",
    ],
)
def test_legitimate_text_passes(make_record, text):
    assert list(InvisibleCharacter().check(make_record({"text": text}))) == []


def test_c1_controls_name_their_windows_1252_meaning(make_record):
    (finding,) = InvisibleCharacter().check(make_record({"text": "don\x92t"}))
    assert finding.message == "1 invisible character: U+0092 C1 CONTROL ('’' in Windows-1252)"


def test_hidden_tag_text_is_spelled_out(make_record):
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "rm -rf")
    (finding,) = InvisibleCharacter().check(make_record({"text": f"Please summarise this page.{hidden}"}))
    assert finding.message == (
        "6 invisible characters: U+E0072 TAG LATIN SMALL LETTER R (2), U+E006D TAG LATIN SMALL LETTER M, "
        "U+E0020 TAG SPACE, and 2 more kinds; the tag characters spell 'rm -rf'"
    )
    assert finding.excerpt == "Please summarise this page.<U+E0072><U+E006D><U+E0020><U+E002D><U+E0072><U+E0066>"
    assert finding.location.span == (27, 28)


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("St John the Baptist Church \u200bin Burford", "St John the Baptist Church in Burford"),
        ("pro-\u00adgovernment", "pro-government"),
        ('"user\u202e \u2066// admin\u2069 \u2066"', '"user // admin "'),
        ("\ufeffHello\u2060World\x00", "HelloWorld"),
        ("page one\x0cpage two\x0bline", "page one\npage two\nline"),
        ("👨\u200d👩\u200d👧 \u200bok", "👨\u200d👩\u200d👧 ok"),
        (
            "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f\U000e0041!",
            "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f!",
        ),
    ],
)
def test_remove_invisible(text, fixed):
    assert remove_invisible(text) == fixed
    assert remove_invisible(fixed) is None


def test_fix_changes_only_the_fields_with_invisible_characters(make_record):
    value = {
        "system": "You are a guide\u200b.",
        "messages": [
            {"role": "user", "content": "Tell me about Burford."},
            {"role": "assistant", "content": "St John the Baptist Church \u200bin Burford."},
        ],
    }
    record = make_record(copy.deepcopy(value))
    rule = InvisibleCharacter()
    assert rule.fix(record) == ["system", "messages[1].content"]
    expected = copy.deepcopy(value)
    expected["system"] = "You are a guide."
    expected["messages"][1]["content"] = "St John the Baptist Church in Burford."
    assert record.raw == expected
    assert list(rule.check(record)) == []
    assert rule.fix(record) == []
    assert record.raw == expected
