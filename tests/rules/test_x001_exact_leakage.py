"""X001 exact-leakage: a train record that is also in an eval split (same content, or same prompt)."""

import json
import pickle

import pytest

import dslint
from dslint.records import Severity
from dslint.rules.leakage.exact_leakage import ExactIndex, ExactLeakage, ExactLeakageOptions, exact_keys

QUESTIONS = [
    "What is the boiling point of water at sea level?",
    "Name the largest planet in the solar system.",
    "Who painted the ceiling of the Sistine Chapel?",
    "How many sides does a hexagon have?",
    "What gas do plants absorb from the air?",
    "Which ocean lies between Africa and Australia?",
]
ANSWERS = ["100 degrees Celsius.", "Jupiter.", "Michelangelo.", "Six.", "Carbon dioxide.", "The Indian Ocean."]


def pc(prompt: str, completion: str, **extra: object) -> dict:
    return {"prompt": prompt, "completion": completion, **extra}


def chat(user: str, answer: str, system: str | None = None) -> dict:
    turns = [] if system is None else [{"role": "system", "content": system}]
    return {"messages": [*turns, {"role": "user", "content": user}, {"role": "assistant", "content": answer}]}


def train_rows() -> list[dict]:
    return [pc(q, a) for q, a in zip(QUESTIONS, ANSWERS, strict=True)]


def test_exact_copy_is_reported_at_the_train_record_with_the_eval_location(write_jsonl):
    train = write_jsonl(train_rows())
    # the same content with other whitespace and case, an id and metadata: still the same record
    val = write_jsonl(
        [
            pc("What is the speed of light in vacuum?", "About 300,000 km/s."),
            pc("  how many SIDES does a hexagon\nhave? ", "six.", id="v-17", metadata={"source": "quiz"}),
        ],
        name="val.jsonl",
    )
    assert dslint.scan(train, select=["X001"]).count("X001") == 0  # no eval split: nothing to compare with
    report = dslint.scan([train, val], select=["X001"])
    (f,) = report.findings()
    assert (f.code, f.path, f.line, f.row, f.split, f.field) == ("X001", str(train), 4, 3, "train", None)
    assert f.severity == "error"
    assert f.message == (
        f"exact copy of validation record {val}:2 (same prompt and response, whitespace and case aside)"
    )
    assert f.excerpt == "How many sides does a hexagon have?"
    assert not report.passed


def test_same_prompt_with_another_answer_is_reported_as_a_prompt_leak(write_jsonl):
    train = write_jsonl([chat(q, a) for q, a in zip(QUESTIONS, ANSWERS, strict=True)])
    test = write_jsonl([pc(QUESTIONS[1], "Saturn."), pc(QUESTIONS[4], "")], name="test.jsonl")
    report = dslint.scan([train, test], select=["X001"])
    first, second = report.findings()
    assert (first.line, first.field, first.split) == (2, "messages[0].content", "train")
    assert first.message == (
        f"same prompt as test record {test}:1: the eval question is trained on, though the answers differ"
    )
    # an eval item without a reference answer: its question alone is the leak
    assert (second.line, second.field) == (5, "messages[0].content")
    assert second.message == f"same prompt as test record {test}:2: the eval question is trained on"


def test_system_prompts_ids_and_formats_do_not_hide_a_copy(write_jsonl):
    train = write_jsonl([chat(q, a, system="You are a quiz master.") for q, a in zip(QUESTIONS, ANSWERS, strict=True)])
    test = write_jsonl(
        [
            {"instruction": QUESTIONS[2], "output": ANSWERS[2], "id": 99},
            {"conversations": [{"from": "human", "value": QUESTIONS[3]}, {"from": "gpt", "value": ANSWERS[3]}]},
        ],
        name="test.jsonl",
    )
    found = dslint.scan([train, test], select=["X001"]).findings()
    assert [(f.line, f.message.split(" (")[0]) for f in found] == [
        (3, f"exact copy of test record {test}:1"),
        (4, f"exact copy of test record {test}:2"),
    ]


def test_no_leak_and_short_prompts(write_jsonl):
    train = write_jsonl([pc("Hi", "Hello! How can I help?"), pc("Thanks a lot", "You're welcome."), *train_rows()])
    test = write_jsonl([pc("Hi", "Hey there."), pc("Thanks a lot", "Any time."), pc("What is 2 + 2?", "4")], "t.jsonl")
    # "Hi" (1 word) and "Thanks a lot" (3 words, the default floor) differ in their answers
    report = dslint.scan(train, splits={"test": test}, select=["X001"])
    assert [f.line for f in report.findings()] == [2]
    report = dslint.scan(train, splits={"test": test}, select=["X001"], rules={"X001": {"min-prompt-words": 1}})
    assert [f.line for f in report.findings()] == [1, 2]
    report = dslint.scan(train, splits={"test": test}, select=["X001"], rules={"X001": {"min-prompt-words": 4}})
    assert report.count("X001") == 0


def test_classification_labels_are_the_response(write_jsonl):
    train = write_jsonl([{"text": "The battery died after a week.", "label": "negative"}])
    same = write_jsonl([{"text": "the battery died after a week.", "label": "negative"}], "validation.jsonl")
    other = write_jsonl([{"text": "The battery died after a week.", "label": "positive"}], "test.jsonl")
    (f,) = dslint.scan([train, same], select=["X001"]).findings()
    assert f.message.startswith("exact copy of validation record")
    (f,) = dslint.scan([train, other], select=["X001"]).findings()
    assert f.message.startswith("same prompt as test record") and f.field == "text"


