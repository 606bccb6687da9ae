"""X003 ngram-contamination: an eval example whose word 13-grams appear in a train record."""

import pickle

import numpy as np
import pytest

import dslint
from dslint.rules.leakage.ngram_contamination import NgramContamination, NgramContaminationOptions, NgramIndex
from dslint.text.ngrams import text_ngram_hashes, words

# 20 words each; no 13-gram is shared between them
QUESTIONS = [
    "A farmer has seventeen sheep and buys nine more at the market, then sells four to his neighbour on Sunday. "
    "How many sheep remain?",
    "Tom reads twelve pages of his novel every evening for three weeks and then finishes the last forty pages in "
    "one weekend. How long is the novel?",
    "A train leaves the station at noon travelling at eighty kilometres per hour towards a city three hundred "
    "kilometres away. When does it arrive?",
]


def pc(prompt: str, completion: str) -> dict:
    return {"prompt": prompt, "completion": completion}


def train_side(report: dslint.Report) -> list:
    """X003's findings at train records (the probes)."""
    return [f for f in report.findings() if f.code == "X003" and f.split == "train"]


def eval_side(report: dslint.Report) -> list:
    """X003's findings at eval examples (`finalize`: the fraction of each found anywhere in train)."""
    return [f for f in report.findings() if f.code == "X003" and f.split != "train"]


def test_an_eval_question_inside_a_train_record_is_reported_with_its_fraction(write_jsonl):
    pasted = "Here is a puzzle I found online. " + QUESTIONS[0].upper().replace(",", "") + " Please help me."
    train = write_jsonl([pc("What is the capital of France?", "Paris."), pc("Solve this.", pasted)])
    test = write_jsonl([pc(q, "The answer is below.") for q in QUESTIONS], name="test.jsonl")
    report = dslint.scan([train, test], select=["X003"])
    (f,) = train_side(report)
    n_grams = len(words(QUESTIONS[0])) - 12
    assert (f.code, f.path, f.line, f.row, f.split, f.field, f.severity) == (
        "X003",
        str(train),
        2,
        1,
        "train",
        "completion",
        "warning",
    )
    assert f.message == (
        f"contains 13-grams of the input of test record {test}:1 ({n_grams} of its {n_grams} 13-grams, 100.0%)"
    )
    assert f.excerpt == "…a farmer has seventeen sheep and buys nine more at the market then…"
    (e,) = eval_side(report)  # the eval example itself, with what all of train holds of it
    assert (e.path, e.line, e.split, e.field) == (str(test), 1, "test", "prompt")
    assert (
        e.message == f"{n_grams} of the {n_grams} 13-grams of this test example's input (100.0%) occur in train records"
    )


def test_an_eval_example_spread_over_train_records_is_reported_with_the_union(write_jsonl):
    tokens = words(QUESTIONS[1])  # 27 words: 15 13-grams
    halves = [" ".join(tokens[:19]), " ".join(tokens[9:])]  # 7 and 6 of them, 13 together
    train = write_jsonl([pc("Continue: " + h, "...") for h in halves])
    val = write_jsonl([pc(QUESTIONS[1], "Three weeks of twelve pages plus forty.")], name="val.jsonl")
    report = dslint.scan([train, val], select=["X003"], rules={"X003": {"min-fraction": 0.5}})
    assert train_side(report) == []  # each record holds under half of them (and under min-ngrams, 10)
    (e,) = eval_side(report)
    assert e.message == "13 of the 15 13-grams of this validation example's input (86.7%) occur in train records"


def test_a_partial_overlap_reports_the_fraction_and_the_field(write_jsonl):
    tokens = words(QUESTIONS[1])
    part = " ".join(tokens[:15])  # 15 words: 3 of the question's 13-grams
    train = write_jsonl(
        [{"messages": [{"role": "user", "content": f"Continue: {part}"}, {"role": "assistant", "content": "..."}]}]
    )
    val = write_jsonl([pc(QUESTIONS[1], "Three weeks of twelve pages plus forty.")], name="val.jsonl")
    (f,) = train_side(dslint.scan([train, val], select=["X003"]))
    total = len(tokens) - 12
    assert f.field == "messages[0].content"
    assert f.message.endswith(f"(3 of its {total} 13-grams, {3 / total:.1%})")
    report = dslint.scan([train, val], select=["X003"], rules={"X003": {"min-fraction": 0.5}})
    assert report.count("X003") == 0


