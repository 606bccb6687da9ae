"""D002 near-duplicate: records that are almost the same (MinHash + LSH over word 5-grams, clusters)."""

import json
import random
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

import dslint
from dslint.rules.duplicates.near_duplicate import NearDuplicate, NearDuplicateOptions, default_bands

ROOT = Path(__file__).resolve().parents[2]
FASTCHAT = ROOT / "tests/data/fastchat_dummy_conv/dummy_conversation.json"
IDENTITY = ROOT / "tests/data/lf_identity/identity.json"
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"
NERRE_MOF = ROOT / "tests/data/nerre_prompt_completion/general_and_mofs/data/experiments_mof_gpt3/fold_0/train.jsonl"
GLAIVE = ROOT / "tests/data/lf_glaive_toolcall/glaive_toolcall_en_demo.json"

WORDS = [f"word{i:02d}" for i in range(40)]


def paragraph(seed, n=100):
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


def edit(text, *positions):
    """The text with the words at `positions` replaced."""
    words = text.split()
    for p in positions:
        words[p] = "EDITED"
    return " ".join(words)


def chat(answer, user="Write a paragraph.", system=None):
    turns = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    if system is not None:
        turns.insert(0, {"role": "system", "content": system})
    return {"messages": turns}


def scan(paths, **settings):
    return dslint.scan(paths, select=["D002"], **settings)


def sizes(report):
    return sorted(int(re.search(r"; (\d+) near-duplicate records", f.message).group(1)) for f in report.findings())


def test_different_records_pass(write_jsonl):
    rows = [chat(paragraph(i)) for i in range(20)]
    rows.append(chat(edit(paragraph(3), *range(0, 100, 7))))  # every 7th word changed: far below 0.8
    assert scan(write_jsonl(rows)).count("D002") == 0


def test_edited_copies_form_one_cluster(write_jsonl):
    base = paragraph(1)
    rows = [
        chat(paragraph(0)),
        chat(base),  # line 2: kept
        chat(paragraph(2)),
        chat(edit(base, 50)),  # line 4
        chat(edit(base, 10), user="Write one paragraph."),  # line 5: another prompt, same long answer
        chat(paragraph(3)),
        chat(edit(base, 90), system="You are a poet."),  # a system prompt does not make records differ
    ]
    report = scan(write_jsonl(rows, name="data.jsonl"))
    (finding,) = report.findings()
    assert (finding.line, finding.row, finding.severity) == (4, 3, "warning")
    similar = float(re.search(r"estimated similarity (\d\.\d\d)", finding.message).group(1))
    assert 0.8 <= similar < 1
    assert finding.message.startswith("near-duplicate of the record at line 2: estimated similarity ")
    assert finding.message.endswith(
        "(Jaccard of word 5-grams, threshold 0.8); 4 near-duplicate records: line 2, line 4, line 5, line 7"
    )


def test_exact_copies_are_left_to_d001(write_jsonl):
    base = paragraph(5)
    rows = [chat(base), chat(base.upper()), chat(paragraph(6))]
    assert scan(write_jsonl(rows)).count("D002") == 0  # an exact copy (case aside) is D001's
    rows = [chat(base), chat(edit(base, 40)), chat(base), chat(edit(base, 40)), chat(edit(base, 40))]
    (finding,) = scan(write_jsonl(rows, name="copies.jsonl")).findings()
    assert finding.line == 2
    assert finding.message.endswith("2 near-duplicate records: line 1, line 2; 3 more are exact copies of them (D001)")


