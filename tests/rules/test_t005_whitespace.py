"""T005 whitespace: padded ends, runs of spaces, trailing spaces on lines, mixed newlines; safe fix."""

import copy
import json
from pathlib import Path

import dslint
from dslint.records import Fix
from dslint.rules.text.whitespace import Whitespace

ROOT = Path(__file__).resolve().parents[2]
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"
NERRE = ROOT / "tests/data/nerre_prompt_completion"

TABLE = "| Planet  | Moons |\n|---------|------:|\n| Mars    |     2 |\n| Jupiter |    95 |"
CODE = "Use this:\n\n```python\nx  =  1   \nprint(x)\n```\n\nor inline `a  =  b`."


def test_clean_texts_and_meaningful_whitespace_pass(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "system", "content": "You are a helpful astronomy tutor."},
                {"role": "user", "content": "How many moons do Mars and Jupiter have?"},
                {"role": "assistant", "content": f"Here they are:\n\n{TABLE}\n\nJupiter has by far the most."},
                {"role": "user", "content": "How do I set a variable in Python?"},
                {"role": "assistant", "content": CODE},
            ]
        },
        # markdown indented code block, and a pasted fragment whose first line is indented like the next one
        {"instruction": "Indent this.", "input": "", "output": "Like so:\n\n    if ok:  # note\n        run()"},
        {"instruction": "Fix the loop.", "input": "    for i in range(3):\n    print(i)", "output": "Indent print."},
        # legacy prompt-completion: the separator and the completion's leading space and stop are conventions
        {"prompt": "Extract the dopants: Mn-doped ZnO.\n\n###\n\n", "completion": ' [{"dopant": "Mn"}]\n\nEND\n\n'},
        # pre-training text: leading and trailing newlines are harmless
        {"text": "\n\nThe Nile is the longest river in Africa.\nIt flows north.\n\n"},
        # one newline style throughout is fine, even \r\n
        {"messages": [{"role": "user", "content": "a\r\nb\r\nc"}, {"role": "assistant", "content": "Three lines."}]},
        # tool results and ShareGPT tool calls are machine output
        {
            "conversations": [
                {"from": "human", "value": "Weather in Oslo?"},
                {"from": "function_call", "value": '{"name": "weather",  "arguments": {"city": "Oslo"}}\n'},
                {"from": "observation", "value": '{"temp": 3}\n'},
                {"from": "gpt", "value": "It is 3 degrees in Oslo."},
            ]
        },
        {"messages": [{"role": "user", "content": "   "}, {"role": "assistant", "content": "?"}]},  # C007's business
    ]
    assert dslint.scan(write_jsonl(rows), select=["T005"]).count("T005") == 0


def test_noise_is_reported_once_per_field_with_location(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "system", "content": "You are a travel guide."},
                {"role": "user", "content": "What is the capital of France?"},
                {"role": "assistant", "content": "Paris is the capital.  It lies on the Seine. \n"},
            ]
        },
        {
            "conversations": [
                {"from": "human", "value": "\n\nHow tall is Everest?"},
                {"from": "gpt", "value": "8,849 m."},
            ]
        },
        {"instruction": "List two rivers.", "input": "", "output": "The Nile   \nThe Amazon"},
        {"prompt": "  Classify the sentiment: I loved it.\n\n###\n\n", "completion": " positive\n"},
        {"text": "Chapter 1  \nIt was a dark night.\n"},
        {
            "messages": [
                {"role": "user", "content": "Line one\r\nLine two\nLine three"},
                {"role": "assistant", "content": "Ok"},
            ]
        },
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["T005"]).findings()
    assert [(f.code, f.path, f.line, f.row, f.field, f.span) for f in found] == [
        ("T005", str(path), 1, 0, "messages[2].content", [21, 23]),
        ("T005", str(path), 2, 1, "conversations[0].value", [0, 2]),
        ("T005", str(path), 3, 2, "output", [8, 11]),
        ("T005", str(path), 4, 3, "prompt", [0, 2]),
        ("T005", str(path), 5, 4, "text", [9, 11]),
        ("T005", str(path), 6, 5, "messages[0].content", [8, 10]),
    ]
    assert [f.message for f in found] == [
        "trailing whitespace, 1 run of spaces inside a line",
        "leading whitespace",
        "1 line ending in spaces",
        "leading whitespace",
        "1 line ending in spaces",
        "mixed newlines (1 \\r\\n, 1 \\n)",
    ]
    assert all(f.severity == "info" for f in found)
    # the excerpt makes the whitespace visible
    assert found[0].excerpt == "'Paris is the capital.  It lies on the Seine. \\n'"
    assert found[5].excerpt == "'Line one\\r\\nLine two\\nLine three'"


