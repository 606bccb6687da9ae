"""B001 label-imbalance: a split of classification data whose labels are badly imbalanced."""

import json
from pathlib import Path

import pytest

import dslint
from dslint.records import Severity
from dslint.rules.balance.label_imbalance import LabelImbalance, LabelImbalanceOptions

DATA = Path(__file__).resolve().parents[1] / "data"


def labelled(labels: list, split: str | None = None) -> list[dict]:
    rows = [{"text": f"Review number {i}.", "label": label} for i, label in enumerate(labels)]
    if split:
        for row in rows:
            row["split"] = split
    return rows


def test_balanced_labels_pass(write_jsonl):
    rows = labelled(["pos", "neg", "neutral"] * 40)
    assert dslint.scan(write_jsonl(rows), select=["B001"]).count("B001") == 0
    # 80/20 is imbalanced but within both defaults (ratio 4, entropy 0.72)
    rows = labelled(["pos"] * 80 + ["neg"] * 20)
    assert dslint.scan(write_jsonl(rows, "b.jsonl"), select=["B001"]).count("B001") == 0


def test_imbalanced_split_is_reported_with_counts_ratio_entropy_and_the_rare_label(write_jsonl):
    labels = ["pos"] * 200
    labels[37:47] = ["neg"] * 10
    path = write_jsonl(labelled(labels))
    (found,) = dslint.scan(path, select=["B001"]).findings()
    assert found.message == (
        'train split: 2 labels over 200 records are imbalanced (from the "label" field): "pos" 190 (95.0%), '
        '"neg" 10 (5.0%); majority/minority ratio 19.0 (above 10), normalised entropy 0.29 (below 0.5); '
        'first "neg" record here'
    )
    assert (found.row, found.line, found.field, found.split, found.severity) == (37, 38, "label", "train", "warning")


def test_each_split_is_judged_on_its_own(write_jsonl):
    rows = labelled(["a", "b"] * 50)  # train: balanced
    rows += labelled(["a"] * 57 + ["b"] * 3, split="validation")  # ratio 19
    rows += labelled(["a"] * 20 + ["b"], split="test")  # imbalanced, but too few records to judge
    path = write_jsonl(rows)
    (found,) = dslint.scan(path, select=["B001"]).findings()
    assert found.split == "validation"
    assert found.message.startswith('validation split: 2 labels over 60 records are imbalanced (from the "label"')
    assert found.row == 157  # the first "b" of the validation rows
    report = dslint.scan(path, select=["B001"], rules={"B001": {"min-records": 10}})
    assert [f.split for f in report.findings()] == ["validation", "test"]


def test_many_labels_list_the_most_and_least_common(write_jsonl):
    counts = [200, 100, 90, 80, 70, 60, 50, 40, 30, 10]
    labels = [f"class-{i}" for i, n in enumerate(counts) for _ in range(n)]
    (found,) = dslint.scan(write_jsonl(labelled(labels)), select=["B001"]).findings()
    assert found.message == (
        'train split: 10 labels over 730 records are imbalanced (from the "label" field): "class-0" 200 (27.4%), '
        '"class-1" 100 (13.7%), "class-2" 90 (12.3%), … 4 more …, "class-7" 40 (5.5%), "class-8" 30 (4.1%), '
        '"class-9" 10 (1.4%); majority/minority ratio 20.0 (above 10), normalised entropy 0.91; first "class-9" '
        "record here"
    )
    assert found.row == 720


def test_thresholds_are_configurable(write_jsonl):
    path = write_jsonl(labelled(["pos"] * 85 + ["neg"] * 15))
    assert dslint.scan(path, select=["B001"]).count("B001") == 0
    report = dslint.scan(path, select=["B001"], rules={"B001": {"min-entropy": 0.7}})
    assert "normalised entropy 0.61 (below 0.7)" in report.findings()[0].message
    report = dslint.scan(path, select=["B001"], rules={"B001": {"max-ratio": 5}})
    assert "ratio 5.7 (above 5)" in report.findings()[0].message


