"""X002 near-leakage: a train record nearly the same as an eval record (MinHash of word 5-grams)."""

import json
import pickle

import pytest
from pydantic import ValidationError

import dslint
from dslint.rules.leakage.near_leakage import NearIndex, NearLeakage, NearLeakageOptions

STORIES = [
    "The lighthouse keeper climbed the spiral stairs every evening to light the lamp, counting the steps aloud "
    "so he would not lose track, and on stormy nights he stayed until dawn watching the ships pass the reef. "
    "In spring he painted the railings white again and wrote the weather in a book his grandfather had begun.",
    "A small bakery on the corner sells bread before sunrise; the baker starts kneading at three, shapes the "
    "loaves by hand, and gives the unsold rolls to the shelter across the street when the shop closes. On "
    "Sundays the queue reaches the fountain, and regulars bring their own baskets to save paper bags.",
    "During the drought the farmers dug the old well deeper, shared the water by a rota written on the church "
    "door, and planted beans that need little rain until the autumn storms finally filled the river again. The "
    "next summer they built a reservoir above the village, paid for by selling timber from the common wood.",
    "The museum moved its fossil collection to a new wing with better light, and the curators spent a winter "
    "labelling every bone, matching old field notes to drawers that had not been opened for fifty years. "
    "Schools now visit on Thursdays, and the children may hold a cast of the largest tooth in the collection.",
]
QUESTION = "Summarise the passage in one sentence."


def pc(text: str, answer: str = "A summary.") -> dict:
    return {"prompt": f"{QUESTION}\n\n{text}", "completion": answer}


def reworded(text: str) -> str:
    """The same passage with one word changed and different punctuation: a near copy."""
    return text.replace(" the ", " a ", 1).replace(",", ";")


def test_near_copy_is_reported_with_the_eval_record_and_similarity(write_jsonl):
    train = write_jsonl([pc(STORIES[0]), pc(reworded(STORIES[1])), pc(STORIES[2])])
    test = write_jsonl([pc(STORIES[3]), pc(STORIES[1])], name="test.jsonl")
    report = dslint.scan([train, test], select=["X002"])
    (f,) = report.findings()
    assert (f.code, f.path, f.line, f.row, f.split, f.field, f.severity) == (
        "X002",
        str(train),
        2,
        1,
        "train",
        None,
        "warning",
    )
    assert f.message.startswith(f"near copy of test record {test}:2: estimated Jaccard similarity 0.")
    assert f.message.endswith(" of word 5-grams (threshold 0.8)")
    similarity = float(f.message.split("similarity ")[1].split(" ")[0])
    assert 0.8 <= similarity < 1.0
    assert f.excerpt.startswith(QUESTION)
    assert report.passed  # a warning


def test_exact_copies_are_left_to_x001_and_unrelated_records_pass(write_jsonl):
    train = write_jsonl([pc(s) for s in STORIES])
    val = write_jsonl([pc(STORIES[0]), pc(STORIES[1].upper(), "Another summary.")], name="val.jsonl")
    report = dslint.scan([train, val], select=["X001", "X002"])
    assert {r.code: r.count for r in report.rules} == {"X001": 2}  # a copy and a same-prompt pair
    other = write_jsonl(
        [pc("The river froze early that year and the children skated to school for a month.")], "v2.jsonl"
    )
    assert dslint.scan(train, splits={"validation": other}, select=["X002"]).count("X002") == 0