def test_a_shared_boilerplate_line_is_below_the_floors(write_jsonl):
    notice = "Copyright 2018 The Royal Society of Chemistry and the Centre National de la Recherche Scientifique."
    body = [f"term{i}" for i in range(300)]  # a long eval example: 315 words, 303 13-grams
    val = write_jsonl([pc(" ".join(body) + " " + notice, "A summary.")], name="val.jsonl")
    # the notice (15 words) gives 3 of them: 1%, under min-fraction (5%) and min-ngrams (10)
    train = write_jsonl([pc("Summarise: Metal oxides were studied by X-ray diffraction. " + notice, "Oxides.")])
    assert dslint.scan([train, val], select=["X003"]).count("X003") == 0
    (f,) = train_side(dslint.scan([train, val], select=["X003"], rules={"X003": {"min-fraction": 0}}))
    assert f.message.endswith("(3 of its 303 13-grams, 1.0%)")
    # 25 words of the body: 13 n-grams, 4.3% of a long example, but more than min-ngrams
    train = write_jsonl([pc("Quote: " + " ".join(body[100:125]), "ok")], name="t2/train.jsonl")
    (f,) = train_side(dslint.scan([train, val], select=["X003"]))
    assert f.message.endswith("(13 of its 303 13-grams, 4.3%)")
    report = dslint.scan([train, val], select=["X003"], rules={"X003": {"min-ngrams": 14}})
    assert report.count("X003") == 0


def test_short_eval_examples_are_skipped_and_n_is_an_option(write_jsonl):
    short = "The quick brown fox jumps over the lazy dog near the river"  # 12 words
    train = write_jsonl([pc("Type this sentence.", short + " bank today.")])
    val = write_jsonl([pc(short, "ok")], name="val.jsonl")
    assert dslint.scan([train, val], select=["X003"]).count("X003") == 0
    report = dslint.scan([train, val], select=["X003"], rules={"X003": {"n": 8}})
    (f,) = train_side(report)
    assert "contains 8-grams of the input of validation record" in f.message
    assert f.message.endswith("(5 of its 5 8-grams, 100.0%)")


def test_only_the_eval_input_is_indexed_unless_scope_is_all(write_jsonl):
    answer = "First add the seventeen sheep and the nine new ones, then take away the four sold to get twenty two."
    train = write_jsonl([pc("An unrelated question about sheep?", answer)])
    test = write_jsonl([pc(QUESTIONS[0], answer)], name="test.jsonl")
    assert dslint.scan([train, test], select=["X003"]).count("X003") == 0
    report = dslint.scan([train, test], select=["X003"], rules={"X003": {"scope": "all"}})
    (f,) = train_side(report)
    assert "contains 13-grams of the text of test record" in f.message
    assert "13-grams of this test example's text" in eval_side(report)[0].message


def test_boilerplate_shared_by_eval_examples_is_ignored(write_jsonl):
    template = "Read the following problem carefully and answer with a single number and no explanation at all please."
    evals = [pc(f"{template} {q}", "1") for q in QUESTIONS]
    train = write_jsonl([pc(f"{template} How many legs do three spiders have?", "24")])
    test = write_jsonl(evals, name="test.jsonl")
    assert dslint.scan([train, test], select=["X003"]).count("X003") == 0  # in 3 eval examples: a template
    report = dslint.scan([train, test], select=["X003"], rules={"X003": {"template-examples": 0}})
    (f,) = train_side(report)
    assert f.message.startswith(f"contains 13-grams of the input of test record {test}:1 (")
    assert "; also of test record" in f.message and f"{test}:2" in f.message and f"{test}:3" in f.message
    report = dslint.scan([train, test], select=["X003"], rules={"X003": {"template-examples": 0, "max-listed": 1}})
    assert train_side(report)[0].message.endswith("; and 2 more eval example(s)")


def test_exact_leaks_are_left_to_x001(write_jsonl):
    train = write_jsonl([pc(QUESTIONS[0], "Twenty two."), pc(QUESTIONS[1], "84 pages.")])
    test = write_jsonl([pc(QUESTIONS[0], "Twenty two."), pc(QUESTIONS[1].replace("?", "!"), "84")], "test.jsonl")
    report = dslint.scan([train, test], select=["X001", "X003"])
    assert {r.code: r.count for r in report.rules} == {"X001": 1, "X003": 2}
    (x003,) = train_side(report)
    assert x003.line == 2
    assert [f.line for f in eval_side(report)] == [2]  # the exact copy (test line 1) is X001's alone