def test_short_turns_are_one_shingle_each(write_jsonl):
    answer = paragraph(7, 30)
    rows = [
        chat(answer, user="Who are you?"),
        chat(answer, user="What is your name?"),  # a short turn that differs changes one shingle, not five
        chat("Hi!", user="Hello"),
        chat("Hi there!", user="Hello"),  # fewer words than a shingle: the whole turn is the shingle
        chat("Hi!", user="hello"),  # ... and an exact copy of line 3
    ]
    found = scan(write_jsonl(rows)).findings()
    assert [(f.line, f.message.split(":")[0]) for f in found] == [(2, "near-duplicate of the record at line 1")]
    # words are compared, not punctuation: "Hi!!" is "Hi!"
    rows[3] = chat("Hi!!", user="Hello")
    found = scan(write_jsonl(rows, name="punctuation.jsonl")).findings()
    assert [(f.line, f.message.split(":")[0]) for f in found] == [
        (2, "near-duplicate of the record at line 1"),
        (4, "near-duplicate of the record at line 3"),
    ]


def test_records_are_compared_within_their_split(write_jsonl):
    base = paragraph(8)
    train = write_jsonl([chat(base), chat(paragraph(9))], name="data/train.jsonl")
    test = write_jsonl(
        [chat(edit(base, 30)), chat(paragraph(10)), chat(edit(paragraph(10), 60))], name="data/test.jsonl"
    )
    (finding,) = scan([train, test]).findings()  # train vs test is leakage (X002)
    assert (finding.path, finding.line, finding.split) == (str(test), 3, "test")


def test_fastchat_templated_conversations_form_large_clusters():
    """500 conversations built from 52 questions and a few answer templates: with turns shingled one by one,
    conversations that differ in one short turn ("Who are you?" / "What is your name?") are ~0.9 alike."""
    report = scan(FASTCHAT, sample_size=1000)
    found = sizes(report)
    assert report.count("D002") == len(found) >= 25
    assert found[-1] >= 50 and sum(1 for s in found if s >= 25) >= 8
    assert sum(found) >= 400  # most of the 500 records are in a cluster


def test_identity_greetings_are_near_duplicates():
    report = scan(IDENTITY)
    (finding,) = report.findings()  # "hi" / "hello" with the same templated answer
    assert (finding.line, finding.field) == (7, None)
    assert finding.message.startswith("near-duplicate of the record at line 2: ")
    # line 12 ("Who are you?", the answer without "Hello!") shares 11 of 14 shingles with them: 0.79, under 0.8
    assert finding.message.endswith("2 near-duplicate records: line 2, line 7")


def test_real_negative_controls():
    assert scan(ANTHROPIC).count("D002") == 0  # 500 distinct JSON-mode answers
    # the four nerre prompts repeated with slightly different completions are near-duplicates (and D003 conflicts)
    report = scan(NERRE_MOF)
    assert [f.line for f in report.findings()] == [159, 258, 322, 356]


def test_options_are_validated():
    assert default_bands(0.8, 128) == 16
    assert default_bands(0.9, 128) == 16
    assert default_bands(0.5, 128) == 64
    assert NearDuplicateOptions.model_validate({"threshold": 0.7}).bands == default_bands(0.7, 128)
    with pytest.raises(ValidationError, match="must divide num-perm"):
        NearDuplicateOptions.model_validate({"num-perm": 128, "num-bands": 10})
    with pytest.raises(ValidationError):
        NearDuplicateOptions.model_validate({"threshold": 0})


def test_threshold_and_shingle_size_options(write_jsonl):
    base = paragraph(11)
    rows = [chat(base), chat(edit(base, 20, 60))]  # two edits: ~0.8 alike
    path = write_jsonl(rows)
    assert scan(path, rules={"D002": {"threshold": 0.95}}).count("D002") == 0
    assert scan(path, rules={"D002": {"threshold": 0.6}}).count("D002") == 1
    assert scan(path, rules={"D002": {"threshold": 0.8, "shingle-words": 2}}).count("D002") == 1


def _records(make_record):
    base, other = paragraph(12), paragraph(13)
    answers = [base, paragraph(14), edit(base, 5), other, edit(other, 77), paragraph(15), edit(base, 95), base]
    return [make_record(chat(a), path=f"part{i // 3}.jsonl", row=i % 3, line=i % 3 + 1) for i, a in enumerate(answers)]