def test_a_single_label_is_reported(write_jsonl):
    (found,) = dslint.scan(write_jsonl(labelled([1] * 60)), select=["B001"]).findings()
    assert found.message == (
        'train split: all 60 labelled records have the same label, 1 (from the "label" field); first here'
    )


def test_labels_keep_their_json_type_and_multi_label_items_count(write_jsonl):
    # 1 and "1" are different labels to a trainer, and are shown as such
    path = write_jsonl(labelled([1] * 95 + ["1"] * 5))
    assert '1 95 (95.0%), "1" 5 (5.0%)' in dslint.scan(path, select=["B001"]).findings()[0].message
    # each item of a list label counts; percentages are of records
    rows = labelled([["sports", "news"]] * 60 + [["sports"]] * 30 + [["arts"]] * 5)
    (found,) = dslint.scan(write_jsonl(rows, "multi.jsonl"), select=["B001"]).findings()
    assert '"sports" 90 (94.7%), "news" 60 (63.2%), "arts" 5 (5.3%)' in found.message
    assert "ratio 18.0" in found.message


def test_too_many_distinct_labels_are_not_classes(write_jsonl, make_record):
    rows = labelled([f"id-{i}" for i in range(150)] + ["x"] * 500)
    assert dslint.scan(write_jsonl(rows), select=["B001"]).count("B001") == 0
    rule = LabelImbalance(LabelImbalanceOptions.model_validate({"max-labels": 3}))
    state = rule.new_state()
    for i, label in enumerate(["a", "b", "c", "d"]):
        state = rule.update(state, make_record({"text": "t", "label": label}, row=i))
    assert state.labels.overflow and state.labels.counts == {}  # bounded: the table is dropped
    assert list(rule.finalize(state)) == []


def prompt_completion(answers: list[str]) -> list[dict]:
    return [{"prompt": f"Review {i}: it was fine.\nSentiment:", "completion": a} for i, a in enumerate(answers)]


def test_short_replies_are_read_as_labels(write_jsonl):
    # " Positive.", " positive" and "POSITIVE" are one label once normalised
    answers = [" Positive.", " positive", "POSITIVE"] * 95 + [" negative"] * 15
    path = write_jsonl(prompt_completion(answers))
    (found,) = dslint.scan(path, select=["B001"]).findings()
    assert found.message == (
        "train split: 2 labels over 300 records are imbalanced (labels read from the replies: 2 distinct short "
        'replies make 100.0% of the 300 replies): "positive" 285 (95.0%), "negative" 15 (5.0%); majority/minority '
        'ratio 19.0 (above 10), normalised entropy 0.29 (below 0.5); first "negative" record here'
    )
    assert (found.row, found.field) == (285, "completion")
    # chat data: the last assistant reply is the label
    chats = [
        {"messages": [{"role": "user", "content": f"Is {i} prime?"}, {"role": "assistant", "content": a}]}
        for i, a in enumerate(["No"] * 190 + ["Yes"] * 10)
    ]
    (found,) = dslint.scan(write_jsonl(chats, "chat.jsonl"), select=["B001"]).findings()
    assert '"no" 190 (95.0%), "yes" 10 (5.0%)' in found.message
    assert found.field == "messages[1].content"


def test_free_text_replies_are_not_labels(write_jsonl):
    # long replies, or short ones that are mostly distinct, are not classification
    answers = [f"The answer is {i} because {i} plus nothing is {i}." for i in range(100)]
    assert dslint.scan(write_jsonl(prompt_completion(answers)), select=["B001"]).count("B001") == 0
    answers = [f"Santiago {i}" for i in range(100)]
    assert dslint.scan(write_jsonl(prompt_completion(answers), "b.jsonl"), select=["B001"]).count("B001") == 0
    # labels must cover 95% of the replies: 90% is not enough
    answers = ["yes"] * 85 + ["no"] * 5 + [f"It depends on case {i} and more." for i in range(10)]
    assert dslint.scan(write_jsonl(prompt_completion(answers), "c.jsonl"), select=["B001"]).count("B001") == 0
    # too few replies to infer anything
    assert (
        dslint.scan(write_jsonl(prompt_completion(["yes"] * 40 + ["no"]), "d.jsonl"), select=["B001"]).count("B001")
        == 0
    )