def test_copies_in_several_eval_records_and_split_columns(write_jsonl):
    rows = [dict(r, split="train") for r in train_rows()]
    rows += [dict(train_rows()[0], split="validation"), dict(train_rows()[0], split="test")]
    rows.append(dict(pc("A question nobody trained on?", "Yes."), split="test"))
    path = write_jsonl(rows, name="all.jsonl")
    (f,) = dslint.scan(path, select=["X001"]).findings()
    assert (f.line, f.split) == (1, "train")
    assert f.message == (
        f"exact copy of validation record {path}:7 (same prompt and response, whitespace and case aside); "
        "1 more eval record(s) have it too"
    )


def test_reference_files_are_indexed_not_scanned(write_jsonl):
    train = write_jsonl(train_rows())
    bench = write_jsonl([pc(QUESTIONS[5], ANSWERS[5]), pc(QUESTIONS[5], ANSWERS[5])], name="benchmark.jsonl")
    report = dslint.scan(train, references=[bench], select=["X001", "S001"])
    assert report.files == [str(train)]
    leaks = [f for f in report.findings() if f.code == "X001"]
    assert [(f.path, f.line) for f in leaks] == [(str(train), 6)]
    assert leaks[0].message.startswith(f"exact copy of reference record {bench}:1 ")
    assert report.count("S001") == 1  # a reference file is not a validation split


@pytest.mark.parametrize("jobs", [1, 2])
def test_jobs_give_the_same_report(write_jsonl, jobs):
    rows = train_rows()
    a = write_jsonl(rows[:3], name="part-a/train.jsonl")
    b = write_jsonl(rows[3:], name="part-b/train.jsonl")
    v = write_jsonl([rows[4], pc("unrelated question here?", "no")], name="part-a/val.jsonl")
    t = write_jsonl([rows[0], pc(QUESTIONS[2], "Raphael.")], name="part-b/test.jsonl")
    one = dslint.scan([a, b, v, t], select=["X001"], jobs=1)
    many = dslint.scan([a, b, v, t], select=["X001"], jobs=jobs)
    assert one.model_dump() == many.model_dump()
    assert [(f.path, f.line) for f in many.findings()] == [(str(a), 1), (str(a), 3), (str(b), 2)]


def test_index_merges_associatively_and_pickles(make_record):
    rule = ExactLeakage()
    rows = [*train_rows(), train_rows()[0], pc(QUESTIONS[1], "Saturn.")]
    records = [
        make_record(r, path=f"val{i % 3}.jsonl", row=i, line=i + 1, split="validation") for i, r in enumerate(rows)
    ]
    whole = rule.new_index()
    for r in records:
        whole = rule.add_reference(whole, r)
    parts = [rule.new_index() for _ in range(3)]
    for i, r in enumerate(records):
        k = 0 if i < 2 else 1 if i < 5 else 2
        parts[k] = rule.add_reference(parts[k], r)
    a, b, c = parts
    left, right = rule.merge(rule.merge(a, b), c), rule.merge(a, rule.merge(b, c))
    assert left == right == whole
    assert pickle.loads(pickle.dumps(whole)) == whole
    content, _, _ = exact_keys(records[0])
    assert whole.content[content][0] == 2  # two eval records share it; the first one is kept
    assert whole.content[content][1] == ("val0.jsonl", 0, 1, "validation")
    assert rule.merge(rule.new_index(), whole) == whole == rule.merge(whole, ExactIndex())
    probe = make_record(pc(QUESTIONS[1], ANSWERS[1]))
    (f,) = rule.probe(whole, probe)
    assert f.severity == Severity.ERROR and f.message.startswith("exact copy of validation record val1.jsonl:2")
    assert rule.drop(probe, whole) == "exact copy of validation record val1.jsonl:2"
    assert rule.drop(make_record(pc("Brand new question here?", "Sure.")), whole) is None
    # a prompt under min-prompt-words gets no prompt key, so only whole copies match
    strict = ExactLeakage(ExactLeakageOptions.model_validate({"min-prompt-words": 50}))
    assert exact_keys(records[0], 50)[1] is None
    index = strict.add_reference(strict.new_index(), records[1])
    assert index.prompts == {} and list(strict.probe(index, make_record(pc(QUESTIONS[1], "Saturn.")))) == []


def test_clean_drops_leaking_train_records_and_never_touches_eval(write_jsonl, tmp_path):
    train = write_jsonl(train_rows(), name="data/train.jsonl")
    val = write_jsonl([train_rows()[2], pc(QUESTIONS[3], "6")], name="data/val.jsonl")
    before = val.read_bytes()
    result = dslint.clean([train, val], tmp_path / "out", select=["X001"])
    m = result.manifest
    assert m.rejections == {"X001": 2}
    assert [(f.input, f.kept, f.rejected) for f in m.files] == [(str(train), 4, 2), (str(val), 2, 0)]
    assert val.read_bytes() == before  # the input is never modified, and its copy keeps every record as it was
    written = [json.loads(line) for line in (tmp_path / "out" / "val.jsonl").read_text().splitlines()]
    assert written == [json.loads(line) for line in before.decode().splitlines()]
    kept = [json.loads(line)["prompt"] for line in (tmp_path / "out" / "train.jsonl").read_text().splitlines()]
    assert kept == [QUESTIONS[0], QUESTIONS[1], QUESTIONS[4], QUESTIONS[5]]
    rejects = [json.loads(line) for line in (tmp_path / "out" / "dslint-rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["reasons"][0]["code"], r["reasons"][0]["message"]) for r in rejects] == [
        (3, "X001", f"exact copy of validation record {val}:1"),
        (4, "X001", f"same prompt as validation record {val}:2"),
    ]
