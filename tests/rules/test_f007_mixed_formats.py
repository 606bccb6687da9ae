"""F007 mixed-formats: several formats in one file, with the count of each and where each first appears."""

import dslint
from dslint.records import Severity
from dslint.rules.format.mixed_formats import MixedFormats

CHAT = {
    "messages": [
        {"role": "user", "content": "Convert 5 km to miles."},
        {"role": "assistant", "content": "5 km is about 3.11 miles."},
    ]
}
PROMPT = {"prompt": "Convert 10 km to miles.\n\n###\n\n", "completion": " 6.21 miles END"}
ALPACA = {"instruction": "Convert the distance to miles.", "input": "42.195 km", "output": "About 26.2 miles."}


def test_single_format_file_passes(write_jsonl):
    report = dslint.scan(write_jsonl([CHAT] * 6), select=["F007"])
    assert report.count("F007") == 0


def test_minority_formats_are_reported_with_counts_and_first_position(write_jsonl):
    rows = [CHAT, PROMPT, CHAT, ALPACA, PROMPT, CHAT, CHAT, {"question": "?"}, ["not", "an", "object"]]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["F007"])
    assert report.count("mixed-formats") == 2
    found = sorted(report.findings(), key=lambda f: f.line)
    assert [(f.code, f.line, f.row, f.field) for f in found] == [("F007", 2, 1, None), ("F007", 4, 3, None)]
    prompt, alpaca = found
    assert prompt.path == alpaca.path == str(path)
    assert prompt.severity == "warning"
    assert "2 prompt-completion record(s)" in prompt.message
    assert "1 alpaca record(s)" in alpaca.message
    for f in found:
        assert "mostly openai-chat" in f.message
        # counts per format; unknown rows and non-objects are F006/F002's business, not counted here
        assert "(openai-chat: 4, prompt-completion: 2, alpaca: 1)" in f.message
        assert "unknown" not in f.message
    assert report.passed  # a warning


def test_formats_are_counted_per_file(write_jsonl):
    chat = write_jsonl([CHAT, CHAT], name="chat/train.jsonl")
    legacy = write_jsonl([PROMPT, PROMPT, PROMPT], name="legacy/train.jsonl")
    report = dslint.scan([chat, legacy], select=["F007"])
    assert report.count("F007") == 0
    assert report.summary.splits[0].formats == {"prompt-completion": 3, "openai-chat": 2}


def test_only_the_mixed_file_is_reported(write_jsonl):
    clean = write_jsonl([CHAT, CHAT], name="a.jsonl")
    mixed = write_jsonl([PROMPT, PROMPT, CHAT], name="b.jsonl")
    report = dslint.scan([clean, mixed], select=["F007"])
    (finding,) = report.findings()
    assert (finding.path, finding.line, finding.row) == (str(mixed), 3, 2)
    assert "1 openai-chat record(s) in a file that is mostly prompt-completion" in finding.message


def test_same_answer_with_several_processes(write_jsonl):
    paths = [write_jsonl([CHAT, PROMPT, CHAT], name=f"part{i}.jsonl") for i in range(3)]
    one = dslint.scan(paths, select=["F007"])
    many = dslint.scan(paths, select=["F007"], jobs=3)
    assert one.count("F007") == many.count("F007") == 3
    assert [f.model_dump() for f in one.findings()] == [f.model_dump() for f in many.findings()]


def test_state_merges_associatively(make_record):
    rule = MixedFormats()
    records = [
        make_record(row, path="mixed.jsonl", row=i, line=i + 1)
        for i, row in enumerate([CHAT, CHAT, PROMPT, CHAT, ALPACA, PROMPT])
    ]
    whole = rule.new_state()
    for r in records:
        whole = rule.update(whole, r)
    a, b, c = rule.new_state(), rule.new_state(), rule.new_state()
    for r in records[:2]:
        a = rule.update(a, r)
    for r in records[2:4]:
        b = rule.update(b, r)
    for r in records[4:]:
        c = rule.update(c, r)
    left = rule.merge(rule.merge(a, b), c)
    right = rule.merge(a, rule.merge(b, c))
    assert left == right == whole
    found = list(rule.finalize(whole))
    assert sorted((f.location.line, f.severity) for f in found) == [(3, Severity.WARNING), (5, Severity.WARNING)]
