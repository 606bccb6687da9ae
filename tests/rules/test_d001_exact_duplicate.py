"""D001 exact-duplicate: the same record more than once (whitespace, case, ids and metadata aside)."""

import json
import pickle
import re
from pathlib import Path

import dslint
from dslint.rules.duplicates.exact_duplicate import ExactDuplicate, ExactDuplicateOptions

ROOT = Path(__file__).resolve().parents[2]
GLAIVE = ROOT / "tests/data/lf_glaive_toolcall/glaive_toolcall_en_demo.json"
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"


def chat(user, assistant="Sure.", **extra):
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}], **extra}


def scan(paths, **settings):
    return dslint.scan(paths, select=["D001"], **settings)


def test_distinct_records_pass(write_jsonl):
    rows = [chat(f"Question {i}?", f"Answer {i}.") for i in range(6)]
    rows.append(chat("Question 1?", "Answer 2."))  # same prompt, other answer: D003's business
    rows.append(
        {"messages": [{"role": "system", "content": "Question 1?"}, {"role": "assistant", "content": "Answer 1."}]}
    )
    assert scan(write_jsonl(rows)).count("D001") == 0


def test_copies_are_reported_once_per_group_at_the_first_copy(write_jsonl):
    rows = [
        chat("How do I reset my password?", "Open Settings."),  # line 1: the first occurrence
        chat("What is 2 + 2?", "4"),
        chat("how do I  reset my PASSWORD?", "Open settings.\n", id="x-17", metadata={"src": "b"}),  # line 3
        chat("What is 2 + 2?", "4"),  # line 4: a copy of line 2
        chat("Something else", "Else."),
        chat(" How do I reset my password? ", "OPEN SETTINGS."),  # line 6
    ]
    report = scan(write_jsonl(rows))
    assert report.count("D001") == 2
    first, second = report.findings()
    assert (first.line, first.row, first.field, first.severity) == (3, 2, None, "warning")
    assert first.message == (
        "exact duplicate of the record at line 1 (ignoring whitespace, case, ids and metadata); "
        "2 copies of it: here, line 6"
    )
    assert (second.line, second.row) == (4, 3)
    assert second.message == (
        "exact duplicate of the record at line 2 (ignoring whitespace, case, ids and metadata); 1 copy of it: here"
    )
    assert report.passed  # a warning


def test_roles_tools_labels_and_formats(write_jsonl):
    sharegpt = {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}], "id": 7}
    rows = [
        chat("Hi", "Hello!"),
        sharegpt,  # the same turns in another format: a copy of line 1
        {"messages": [{"role": "assistant", "content": "Hi"}, {"role": "user", "content": "Hello!"}]},  # roles differ
        {"text": "great movie", "label": "positive"},
        {"text": "great movie", "label": "negative"},  # a conflicting label is not a copy (D003)
        {"text": "Great  movie", "label": "positive"},  # a copy of line 4
        chat("Weather?", "", tools=[{"type": "function", "function": {"name": "weather"}}]),
        chat("Weather?", "", tools=[{"type": "function", "function": {"name": "forecast"}}]),  # other tools
    ]
    found = scan(write_jsonl(rows)).findings()
    assert [(f.line, f.message.split(";")[0]) for f in found] == [
        (2, "exact duplicate of the record at line 1 (ignoring whitespace, case, ids and metadata)"),
        (6, "exact duplicate of the record at line 4 (ignoring whitespace, case, ids and metadata)"),
    ]


def test_records_without_text_are_not_duplicates(write_jsonl):
    rows = [{"messages": []}, {"messages": []}, {"question": "?"}, {"question": "?"}, ["a"], ["a"]]
    assert scan(write_jsonl(rows)).count("D001") == 0


def test_copies_are_counted_within_each_split(write_jsonl):
    train = write_jsonl([chat("A?"), chat("B?")], name="data/train.jsonl")
    test = write_jsonl([chat("A?"), chat("C?"), chat("C?")], name="data/test.jsonl")
    report = scan([train, test])
    (finding,) = report.findings()  # the train/test copy is leakage (X001), not a duplicate
    assert (finding.path, finding.line, finding.split) == (str(test), 3, "test")


def test_copies_in_other_files_and_bounded_listing(write_jsonl):
    a = write_jsonl([chat("Same?")] + [chat(f"Other {i}?") for i in range(3)], name="part-a.jsonl")
    b = write_jsonl([chat("Same?")] * 7, name="part-b.jsonl")
    report = dslint.scan([a, b], select=["D001"], rules={"D001": {"max-listed": 3}})
    (finding,) = report.findings()
    assert (finding.path, finding.line) == (str(b), 1)
    assert finding.message == (
        f"exact duplicate of the record at {a}:1 (ignoring whitespace, case, ids and metadata); "
        "7 copies of it: here, line 2, line 3 and 4 more"
    )


def test_glaive_toolcall_has_35_copies_in_33_groups():
    """SOURCE.txt's "35 exact duplicate records" are 35 extra copies: 68 records in 33 groups (31 pairs, 2
    triples), compared as whole records (the tool schema included). Conversations alone would give 38 copies in
    35 groups: three more records repeat a conversation under a reworded tool schema (D002 reports those)."""
    report = dslint.scan(GLAIVE, select=["D001"], sample_size=100)
    found = report.findings()
    assert report.count("D001") == len(found) == 33
    copies = [int(re.search(r"; (\d+) cop(y|ies) of it", f.message).group(1)) for f in found]
    assert sum(copies) == 35 and sorted(copies).count(2) == 2
    assert (found[0].line, found[0].row) == (216, 6)
    assert found[0].message.startswith("exact duplicate of the record at line 174 ")