def test_index_is_a_sorted_array_that_merges_exactly(make_record):
    rule = NgramContamination()
    rows = [pc(q, "a") for q in QUESTIONS] + [pc(QUESTIONS[0] + " Explain.", "b"), pc("too short", "c")]
    records = [make_record(r, path="test.jsonl", row=i, line=i + 1, split="test") for i, r in enumerate(rows)]
    whole = rule.new_index()
    for r in records:
        whole = rule.add_reference(whole, r)
    whole.flush()
    assert len(whole.wheres) == 4  # the short one is skipped
    assert np.all(whole.hashes[:-1] <= whole.hashes[1:])
    expected = np.unique(np.concatenate([text_ngram_hashes(r["prompt"], 13) for r in rows[:4]]))
    assert np.array_equal(np.unique(whole.hashes), expected)
    per_example = [np.unique(text_ngram_hashes(r["prompt"], 13)) for r in rows[:4]]
    assert whole.sizes == [len(h) for h in per_example]
    assert len(whole.hashes) == sum(whole.sizes)  # one entry per (n-gram, example)
    parts = [rule.new_index() for _ in range(3)]
    for i, r in enumerate(records):
        k = 0 if i < 1 else 1 if i < 3 else 2
        parts[k] = rule.add_reference(parts[k], r)
    a, b, c = parts
    assert rule.merge(rule.merge(a, b), c) == rule.merge(a, rule.merge(b, c)) == whole
    assert np.array_equal(np.unique(rule.merge(a, b).hashes), np.union1d(np.unique(a.hashes), np.unique(b.hashes)))
    assert pickle.loads(pickle.dumps(whole)) == whole
    assert rule.merge(rule.new_index(), whole) == whole == rule.merge(whole, NgramIndex())
    (f,) = rule.probe(whole, make_record(pc("Quote: " + QUESTIONS[0], "x"), row=7))
    assert "test record test.jsonl:1 (" in f.message and "also of test record test.jsonl:4" in f.message
    # 12 bytes per (n-gram, example), and the probe's bitmap: >= 16 bits per entry, not pickled
    assert whole.bitmap is not None and whole.bitmap.nbytes * 8 >= 16 * len(whole.hashes)
    assert whole.nbytes == 12 * len(whole.hashes) + whole.bitmap.nbytes
    assert pickle.loads(pickle.dumps(whole)).bitmap is None


def test_the_probe_bitmap_has_no_false_negatives():
    rng = np.random.default_rng(7)
    index = NgramIndex()
    index.wheres, index.sizes, index.keys = [("t", 0, 1, "test")], [5000], [(None, None)]
    index.pending = [np.unique(rng.integers(0, 2**64, size=5000, dtype=np.uint64))]
    assert index.candidates(index.flush().hashes).all()
    others = rng.integers(0, 2**64, size=100_000, dtype=np.uint64)
    assert index.candidates(others).mean() < 1 / 16  # false candidates, checked by the binary search


def test_ngram_hashes_follow_the_words():
    hashes = text_ngram_hashes("One two three four five six", 3)
    assert hashes.dtype == np.uint64 and len(hashes) == 4 and len(set(hashes.tolist())) == 4
    assert len(text_ngram_hashes("One two three four five six", 7)) == 0
    # case, punctuation and spacing aside, the same words give the same n-grams
    assert text_ngram_hashes("ONE,  two; three", 3)[0] == hashes[0]
    assert text_ngram_hashes("two three four", 3)[0] == hashes[1]
    assert text_ngram_hashes("one two four", 3)[0] not in hashes
    assert NgramContaminationOptions().n == 13


def test_words_split_on_punctuation_and_unicode_punctuation():
    assert words("Hello, World-wide! snake_case 3.14") == ["hello", "world", "wide", "snake_case", "3", "14"]
    # casefold turns the micro sign into a mu
    text = "Don\u2019t \u00abstop\u00bb \u2014 caf\u00e9 \u00d72 na\u00efve \u00b5m"
    assert words(text) == ["don", "t", "stop", "caf\u00e9", "2", "na\u00efve", "\u03bcm"]
    assert words("東京、大阪。「京都」") == ["東京", "大阪", "京都"]
    assert words("") == [] and words(" ,.; ") == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_jobs_give_the_same_report(write_jsonl, jobs):
    a = write_jsonl([pc("Copy: " + QUESTIONS[0], "x"), pc("nothing here", "y")], name="a/train.jsonl")
    b = write_jsonl([pc("nothing", "z"), pc("Copy: " + QUESTIONS[2], "w")], name="b/train.jsonl")
    v = write_jsonl([pc(QUESTIONS[2], "4 pm")], name="a/val.jsonl")
    t = write_jsonl([pc(QUESTIONS[0], "22"), pc(QUESTIONS[1], "??")], name="b/test.jsonl")
    one = dslint.scan([a, b, v, t], select=["X003"], jobs=1)
    many = dslint.scan([a, b, v, t], select=["X003"], jobs=jobs)
    assert one.model_dump() == many.model_dump()
    assert [(f.path, f.line) for f in train_side(many)] == [(str(a), 1), (str(b), 2)]
    assert sorted((f.path, f.line) for f in eval_side(many)) == [(str(v), 1), (str(t), 1)]