def test_state_merges_associatively_and_halves_equal_one_pass(make_record, merged_parts):
    rule = NearDuplicate()
    records = _records(make_record)
    whole, left, right = merged_parts(rule, records, (2, 5))
    assert left == right == whole
    found = [f.to_dict() for f in rule.finalize(whole)]
    assert [f.to_dict() for f in rule.finalize(left)] == found
    assert [(f["path"], f["line"]) for f in found] == [("part0.jsonl", 3), ("part1.jsonl", 2)]
    assert found[0]["message"].endswith(
        "3 near-duplicate records: line 1, line 3, part2.jsonl:1; 1 more is an exact copy of them (D001)"
    )
    assert found[1]["message"].endswith("2 near-duplicate records: line 1, line 2")


def test_drop_and_group(make_record):
    rule = NearDuplicate()
    records = _records(make_record)
    state = rule.new_state()
    for r in records:
        state = rule.update(state, r)
    dropped = [(r.location.path, r.location.line) for r in records if rule.drop(r, state)]
    # kept: the first of each cluster (part0:1, part1:1); the last record is an exact copy of the kept one: D001's
    assert dropped == [("part0.jsonl", 3), ("part1.jsonl", 2), ("part2.jsonl", 1)]
    reason = rule.drop(records[2], state)
    assert reason is not None and reason.startswith(
        "near-duplicate of the record at part0.jsonl:1 (estimated similarity"
    )
    groups = [rule.group(r, state) for r in records]
    assert groups[0] == groups[2] == groups[6] == groups[7] is not None
    assert groups[3] == groups[4] is not None and groups[3] != groups[0]
    assert groups[1] is None and groups[5] is None


def test_same_report_with_two_processes(write_jsonl):
    base = paragraph(16)
    a = write_jsonl([chat(base), chat(paragraph(17)), chat(edit(base, 3))], name="part0.jsonl")
    b = write_jsonl([chat(edit(base, 70)), chat(edit(paragraph(17), 50)), chat(paragraph(18))], name="part1.jsonl")
    one = scan([a, b])
    two = scan([a, b], jobs=2)
    assert one.count("D002") == two.count("D002") == 2
    assert [f.model_dump() for f in one.findings()] == [f.model_dump() for f in two.findings()]


def test_clean_drops_cluster_members_only_with_unsafe_fixes(write_jsonl, tmp_path):
    base = paragraph(19)
    rows = [chat(base), chat(paragraph(20)), chat(edit(base, 44)), chat(edit(base, 88)), chat(base)]
    path = write_jsonl(rows, name="data.jsonl")
    safe = dslint.clean(path, tmp_path / "safe", select=["D001", "D002"])
    assert safe.manifest.rejections == {"D001": 1}  # D002's fix is unsafe: not applied
    unsafe = dslint.clean(path, tmp_path / "unsafe", select=["D001", "D002"], unsafe_fixes=True)
    assert unsafe.manifest.rejections == {"D001": 1, "D002": 2}
    assert unsafe.manifest.totals == {"records": 5, "kept": 2, "fixed": 0, "rejected": 3, "added": 0}
    kept = [json.loads(line) for line in (tmp_path / "unsafe" / "data.jsonl").read_text().splitlines()]
    assert kept == [chat(base), chat(paragraph(20))]


def test_a_finalized_state_can_still_grow(make_record):
    """finalize reads the signatures of a single file in place; the table can grow again afterwards."""
    rule = NearDuplicate()
    records = _records(make_record)
    state = rule.new_state()
    for r in records[:3]:
        state = rule.update(state, r)
    assert len(list(rule.finalize(state))) == 1
    state.clusters = None  # what a new merge would give
    state = rule.update(state, make_record(chat(paragraph(12)), path="part0.jsonl", row=3, line=4))
    assert len(state.table) == 4
