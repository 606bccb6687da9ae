"""S002 split-too-small: a validation or test split too small to measure anything."""

import pytest

import dslint
from dslint.rules.splits.split_too_small import SplitTooSmall, standard_error


def rows(n: int, **extra: object) -> list[dict]:
    return [{"prompt": f"Question {i}?", "completion": f" Answer {i}.", **extra} for i in range(n)]


def test_a_small_validation_split_is_reported_with_the_standard_error(write_jsonl):
    train = write_jsonl(rows(500))
    val = write_jsonl(rows(30), name="val.jsonl")
    (f,) = dslint.scan([train, val], select=["S002"]).findings()
    assert (f.code, f.severity, f.path, f.line, f.split, f.field) == (
        "S002",
        "warning",
        str(val),
        None,
        "validation",
        None,
    )
    assert f.message == (
        "the validation split has 30 record(s), fewer than 50: an accuracy measured on it has a standard error of "
        "up to 9.1 points (95% interval +/-18 points), and one record moves it by 3.3 points"
    )


@pytest.mark.parametrize(("n", "found"), [(1, 1), (49, 1), (50, 0), (400, 0)])
def test_floor(write_jsonl, n, found):
    test = write_jsonl(rows(n), name="test.jsonl")
    assert dslint.scan(test, select=["S002"]).count("S002") == found


def test_each_eval_split_is_measured_and_files_add_up(write_jsonl):
    train = write_jsonl(rows(10))
    v1 = write_jsonl(rows(20), name="v/val-1.jsonl")
    v2 = write_jsonl(rows(20), name="v/val-2.jsonl")
    test = write_jsonl(rows(5), name="test.jsonl")
    found = dslint.scan([train, v2, v1, test], select=["S002"]).findings()
    assert [(f.split, f.path) for f in found] == [("test", str(test)), ("validation", str(v1))]
    assert found[1].message.startswith("the validation split has 40 record(s)")
    assert found[1].message.endswith(f"(files: {v1}, {v2})")
    assert dslint.scan(train, select=["S002"]).count("S002") == 0  # train is L003's


def test_split_column_and_options(write_jsonl):
    path = write_jsonl(rows(100, split="train") + rows(60, split="test"), name="all.jsonl")
    assert dslint.scan(path, select=["S002"]).count("S002") == 0
    (f,) = dslint.scan(path, select=["S002"], rules={"S002": {"min-records": 100}}).findings()
    assert f.message.startswith("the test split has 60 record(s), fewer than 100:")
    report = dslint.scan(path, select=["S002"], rules={"S002": {"min-records": 100}}, severity={"S002": "error"})
    assert report.findings()[0].severity == "error" and not report.passed


def test_standard_error_and_state_merge(make_record):
    assert standard_error(100) == pytest.approx(0.05)
    assert standard_error(100, 0.9) == pytest.approx(0.03)
    rule = SplitTooSmall()
    recs = [make_record(r, path=f"val{i % 2}.jsonl", split="validation") for i, r in enumerate(rows(5))]
    recs.append(make_record(rows(1)[0], path="train.jsonl", split="train"))  # not counted
    parts = [rule.new_state() for _ in range(3)]
    for i, r in enumerate(recs):
        parts[i % 3] = rule.update(parts[i % 3], r)
    a, b, c = parts
    merged = rule.merge(rule.merge(a, b), c)
    assert merged == rule.merge(a, rule.merge(b, c)) == {"validation": {"val0.jsonl": 3, "val1.jsonl": 2}}
    (f,) = rule.finalize(merged)
    assert f.location.path == "val0.jsonl"


@pytest.mark.parametrize("jobs", [1, 2])
def test_jobs_give_the_same_report(write_jsonl, jobs):
    files = [
        write_jsonl(rows(30), name="a/train.jsonl"),
        write_jsonl(rows(12), name="a/val.jsonl"),
        write_jsonl(rows(20), name="b/val.jsonl"),
        write_jsonl(rows(7), name="b/test.jsonl"),
    ]
    one = dslint.scan(files, select=["S001", "S002"], jobs=1)
    many = dslint.scan(files, select=["S001", "S002"], jobs=jobs)
    assert one.model_dump() == many.model_dump()
    assert [(f.code, f.split, f.path) for f in many.findings()] == [
        ("S002", "validation", str(files[1])),  # in file order
        ("S002", "test", str(files[3])),
    ]
    assert many.findings()[0].message.startswith("the validation split has 32 record(s)")
