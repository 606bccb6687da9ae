"""T006 repeated-punctuation: "!!!", "???", "?!?!", ",,", ";;" in prose; unsafe fix collapses them."""

import copy
from pathlib import Path

import dslint
from dslint.records import Fix
from dslint.rules.text.repeated_punctuation import RepeatedPunctuation

ROOT = Path(__file__).resolve().parents[2]
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"
GLAIVE = ROOT / "tests/data/lf_glaive_toolcall/glaive_toolcall_en_demo.json"
C4 = ROOT / "tests/data/lf_c4_demo/c4_demo.jsonl"


def test_ordinary_punctuation_markdown_and_code_pass(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Wait... is that right? Really?! And what about this!?"},
                {
                    "role": "assistant",
                    "content": (
                        "# Heading\n\n### Sub-heading\n\nSome text.\n\n---\n\n***\n\nTitle\n=====\n\n"
                        "In C#, `a ?? b` picks the first non-null; in Kotlin, `s!!.length` asserts.\n\n"
                        "```c\nfor (;;) { if (!!flag) break; }\n```"
                    ),
                },
            ]
        },
        # unfenced code and data, where doubled marks are syntax: Kotlin's `!!.`, C#'s ` ?? `, CSV empty fields
        {"instruction": "Fix it.", "input": "val n = s!!.length", "output": "Check for null instead of s!!."},
        {"instruction": "Parse.", "input": "id,name,,city\n7,Ana,,Lisbon", "output": "Two empty fields."},
        {"instruction": "Explain.", "input": "", "output": "x = a ?? b returns b when a is null."},
        # machine output is left alone
        {
            "messages": [
                {"role": "user", "content": "Status?"},
                {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function"}]},
                {"role": "tool", "tool_call_id": "c1", "content": "ALERT!!! disk full"},
                {"role": "assistant", "content": "The disk is full."},
            ]
        },
    ]
    assert dslint.scan(write_jsonl(rows), select=["T006"]).count("T006") == 0


def test_runs_are_reported_once_per_field_with_location(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Can you help me plan a trip to Rome?"},
                {"role": "assistant", "content": "Great question!!! Let's see,, first you need a flight."},
            ]
        },
        {"conversations": [{"from": "human", "value": "Really?? That cheap?!?!"}, {"from": "gpt", "value": "Yes."}]},
        {"instruction": "Reply with enthusiasm.", "input": "", "output": "我们赢了\uff01\uff01\uff01"},
        {"prompt": "Review: Best phone ever!!\n\n###\n\n", "completion": " positive"},
        {"text": "Wait... what??? No way;; really"},
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["T006"]).findings()
    assert [(f.code, f.path, f.line, f.row, f.field, f.span) for f in found] == [
        ("T006", str(path), 1, 0, "messages[1].content", [14, 17]),
        ("T006", str(path), 2, 1, "conversations[0].value", [6, 8]),
        ("T006", str(path), 3, 2, "output", [4, 7]),
        ("T006", str(path), 4, 3, "prompt", [23, 25]),
        ("T006", str(path), 5, 4, "text", [12, 15]),
    ]
    assert [f.message for f in found] == [
        '2 runs of repeated punctuation: "!!!", ",,"',
        '2 runs of repeated punctuation: "??", "?!?!"',
        '1 run of repeated punctuation: "\uff01\uff01\uff01"',
        '1 run of repeated punctuation: "!!"',
        '2 runs of repeated punctuation: "???", ";;"',
    ]
    assert all(f.severity == "info" for f in found)
    assert found[0].excerpt == "Great question!!! Let's see,, first you need a …"


def test_fix_collapses_each_run(make_record):
    record = make_record(
        {
            "messages": [
                {"role": "user", "content": "Really?? Is it free?!?! Wow!!!!"},
                {"role": "assistant", "content": "Yes,, it is free;; enjoy!!! See `x!!` in code."},
            ]
        }
    )
    rule = RepeatedPunctuation()
    assert rule.fix_applicability is Fix.UNSAFE
    assert rule.fix(record) == ["messages[0].content", "messages[1].content"]
    assert record.raw == {
        "messages": [
            {"role": "user", "content": "Really? Is it free?! Wow!"},
            {"role": "assistant", "content": "Yes, it is free; enjoy! See `x!!` in code."},
        ]
    }
    assert [m.content for m in record.messages] == [m["content"] for m in record.raw["messages"]]
    assert list(rule.check(record)) == []
    fixed = copy.deepcopy(record.raw)
    assert rule.fix(record) == []  # idempotent
    assert record.raw == fixed


def test_scraped_web_text_has_real_runs():
    # C4 pages: "star gazing!!", "join today!!", "actually crash?? come on", "climbing,, won't" ... all genuine
    report = dslint.scan(C4, select=["T006"], sample_size=100)
    assert report.count("T006") == 13
    assert [f.row for f in report.findings()] == [10, 11, 20, 45, 61, 71, 93, 97, 99, 117, 219, 226, 250]


def test_clean_real_sets_pass():
    assert dslint.scan([ANTHROPIC, GLAIVE], select=["T006"]).count("T006") == 0
