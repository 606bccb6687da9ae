"""T002 mojibake: text decoded with the wrong encoding, found as ftfy's `is_bad` finds it, fixed by `fix_encoding`."""

# ruff: noqa: RUF001
# (the text under test is non-ASCII on purpose: mojibake, curly quotes, other scripts)

import copy
import json
import random
import re
from pathlib import Path

import pytest
from ftfy.badness import MOJIBAKE_CATEGORIES, is_bad

import dslint
from dslint.rules.text.mojibake import Mojibake, bad_sequence

DATA = Path(__file__).resolve().parents[1] / "data"
CAFE = "The cafÃ© opens at 8 â€“ donâ€™t be late."


def test_mojibake_is_reported_once_per_field_with_location(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Where can I get coffee?"},
                {"role": "assistant", "content": CAFE},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "Merci, à bientôt !"},
                {"role": "assistant", "content": "Avec plaisir."},
            ]
        },
        {"conversations": [{"from": "human", "value": "Ã¼ber alles?"}, {"from": "gpt", "value": "Itâ€™s a song."}]},
        {
            "instruction": "Fix the text.",
            "input": "C'est vrai que nous n'en avons pas parlé\x85 Tu sais",
            "output": "Oui.",
        },
        {"text": "When I firstÂ saw a picture of this creation, I smiled."},
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["T002"]).findings()
    assert [(f.code, f.path, f.line, f.row, f.field, f.span) for f in found] == [
        ("T002", str(path), 1, 0, "messages[1].content", [6, 9]),
        ("T002", str(path), 3, 2, "conversations[0].value", [0, 2]),
        ("T002", str(path), 3, 2, "conversations[1].value", [2, 4]),
        ("T002", str(path), 4, 3, "input", [40, 41]),
        ("T002", str(path), 5, 4, "text", [11, 14]),
    ]
    assert all(f.severity == "warning" for f in found)
    assert found[0].message == "mojibake (text decoded with the wrong encoding): 3 suspicious sequences, first 'fÃ©'"
    assert found[0].excerpt == "The cafÃ© opens at 8 â€“ donâ€™t be lat…"
    assert found[3].message == "mojibake (text decoded with the wrong encoding): 1 suspicious sequence, first '\\x85'"


@pytest.mark.parametrize(
    "text",
    [
        "A naïve café in São Paulo – “quoted” and ‘single’ … ±5 µm × 3 ≤ 4 °C, 20 € or £15.",
        "Größe, Fußgänger, Ärger; Ελληνικά κείμενα; Русский текст «в кавычках»; 中文文本；日本語のテキスト。",
        "Æsir, Øresund, Ångström; résumé — Dvořák, Łódź, İstanbul; emoji 👍🏽 and 👨‍👩‍👧.",
        "Plain ASCII text, no encoding damage at all.",
    ],
)
def test_clean_text_passes(make_record, text):
    assert list(Mojibake().check(make_record({"text": text}))) == []


def test_dense_garble_that_ftfy_cannot_repair_is_reported(make_record):
    garble = "ã†â€™ãƒâ€ ã¢â‚¬â„¢ãƒæ’ã‚â¢ãƒâ¢ã¢â‚¬å¡ã‚â¬ãƒâ€šã‚â"  # lowercased mojibake, from ftfy's tests
    (finding,) = Mojibake().check(make_record({"text": garble}))
    assert finding.message == "mojibake that ftfy cannot repair: 19 suspicious sequences, first 'ã†'"
    assert finding.location.span == (0, 2)
    # one unrepairable sequence is not enough: a name, or stylised text
    assert list(Mojibake().check(make_record({"text": "Bremer/Mccoy – DrÃ¥ber"}))) == []


def test_fix_repairs_only_the_damaged_fields(make_record):
    value = {
        "messages": [
            {"role": "user", "content": "Où est le café ?"},
            {"role": "assistant", "content": CAFE},
            {"role": "user", "content": "Ã¼ber?"},
        ]
    }
    record = make_record(copy.deepcopy(value))
    rule = Mojibake()
    assert rule.fix(record) == ["messages[1].content", "messages[2].content"]
    expected = copy.deepcopy(value)
    expected["messages"][1]["content"] = "The café opens at 8 – don’t be late."
    expected["messages"][2]["content"] = "über?"
    assert record.raw == expected
    assert [m.content for m in record.messages] == [m["content"] for m in expected["messages"]]
    assert list(rule.check(record)) == []
    assert rule.fix(record) == []
    assert record.raw == expected


def test_fix_leaves_unrepairable_text_alone(make_record):
    record = make_record({"text": "Bremer/Mccoy – DrÃ¥ber"})
    assert Mojibake().fix(record) == []
    assert record.raw == {"text": "Bremer/Mccoy – DrÃ¥ber"}


def _alphabet() -> list[str]:
    chars = set("azAZ .,?!\n\t\xa0ØÙЂВГРСΒΓΞΟ€Œœ°²³×√≈‚âóàäêìîïòôúùû†¢πўβΆā")
    for value in MOJIBAKE_CATEGORIES.values():
        for m in re.finditer(r"(.)-(.)|(.)", value, re.S):
            if m.group(1):
                chars.update(chr(c) for c in range(ord(m.group(1)), ord(m.group(2)) + 1))
            else:
                chars.add(m.group(3))
    return sorted(chars)


def test_fast_search_finds_exactly_what_ftfy_is_bad_finds():
    # `bad_sequence` looks only around the characters every BADNESS_RE sequence needs; it must agree with
    # `is_bad` everywhere: short strings drawn from the characters the heuristic is made of, and real text.
    alphabet = _alphabet()
    rng = random.Random(7)
    strings = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))) for _ in range(40_000)]
    for name in ("in-the-wild.json", "negative.json"):
        strings += [case["original"] for case in json.loads((DATA / "ftfy_mojibake" / name).read_text("utf-8"))]
    # long accented text: past the first 64 candidate characters the search goes on in one piece
    strings += ["Le café est très bon à Paris, où ça coûte cher. " * 200 + tail for tail in ("", "cafÃ©", "Ã ")]
    with (DATA / "lf_c4_demo" / "c4_demo.jsonl").open(encoding="utf-8") as f:
        strings += [json.loads(line)["text"] for line in f]
    disagree = [s for s in strings if (bad_sequence(s) is not None) != is_bad(s)]
    assert disagree == []
    assert sum(is_bad(s) for s in strings) > 10_000  # the random strings do exercise the heuristic
