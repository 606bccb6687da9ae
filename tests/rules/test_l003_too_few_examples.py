"""L003 too-few-examples: a train split under 10 examples is an error, under 100 a warning."""

import pytest

import dslint
from dslint.records import Severity
from dslint.rules.length.too_few_examples import TooFewExamples


def _rows(n):
    return [
        {
            "messages": [
                {"role": "system", "content": "You are a friendly unit converter."},
                {"role": "user", "content": f"Convert {i} inches to centimetres."},
                {"role": "assistant", "content": f"{i} inches is {i * 2.54:.2f} cm."},
            ]
        }
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("n", "severity", "floor"),
    [(1, "error", 10), (5, "error", 10), (9, "error", 10), (10, "warning", 100), (99, "warning", 100)],
)
def test_thresholds_and_severities(write_jsonl, n, severity, floor):
    path = write_jsonl(_rows(n))
    report = dslint.scan(path, select=["L003"])
    (finding,) = report.findings()
    assert (finding.code, finding.path, finding.line, finding.row, finding.field, finding.split) == (
        "L003",
        str(path),
        None,
        None,
        None,
        "train",
    )
    assert finding.severity == severity
    assert f"the train split has {n} example(s), fewer than {floor}" in finding.message
    assert str(path) in finding.message
    assert report.passed is (severity == "warning")


def test_hundred_examples_pass(write_jsonl):
    report = dslint.scan(write_jsonl(_rows(100)), select=["L003"])
    assert report.count("L003") == 0
    assert report.passed


def test_counts_across_train_files(write_jsonl):
    a = write_jsonl(_rows(60), name="part-b/train.jsonl")
    b = write_jsonl(_rows(45), name="part-a/train.jsonl")
    assert dslint.scan([a, b], select=["L003"]).count("L003") == 0
    c = write_jsonl(_rows(4), name="x/train.jsonl")
    d = write_jsonl(_rows(4), name="y/train.jsonl")
    (finding,) = dslint.scan([d, c], select=["L003"]).findings()
    assert finding.severity == "error"
    assert "has 8 example(s)" in finding.message
    assert finding.path == str(c)  # the first file by name
    assert str(c) in finding.message and str(d) in finding.message


def test_only_the_train_split_counts(write_jsonl):
    train = write_jsonl(_rows(150), name="train.jsonl")
    val = write_jsonl(_rows(3), name="val.jsonl")
    report = dslint.scan(train, splits={"validation": val}, select=["L003"])
    assert report.count("L003") == 0
    # a lone validation file: nothing to say about the train split
    assert dslint.scan(val, select=["L003"]).count("L003") == 0
    assert dslint.scan(splits={"test": train}, select=["L003"]).count("L003") == 0


def test_split_column_moves_rows_out_of_train(write_jsonl):
    rows = [dict(r, split="test") for r in _rows(200)] + _rows(12)
    (finding,) = dslint.scan(write_jsonl(rows), select=["L003"]).findings()
    assert "has 12 example(s), fewer than 100" in finding.message
    rows = [dict(r, split="test") for r in _rows(5)]
    assert dslint.scan(write_jsonl(rows, name="all_test_rows.jsonl"), select=["L003"]).count("L003") == 0


def test_options_and_severity_override(write_jsonl):
    path = write_jsonl(_rows(20))
    report = dslint.scan(path, select=["L003"], rules={"L003": {"error-below": 25, "warning-below": 50}})
    assert report.findings()[0].severity == "error"
    assert "fewer than 25" in report.findings()[0].message
    assert dslint.scan(path, select=["L003"], rules={"L003": {"warning-below": 20}}).count("L003") == 0
    small = write_jsonl(_rows(5), name="small/train.jsonl")
    report = dslint.scan(small, select=["L003"], severity={"L003": "warning"})
    assert report.findings()[0].severity == "warning"
    assert report.passed


def test_state_merges(make_record):
    rule = TooFewExamples()
    recs = [make_record(r, path=f"shard{i % 2}.jsonl") for i, r in enumerate(_rows(7))]
    a, b = rule.new_state(), rule.new_state()
    for r in recs[:3]:
        a = rule.update(a, r)
    for r in recs[3:]:
        b = rule.update(b, r)
    merged = rule.merge(a, b)
    assert merged == {"shard0.jsonl": 4, "shard1.jsonl": 3}
    (finding,) = rule.finalize(merged)
    assert finding.severity == Severity.ERROR
    assert list(rule.finalize(rule.new_state())) == []