def test_threshold_and_min_words(write_jsonl):
    half = STORIES[0][: len(STORIES[0]) // 2]
    train = write_jsonl([pc(STORIES[0]), {"prompt": "Hello there", "completion": "friend"}])
    val = write_jsonl([pc(half), {"prompt": "hello, there!", "completion": "Friend."}], name="val.jsonl")
    assert dslint.scan([train, val], select=["X002"]).count("X002") == 0  # half a passage is not a near copy
    report = dslint.scan([train, val], select=["X002"], rules={"X002": {"threshold": 0.3}})
    assert [f.line for f in report.findings()] == [1]
    # three words, all equal once punctuation and case are ignored: only reported with min-words <= 3
    report = dslint.scan([train, val], select=["X002"], rules={"X002": {"min-words": 3}})
    (f,) = report.findings()
    assert f.line == 2 and "estimated Jaccard similarity 1.00" in f.message


def test_several_matches_name_the_most_similar(write_jsonl):
    train = write_jsonl([pc(STORIES[2])])
    val = write_jsonl(
        [pc(reworded(reworded(STORIES[2]).replace("beans", "peas"))), pc(reworded(STORIES[2]))], "val.jsonl"
    )
    (f,) = dslint.scan([train, val], select=["X002"], rules={"X002": {"threshold": 0.6}}).findings()
    assert f.message.startswith(f"near copy of validation record {val}:2: ")
    assert f.message.endswith("; 1 more eval record(s) are above the threshold")


def test_options_are_validated():
    with pytest.raises(ValidationError, match="must divide"):
        NearLeakageOptions.model_validate({"num-perm": 128, "num-bands": 3})
    assert NearLeakageOptions.model_validate({"num-perm": 64, "num-bands": 16}).bands() == 16
    # by default: the fewest bands that find a pair at the threshold 99% of the time
    assert [NearLeakageOptions(threshold=t).bands() for t in (0.95, 0.9, 0.8, 0.5, 0.3)] == [8, 16, 32, 64, 64]


def test_index_merges_associatively_and_pickles_without_its_buckets(make_record):
    rule = NearLeakage()
    rows = [pc(s) for s in STORIES] + [{"prompt": "Too short", "completion": "yes"}]
    records = [make_record(r, path="val.jsonl", row=i, line=i + 1, split="validation") for i, r in enumerate(rows)]
    whole = rule.new_index()
    for r in records:
        whole = rule.add_reference(whole, r)
    assert len(whole.signatures) == 4  # the short record is skipped
    a, b, c = rule.new_index(), rule.new_index(), rule.new_index()
    for r in records[:1]:
        a = rule.add_reference(a, r)
    for r in records[1:3]:
        b = rule.add_reference(b, r)
    for r in records[3:]:
        c = rule.add_reference(c, r)
    assert rule.merge(rule.merge(a, b), c) == rule.merge(a, rule.merge(b, c)) == whole
    probe = make_record(pc(reworded(STORIES[3])), row=9)
    (f,) = rule.probe(whole, probe)
    assert whole.buckets is not None  # built on first probe
    copy = pickle.loads(pickle.dumps(whole))
    assert copy.buckets is None and copy == whole
    (g,) = rule.probe(copy, probe)
    assert f == g
    assert rule.drop(probe, copy).startswith("near copy of validation record val.jsonl:4 (estimated similarity 0.")
    assert rule.drop(make_record(pc(STORIES[3])), copy) is None  # an exact copy: X001's
    assert list(rule.probe(NearIndex(), probe)) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_jobs_give_the_same_report(write_jsonl, jobs):
    a = write_jsonl([pc(reworded(STORIES[0])), pc(STORIES[1])], name="a/train.jsonl")
    b = write_jsonl([pc(STORIES[2]), pc(reworded(STORIES[3]))], name="b/train.jsonl")
    v = write_jsonl([pc(STORIES[3])], name="a/val.jsonl")
    t = write_jsonl([pc(STORIES[0])], name="b/test.jsonl")
    one = dslint.scan([a, b, v, t], select=["X002"], jobs=1)
    many = dslint.scan([a, b, v, t], select=["X002"], jobs=jobs)
    assert one.model_dump() == many.model_dump()
    assert [(f.path, f.line) for f in many.findings()] == [(str(a), 1), (str(b), 2)]


def test_clean_drops_near_copies_only_with_unsafe_fixes(write_jsonl, tmp_path):
    train = write_jsonl([pc(STORIES[0]), pc(reworded(STORIES[1]))], name="data/train.jsonl")
    test = write_jsonl([pc(STORIES[1])], name="data/test.jsonl")
    safe = dslint.clean([train, test], tmp_path / "safe", select=["X002"])
    assert safe.manifest.totals["rejected"] == 0
    result = dslint.clean([train, test], tmp_path / "out", select=["X002"], unsafe_fixes=True)
    assert result.manifest.rejections == {"X002": 1}
    assert [(f.kept, f.rejected) for f in result.manifest.files] == [(1, 1), (1, 0)]
    (reject,) = [json.loads(x) for x in (tmp_path / "out" / "dslint-rejects.jsonl").read_text().splitlines()]
    assert reject["line"] == 2 and reject["reasons"][0]["message"].startswith(f"near copy of test record {test}:1")
    written = [json.loads(x) for x in (tmp_path / "out" / "test.jsonl").read_text().splitlines()]
    assert written == [pc(STORIES[1])]
