"""S003 label-shift: the label distribution of an eval split differs from train's (and `dslint.text.labels`)."""

import pytest

import dslint
from dslint.records import Severity
from dslint.rules.splits.label_shift import LabelShift, LabelShiftOptions, chi_square, gamma_q
from dslint.text.labels import is_classification, label_of, labelled


def cls(labels: list[str], start: int = 0) -> list[dict]:
    return [{"text": f"Review {start + i}: it arrived on time.", "label": label} for i, label in enumerate(labels)]


def pc(labels: list[str]) -> list[dict]:
    return [{"prompt": f"Review {i}: fine.\n\n###\n\n", "completion": f" {label}\n"} for i, label in enumerate(labels)]


# -- label_of ------------------------------------------------------------------------------------------


def test_label_of_reads_declared_labels_and_short_replies(make_record):
    assert label_of(make_record({"text": "x", "label": "spam"})) == "spam"
    assert label_of(make_record({"text": "x", "label": 3})) == "3"
    assert label_of(make_record({"text": "x", "label": True})) == "true"
    assert label_of(make_record({"text": "x", "label": ["a", "b"]})) == '["a","b"]'
    assert label_of(make_record({"text": "x", "label": None})) is None
    found = labelled(make_record({"text": "x", "label": " ham "}))
    assert (found.text, found.field, found.explicit) == ("ham", "label", True)
    assert label_of(make_record({"prompt": "Review: great\n\n###\n\n", "completion": " positive END"})) == "positive"
    assert label_of(make_record({"prompt": "p", "completion": " positive<|endoftext|>"})) == "positive"
    assert label_of(make_record({"prompt": "p", "completion": " WEEKEND"})) == "WEEKEND"  # END only as a word
    chat = {"messages": [{"role": "user", "content": "Sentiment of: meh"}, {"role": "assistant", "content": "Neutral"}]}
    found = labelled(make_record(chat))
    assert (found.text, found.field, found.explicit) == ("Neutral", "messages[1].content", False)
    # long, multi-line, several assistant turns, no prompt: not a label
    assert label_of(make_record({"prompt": "p", "completion": "It was a long and winding road home."})) is None
    assert label_of(make_record({"prompt": "p", "completion": "yes\nno"})) is None
    two = {
        "messages": [*chat["messages"], {"role": "user", "content": "Sure?"}, {"role": "assistant", "content": "Yes"}]
    }
    assert label_of(make_record(two)) is None
    assert label_of(make_record({"text": "a pre-training document"})) is None


def test_is_classification():
    assert is_classification({"a": 50, "b": 50}, 100, explicit=100)
    assert is_classification({"a": 3}, 3, explicit=3)  # declared labels always count
    assert is_classification({"pos": 60, "neg": 40}, 100)
    assert not is_classification({str(i): 1 for i in range(100)}, 100)  # short answers, mostly distinct
    assert not is_classification({"pos": 60, "neg": 10}, 100)  # most records have no label
    assert not is_classification({"pos": 100}, 100)  # one class
    assert not is_classification({}, 0)


# -- the rule ------------------------------------------------------------------------------------------


def test_a_shifted_validation_split_is_reported(write_jsonl):
    train = write_jsonl(cls(["positive", "negative"] * 100))
    val = write_jsonl(cls(["positive"] * 85 + ["negative"] * 15), name="val.jsonl")
    (f,) = dslint.scan([train, val], select=["S003"]).findings()
    assert (f.code, f.severity, f.path, f.line, f.split, f.field) == (
        "S003",
        "warning",
        str(val),
        None,
        "validation",
        "label",
    )
    stat, _, p = chi_square({"positive": 100, "negative": 100}, {"positive": 85, "negative": 15})
    assert f.message == (
        "the label distribution of the validation split differs from train's: total variation distance 0.35 "
        f"(chi-square {stat:.1f}, 1 dof, p = {p:.2g}; 200 train and 100 validation labels); largest differences: "
        '"negative" 50.0% of train vs 15.0%, "positive" 50.0% of train vs 85.0%'
    )


def test_same_distribution_and_small_counts_are_quiet(write_jsonl):
    train = write_jsonl(cls(["a", "b", "c"] * 100))
    val = write_jsonl(cls(["c", "b", "a"] * 20), name="val.jsonl")
    assert dslint.scan([train, val], select=["S003"]).count("S003") == 0
    small = write_jsonl(cls(["a"] * 9 + ["b"]), name="test.jsonl")  # far off, but 10 records prove nothing
    assert dslint.scan([train, small], select=["S003"]).count("S003") == 0
    # a shift that is large but not significant at 30 records per split is not reported either
    t30 = write_jsonl(cls(["a", "b"] * 15), name="t30/train.jsonl")
    v30 = write_jsonl(cls(["a"] * 19 + ["b"] * 11), name="t30/val.jsonl")
    assert dslint.scan([t30, v30], select=["S003"]).count("S003") == 0