def test_anthropic_json_mode_has_no_copies():
    assert dslint.scan(ANTHROPIC, select=["D001"]).count("D001") == 0


def test_clean_drops_every_copy_after_the_first(write_jsonl, tmp_path):
    rows = [chat("A?"), chat("B?"), chat("a? "), chat("C?"), chat("A?"), chat("B?")]
    path = write_jsonl(rows, name="data.jsonl")
    result = dslint.clean(path, tmp_path / "out", select=["D001"])
    assert result.manifest.rejections == {"D001": 3}
    assert result.manifest.totals == {"records": 6, "kept": 3, "fixed": 0, "rejected": 3, "added": 0}
    kept = [json.loads(line) for line in (tmp_path / "out" / "data.jsonl").read_text().splitlines()]
    assert kept == [chat("A?"), chat("B?"), chat("C?")]
    rejects = [json.loads(line) for line in (tmp_path / "out" / "dslint-rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["reasons"][0]["message"]) for r in rejects] == [
        (3, f"exact duplicate of the record at {path}:1"),
        (5, f"exact duplicate of the record at {path}:1"),
        (6, f"exact duplicate of the record at {path}:2"),
    ]
    again = dslint.clean(tmp_path / "out" / "data.jsonl", tmp_path / "again", select=["D001"])
    assert again.manifest.totals["rejected"] == 0


def test_clean_drops_train_copies_and_leaves_eval_splits_whole(write_jsonl, tmp_path):
    write_jsonl([chat("A?"), chat("A?")], name="data/train.jsonl")
    write_jsonl([chat("B?"), chat("B?"), chat("C?")], name="data/test.jsonl")
    result = dslint.clean(tmp_path / "data", tmp_path / "out", select=["D001"])
    assert dslint.scan(tmp_path / "data", select=["D001"]).count("D001") == 2  # both are reported
    assert result.manifest.rejections == {"D001": 1}
    assert len((tmp_path / "out" / "train.jsonl").read_text().splitlines()) == 1
    test = [json.loads(line) for line in (tmp_path / "out" / "test.jsonl").read_text().splitlines()]
    assert test == [chat("B?"), chat("B?"), chat("C?")]


def test_clean_on_glaive_rejects_the_35_copies(tmp_path):
    result = dslint.clean(GLAIVE, tmp_path / "out", select=["D001"])
    assert result.manifest.rejections == {"D001": 35}
    assert result.manifest.totals["kept"] == 265


def test_same_report_with_two_processes(write_jsonl):
    a = write_jsonl([chat(f"Q{i % 3}?") for i in range(8)], name="part0.jsonl")
    b = write_jsonl([chat(f"Q{i % 4}?") for i in range(8)], name="part1.jsonl")
    one = scan([a, b])
    two = scan([a, b], jobs=2)
    assert one.count("D001") == two.count("D001") == 4
    assert [f.model_dump() for f in one.findings()] == [f.model_dump() for f in two.findings()]


def _records(make_record):
    texts = ["A", "B", "a", "C", "B", "A ", "D", "c", "E", "A"]
    return [make_record(chat(t), path=f"part{i // 4}.jsonl", row=i % 4, line=i % 4 + 1) for i, t in enumerate(texts)]


def test_state_merges_associatively_and_halves_equal_one_pass(make_record):
    rule = ExactDuplicate(ExactDuplicateOptions())
    records = _records(make_record)
    whole = rule.new_state()
    for r in records:
        whole = rule.update(whole, r)
    parts = []
    for chunk in (records[:3], records[3:6], records[6:]):  # the middle part straddles two files
        state = rule.new_state()
        for r in chunk:
            state = rule.update(state, r)
        parts.append(pickle.loads(pickle.dumps(state)))  # as from a worker process
    a, b, c = parts
    left, right = rule.merge(rule.merge(a, b), c), rule.merge(a, rule.merge(b, c))
    assert left == right == whole
    assert [f.to_dict() for f in rule.finalize(left)] == [f.to_dict() for f in rule.finalize(whole)]
    found = list(rule.finalize(whole))
    assert [(f.location.path, f.location.line) for f in found] == [
        ("part0.jsonl", 3),  # "a": a copy of "A"
        ("part1.jsonl", 1),  # "B" again
        ("part1.jsonl", 4),  # "c" of "C"
    ]
    assert "3 copies of it: here, part1.jsonl:2, part2.jsonl:2" in found[0].message
    # merging leaves its operands as they were: updating one afterwards does not leak into the merge
    merged = rule.merge(a, b)
    before = len(merged.table)
    rule.update(a, make_record(chat("Z"), path="part0.jsonl", row=9, line=10))
    assert len(merged.table) == before


def test_drop_keeps_the_first_occurrence(make_record):
    rule = ExactDuplicate()
    records = _records(make_record)
    state = rule.new_state()
    for r in records:
        state = rule.update(state, r)
    list(rule.finalize(state))
    dropped = [(r.location.path, r.location.line) for r in records if rule.drop(r, state)]
    assert dropped == [
        ("part0.jsonl", 3),
        ("part1.jsonl", 1),
        ("part1.jsonl", 2),
        ("part1.jsonl", 4),
        ("part2.jsonl", 2),
    ]
    assert rule.drop(records[0], state) is None
    assert rule.drop(records[2], state) == "exact duplicate of the record at part0.jsonl:1"