def test_real_data_without_labels_is_silent(tmp_path):
    gsm8k = tmp_path / "data" / "gsm8k.jsonl"
    gsm8k.parent.mkdir()
    with (DATA / "gsm8k" / "train.jsonl").open(encoding="utf-8") as src, gsm8k.open("w", encoding="utf-8") as out:
        for line in src:
            row = json.loads(line)
            out.write(json.dumps({"prompt": row["question"], "completion": row["answer"]}) + "\n")
    assert dslint.scan(gsm8k, select=["B001"]).count("B001") == 0
    assert dslint.scan(DATA / "lf_identity" / "identity.json", select=["B001"]).count("B001") == 0


def test_state_merges_associatively(make_record):
    rule = LabelImbalance(LabelImbalanceOptions.model_validate({"min-records": 5}))
    rows = [({"text": "t", "label": lab}, split) for lab, split in zip("aababaaaaaaaab", "ttttvvvvvvvvtt", strict=True)]
    rows += [({"prompt": "p", "completion": " yes"}, "t")] * 3
    records = [
        make_record(r, path=f"part{i % 3}.jsonl", row=i, line=i + 1, split="train" if s == "t" else "validation")
        for i, (r, s) in enumerate(rows)
    ]
    whole = rule.new_state()
    for r in records:
        whole = rule.update(whole, r)
    parts = [rule.new_state() for _ in range(3)]
    for i, r in enumerate(records):
        k = 0 if i < 4 else 1 if i < 11 else 2
        parts[k] = rule.update(parts[k], r)
    a, b, c = parts
    assert rule.merge(rule.merge(a, b), c) == rule.merge(a, rule.merge(b, c))
    merged = rule.merge(rule.merge(a, b), c)
    assert merged.labels.counts == whole.labels.counts and merged.labels.records == whole.labels.records
    assert merged.replies.counts == whole.replies.counts
    assert list(rule.finalize(merged)) == list(rule.finalize(rule.merge(a, rule.merge(b, c))))
    # overflow is associative too: a fourth distinct label in one part overflows whichever way it merges
    small = LabelImbalance(LabelImbalanceOptions.model_validate({"max-labels": 3}))
    x, y, z = small.new_state(), small.new_state(), small.new_state()
    x = small.update(x, make_record({"text": "t", "label": "a"}))
    y = small.update(y, make_record({"text": "t", "label": "b"}))
    z = small.update(z, make_record({"text": "t", "label": "c"}))
    z = small.update(z, make_record({"text": "t", "label": "d"}))
    assert small.merge(small.merge(x, y), z) == small.merge(x, small.merge(y, z))
    assert small.merge(x, small.merge(y, z)).labels.overflow


def test_report_is_identical_for_one_and_two_jobs(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name, labels in (("a.jsonl", ["x"] * 70 + ["y"] * 3), ("b.jsonl", ["y"] * 2 + ["x"] * 45)):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in labelled(labels)), encoding="utf-8")
    one = dslint.scan(folder, select=["B001"], jobs=1)
    two = dslint.scan(folder, select=["B001"], jobs=2)
    assert one.count("B001") == 1
    assert one.to_json() == two.to_json()
    (found,) = one.findings()
    assert (Path(found.path).name, found.row) == ("a.jsonl", 70)  # the first "y"
    assert "x" in found.message and '"y" 5 (4.2%)' in found.message


@pytest.mark.parametrize("bad", [{"max-ratio": 1}, {"min-entropy": 1.5}, {"max-inferred-labels": 5000}])
def test_options_are_validated(bad):
    with pytest.raises(ValueError):
        LabelImbalanceOptions.model_validate(bad)


def test_severity_and_documentation():
    assert LabelImbalance.default_severity == Severity.WARNING
    doc = LabelImbalance.documentation()
    for part in ("**What it does**", "**Why it matters**", "**Example**", "**Fix**", "S003"):
        assert part in doc