def test_labels_missing_on_either_side(write_jsonl):
    train = write_jsonl(cls(["spam"] * 60 + ["ham"] * 30 + ["promo"] * 10 + ["rare"]))
    test = write_jsonl(cls(["spam"] * 60 + ["ham"] * 29 + ["Ham", "phishing"], start=500), name="test.jsonl")
    found = dslint.scan([train, test], select=["S003"]).findings()
    assert [(f.line, f.field, f.split) for f in found] == [
        (None, "label", "test"),
        (90, "label", "test"),
        (91, "label", "test"),
    ]
    missing, case, new = found
    # promo: 10 of 101 train labels, ~9 expected among 91 test labels; "rare" expects 0.9: not reported
    assert missing.message == (
        '1 train label(s) never occur in the test split (91 labels), so they are never measured: "promo" '
        "(10 train records, ~9 expected here)"
    )
    assert case.message == (
        'label "Ham" occurs in 1 test record(s) but never in train (101 train labels) (train has "ham"): the model '
        "cannot learn it; first here"
    )
    assert new.message.startswith('label "phishing" occurs in 1 test record(s) but never in train (101 train labels):')
    assert new.excerpt == "phishing"


def test_labels_read_from_short_completions(write_jsonl):
    train = write_jsonl(pc(["positive", "negative"] * 60))
    val = write_jsonl(pc(["positive"] * 50 + ["negative"] * 10), name="val.jsonl")
    (f,) = dslint.scan([train, val], select=["S003"]).findings()
    assert f.field == "completion" and "total variation distance 0.33" in f.message
    # a Q&A set with short answers is not classification
    qa = write_jsonl(
        [{"prompt": f"What is {i} + {i}?", "completion": f" {2 * i}"} for i in range(100)], "qa/train.jsonl"
    )
    qv = write_jsonl([{"prompt": f"What is {i} + 1?", "completion": f" {i + 1}"} for i in range(60)], "qa/val.jsonl")
    assert dslint.scan([qa, qv], select=["S003"]).count("S003") == 0


def test_options(write_jsonl):
    train = write_jsonl(cls(["a", "b"] * 100))
    val = write_jsonl(cls(["a"] * 60 + ["b"] * 40), name="val.jsonl")
    assert dslint.scan([train, val], select=["S003"]).count("S003") == 0  # tvd 0.10: at the threshold
    report = dslint.scan([train, val], select=["S003"], rules={"S003": {"max-tvd": 0.05, "p-value": 0.2}})
    assert report.count("S003") == 1
    with pytest.raises(ValueError):
        LabelShiftOptions.model_validate({"max-tvd": 2})


@pytest.mark.parametrize("jobs", [1, 2])
def test_jobs_give_the_same_report(write_jsonl, jobs):
    a = write_jsonl(cls(["x", "y"] * 50), name="a/train.jsonl")
    b = write_jsonl(cls(["x", "y", "z"] * 20), name="b/train.jsonl")
    v = write_jsonl(cls(["x"] * 40 + ["w"] * 2), name="a/val.jsonl")
    one = dslint.scan([a, b, v], select=["S003"], jobs=1)
    many = dslint.scan([a, b, v], select=["S003"], jobs=jobs)
    assert one.model_dump() == many.model_dump()
    # the shift, y and z never measured (one finding), w never trained
    assert [f.message.split(" ")[0:2] for f in one.findings()] == [["the", "label"], ["2", "train"], ["label", '"w"']]


def test_state_merges_associatively_and_overflows(make_record):
    rule = LabelShift(LabelShiftOptions.model_validate({"max-labels": 3}))
    rows = cls(["a", "b", "a", "c", "b", "a"])
    recs = [make_record(r, path=f"p{i % 2}.jsonl", row=i, line=i + 1, split="train") for i, r in enumerate(rows)]
    recs.append(make_record(cls(["b"])[0], path="v.jsonl", row=0, line=1, split="validation"))
    whole = rule.new_state()
    for r in recs:
        whole = rule.update(whole, r)
    parts = [rule.new_state() for _ in range(3)]
    for i, r in enumerate(recs):
        parts[i % 3] = rule.update(parts[i % 3], r)
    a, b, c = parts
    assert rule.merge(rule.merge(a, b), c) == rule.merge(a, rule.merge(b, c)) == whole
    assert whole["train"].labels["a"] == (3, ("p0.jsonl", 0, 1, "label"))
    assert whole["validation"].records == 1
    d = rule.update(rule.new_state(), make_record(cls(["d"])[0], path="p9.jsonl", split="train"))
    assert rule.merge(whole, d)["train"].overflow and rule.merge(d, whole)["train"].labels == {}
    assert list(rule.finalize(rule.merge(whole, d))) == []
    assert rule.default_severity == Severity.WARNING


def test_chi_square_p_values_match_tables():
    assert gamma_q(0.5, 3.841459 / 2) == pytest.approx(0.05, rel=1e-5)
    assert gamma_q(1.5, 11.34487 / 2) == pytest.approx(0.01, rel=1e-5)
    assert gamma_q(20, 25) == pytest.approx(0.13357483408565, rel=1e-9)  # chi2.sf(50, 40)
    assert chi_square({"a": 10}, {"a": 5}) == (0.0, 0, 1.0)
