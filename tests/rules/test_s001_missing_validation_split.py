"""S001 missing-validation-split: a train split with no validation split beside it."""

import dslint
from dslint.rules.splits.missing_validation_split import MissingValidationSplit


def rows(n: int, **extra: object) -> list[dict]:
    return [{"prompt": f"Question {i}?", "completion": f" Answer {i}.", **extra} for i in range(n)]


def test_train_alone_is_reported_with_how_to_make_a_validation_split(write_jsonl):
    train = write_jsonl(rows(250))
    (f,) = dslint.scan(train, select=["S001"]).findings()
    assert (f.code, f.severity, f.path, f.line, f.row, f.split, f.field) == (
        "S001",
        "warning",
        str(train),
        None,
        None,
        "train",
        None,
    )
    assert f.message == (
        "no validation split: no file is named for one (val, valid, validation, dev), none was given with "
        "--split validation=PATH, and no row has a split column naming one; hold out about 10% of the 250 train "
        "record(s) (~25; so few measure little, and k-fold cross-validation is the better check): `dslint clean "
        "--make-validation 0.1` writes one, keeping near copies on one side and labels stratified"
    )


def test_a_test_split_does_not_count_but_is_mentioned(write_jsonl):
    train = write_jsonl(rows(3000))
    test = write_jsonl(rows(40), name="test.jsonl")
    (f,) = dslint.scan([train, test], select=["S001"]).findings()
    assert "here ~300)" in f.message
    assert f.message.endswith(
        "; the test split (40 record(s)) does not count: it is for the final measurement, and tuning on it makes "
        "its score optimistic"
    )


def test_validation_by_file_name_split_option_or_column_passes(write_jsonl):
    train = write_jsonl(rows(10))
    for name in ("val.jsonl", "dev.jsonl", "validation-00000.jsonl", "valid/data.jsonl"):
        val = write_jsonl(rows(3), name=name)
        assert dslint.scan([train, val], select=["S001"]).count("S001") == 0, name
    other = write_jsonl(rows(3), name="heldout.jsonl")
    assert dslint.scan(train, splits={"validation": other}, select=["S001"]).count("S001") == 0
    assert dslint.scan(train, splits={"dev": other}, select=["S001"]).count("S001") == 0
    mixed = write_jsonl(rows(8, split="train") + rows(2, split="eval"), name="all.jsonl")
    assert dslint.scan(mixed, select=["S001"]).count("S001") == 0


def test_reference_files_and_eval_only_scans(write_jsonl):
    train = write_jsonl(rows(10))
    bench = write_jsonl(rows(3), name="bench.jsonl")
    assert dslint.scan(train, references=[bench], select=["S001"]).count("S001") == 1  # not part of the dataset
    val = write_jsonl(rows(3), name="val.jsonl")
    assert dslint.scan(val, select=["S001"]).count("S001") == 0  # nothing to train on: nothing to say
    assert dslint.scan(splits={"test": val}, select=["S001"]).count("S001") == 0


def test_several_train_files_point_at_the_first(write_jsonl):
    b = write_jsonl(rows(5), name="b/train.jsonl")
    a = write_jsonl(rows(5), name="a/train.jsonl")
    (f,) = dslint.scan([b, a], select=["S001"], jobs=2).findings()
    assert f.path == str(a) and "the 10 train record(s)" in f.message


def test_state_merges_associatively(make_record):
    rule = MissingValidationSplit()
    recs = [
        make_record(r, path=p, split=s)
        for r, p, s in [
            (rows(1)[0], "train.jsonl", "train"),
            (rows(1)[0], "train.jsonl", "train"),
            (rows(1)[0], "test.jsonl", "test"),
            (rows(1)[0], "x/train.jsonl", "train"),
        ]
    ]
    parts = [rule.new_state() for _ in range(3)]
    for i, r in enumerate(recs):
        k = min(i, 2)
        parts[k] = rule.update(parts[k], r)
    a, b, c = parts
    whole = rule.new_state()
    for r in recs:
        whole = rule.update(whole, r)
    assert rule.merge(rule.merge(a, b), c) == rule.merge(a, rule.merge(b, c)) == whole
    assert whole == {"train": {"train.jsonl": 2, "x/train.jsonl": 1}, "test": {"test.jsonl": 1}}
    assert len(list(rule.finalize(whole))) == 1
    assert list(rule.finalize(rule.new_state())) == []