def test_counts_every_kind(make_record):
    text = "  Step one.  Then  two. \nStep three.\t\r\nDone.\n"
    (finding,) = Whitespace().check(make_record({"messages": [{"role": "user", "content": text}]}))
    assert finding.message == (
        "leading and trailing whitespace, 2 runs of spaces inside a line, 2 lines ending in spaces, "
        "mixed newlines (1 \\r\\n, 1 \\n)"
    )
    assert finding.location.span == (0, 2)


def test_fix_normalises_exactly_what_is_flagged(make_record):
    record = make_record(
        {
            "messages": [
                {"role": "system", "content": "You are terse. "},
                {"role": "user", "content": "Sum 2 and 3.\r\nShow  the work.\nThanks.\n"},
                {"role": "assistant", "content": f"2 + 3 = 5.  Done.  \n\n{TABLE}\n\n{CODE}"},
            ]
        }
    )
    original = copy.deepcopy(record.raw)
    rule = Whitespace()
    assert rule.fix_applicability is Fix.SAFE
    assert rule.fix(record) == ["messages[0].content", "messages[1].content", "messages[2].content"]
    assert record.raw == {
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Sum 2 and 3.\nShow the work.\nThanks."},
            # the table's alignment and everything inside code is kept
            {"role": "assistant", "content": f"2 + 3 = 5. Done.\n\n{TABLE}\n\n{CODE}"},
        ]
    }
    assert [m.content for m in record.messages] == [m["content"] for m in record.raw["messages"]]
    assert list(rule.check(record)) == []
    fixed = copy.deepcopy(record.raw)
    assert rule.fix(record) == []  # idempotent
    assert record.raw == fixed != original


def test_fix_keeps_conventions_and_indentation(make_record):
    rule = Whitespace()
    record = make_record({"prompt": "\nReview:  great  phone.\n\n###\n\n", "completion": " positive  \n"})
    assert rule.fix(record) == ["prompt"]
    assert record.raw == {"prompt": "Review: great phone.\n\n###\n\n", "completion": " positive  \n"}
    record = make_record({"instruction": "Explain.", "input": "\n\n    x = 1\n    y = 2\n", "output": "Two lines."})
    (finding,) = rule.check(record)
    assert (finding.location.field, finding.message) == ("input", "leading and trailing whitespace")
    rule.fix(record)
    assert record.raw["input"] == "    x = 1\n    y = 2"  # blank lines gone, indentation kept
    assert rule.fix(record) == []
    record = make_record({"text": "\nTitle  \n\nBody text.   "})
    rule.fix(record)
    assert record.raw == {"text": "\nTitle\n\nBody text."}


def test_fix_writes_content_parts_back_part_by_part(make_record):
    parts = [
        {"type": "text", "text": "Describe this photo. "},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
    ]
    record = make_record(
        {"messages": [{"role": "user", "content": parts}, {"role": "assistant", "content": "A cat on a mat."}]}
    )
    (finding,) = Whitespace().check(record)
    assert finding.message == "trailing whitespace"
    assert Whitespace().fix(record) == ["messages[0].content"]
    assert record.raw["messages"][0]["content"][0] == {"type": "text", "text": "Describe this photo."}
    assert record.raw["messages"][0]["content"][1]["type"] == "image_url"


def test_anthropic_json_mode_set_is_clean():
    assert dslint.scan(ANTHROPIC, select=["T005"]).count("T005") == 0


def test_nerre_prompt_completion_conventions_are_never_reported():
    # every prompt ends with its separator and every completion starts with a space and ends with its stop:
    # none of that is noise. What is reported is inside the texts (double spaces from PDF extraction).
    report = dslint.scan(NERRE, select=["T005"], sample_size=1000)
    found = report.findings()
    assert len(found) == report.count("T005") == 38
    assert not any("leading" in f.message or "trailing" in f.message for f in found)
    first = min(found, key=lambda f: (f.path, f.row))
    rows = [json.loads(line) for line in Path(first.path).read_text(encoding="utf-8").splitlines()]
    text = rows[first.row][first.field]
    assert text[first.span[0] : first.span[1]].strip(" \t") == ""
