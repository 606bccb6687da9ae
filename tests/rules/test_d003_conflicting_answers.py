"""D003 conflicting-answers: the same prompt with different answers (or labels)."""

from pathlib import Path

import dslint
from dslint.rules.duplicates.conflicting_answers import ConflictingAnswers, prompt_and_answer

ROOT = Path(__file__).resolve().parents[2]
NERRE = ROOT / "tests/data/nerre_prompt_completion"
NERRE_MOF = NERRE / "general_and_mofs/data/experiments_mof_gpt3/fold_0/train.jsonl"
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"


def pc(prompt, completion):
    return {"prompt": prompt, "completion": completion}


def chat(*turns, system=None):
    roles = ["user", "assistant"] * len(turns)
    messages = [{"role": role, "content": text} for role, text in zip(roles, turns, strict=False)]
    if system is not None:
        messages.insert(0, {"role": "system", "content": system})
    return {"messages": messages}


def scan(paths, **settings):
    return dslint.scan(paths, select=["D003"], **settings)


def test_consistent_answers_pass(write_jsonl):
    rows = [pc(f"Q{i} ->", f" A{i}") for i in range(5)]
    rows += [pc("Q1 ->", " A1"), pc("q1  ->", " a1 ")]  # repeats with the same answer: D001's, not a conflict
    rows += [{"text": "Just text."}, {"text": "Just text."}]  # nothing to answer
    assert scan(write_jsonl(rows)).count("D003") == 0


def test_a_prompt_with_two_answers_is_reported_once(write_jsonl):
    rows = [
        pc("Extract: ZIF-8 adsorbs CO2 ->", ' [{"mof": "ZIF-8"}]'),  # line 1
        pc("Other ->", " x"),
        pc("Extract: ZIF-8 adsorbs CO2 ->", ' [{"mof": "ZIF-8"}]'),  # line 3: same answer
        pc("extract: zif-8  adsorbs co2 ->", ' [{"mof": "ZIF-8", "guest": "CO2"}]'),  # line 4: another answer
        pc("Extract: ZIF-8 adsorbs CO2 ->", ' [{"mof": "ZIF-8"}]'),
    ]
    report = scan(write_jsonl(rows, name="data.jsonl"))
    (finding,) = report.findings()
    assert (finding.line, finding.row, finding.field, finding.severity) == (4, 3, "completion", "warning")
    assert finding.message == (
        "same prompt as the record at line 1 with a different answer: 2 different answers among the 4 records "
        "with this prompt: line 1 (answer 1), line 3 (answer 1), line 4 (answer 2), line 5 (answer 1)"
    )


def test_labels_turns_and_formats(write_jsonl):
    rows = [
        {"text": "I loved it", "label": "positive"},
        {"text": "I loved it", "label": "negative"},  # line 2: a conflicting label
        chat("Capital of France?", "Paris."),
        chat("Capital of France?", "Paris.", system="Answer briefly."),  # another prompt (the system turn)
        chat("Capital of France?", "Lyon.", system="Answer briefly."),  # line 5
        {"instruction": "Translate", "input": "chat", "output": "cat"},
        {"instruction": "Translate", "input": "chien", "output": "dog"},  # another input: another prompt
        {"instruction": "Translate", "input": "chat", "output": "chat (French) is cat"},  # line 8
        chat("Hi", "Hello!", "Bye", "Bye!"),
        chat("Hi", "Hey!", "Bye", "Bye!"),  # line 10: same user turns, another reply: a conflict
    ]
    found = scan(write_jsonl(rows)).findings()
    assert [(f.line, f.field) for f in found] == [
        (2, "label"),
        (5, "messages[2].content"),
        (8, "output"),
        (10, "messages[1].content"),
    ]


def test_prompt_and_answer_keys(make_record):
    prompt, answer, field = prompt_and_answer(make_record(chat("A  b", "C", system="S")))
    assert (prompt, answer, field) == (b"system\x1fs\x1f\x1euser\x1fa b\x1f", b"c", "messages[2].content")
    _, answer, field = prompt_and_answer(make_record({"text": "pre-training text has no answer"}))
    assert (answer, field) == (b"", None)
    assert prompt_and_answer(make_record({"messages": []})) == (b"", b"", None)


def test_conflicts_are_found_within_each_split(write_jsonl):
    train = write_jsonl([pc("Q ->", " A")], name="data/train.jsonl")
    valid = write_jsonl([pc("Q ->", " B"), pc("R ->", " 1"), pc("R ->", " 2")], name="data/valid.jsonl")
    (finding,) = scan([train, valid]).findings()
    assert (finding.path, finding.line, finding.split) == (str(valid), 3, "validation")


def test_nerre_mof_has_exactly_four_conflicting_prompts():
    """SOURCE.txt: "4 prompts appear twice with slightly different completions"."""
    report = scan(NERRE_MOF)
    found = report.findings()
    assert report.count("D003") == 4
    assert [(f.line, f.field) for f in found] == [
        (159, "completion"),
        (258, "completion"),
        (322, "completion"),
        (356, "completion"),
    ]
    assert found[0].message == (
        "same prompt as the record at line 33 with a different answer: 2 different answers among the 2 records "
        "with this prompt: line 33 (answer 1), line 159 (answer 2)"
    )
    assert scan(NERRE).count("D003") == 4  # the other nerre files have none


def test_anthropic_json_mode_repeats_one_question_with_another_answer():
    """The one prompt the 500 records repeat ("whats the difference between weather and climate") is answered
    with two differently structured JSON objects: a true conflict for a JSON-mode fine-tune."""
    (finding,) = scan(ANTHROPIC).findings()
    assert (finding.line, finding.field) == (340, "messages[1].content")
    assert "same prompt as the record at line 65" in finding.message


def test_same_report_with_two_processes(write_jsonl):
    a = write_jsonl([pc("Q ->", " A"), pc("R ->", " A")], name="part0.jsonl")
    b = write_jsonl([pc("Q ->", " B"), pc("R ->", " A"), pc("S ->", " A")], name="part1.jsonl")
    one, two = scan([a, b]), scan([a, b], jobs=2)
    assert one.count("D003") == two.count("D003") == 1
    assert [f.model_dump() for f in one.findings()] == [f.model_dump() for f in two.findings()]
    (finding,) = one.findings()
    assert (finding.path, finding.line) == (str(b), 1)
    assert finding.message.endswith(f"with this prompt: {a}:1 (answer 1), line 1 (answer 2)")


def test_state_merges_associatively_and_halves_equal_one_pass(make_record, merged_parts):
    rule = ConflictingAnswers()
    rows = [pc("Q ->", " A"), pc("R ->", " 1"), pc("Q ->", " A"), pc("Q ->", " B"), pc("R ->", " 2"), pc("S ->", " x")]
    records = [make_record(r, path=f"part{i // 2}.jsonl", row=i % 2, line=i % 2 + 1) for i, r in enumerate(rows)]
    whole, left, right = merged_parts(rule, records, (1, 4))
    assert left == right == whole
    found = [f.to_dict() for f in rule.finalize(whole)]
    assert [f.to_dict() for f in rule.finalize(left)] == found
    assert [(f["path"], f["line"], f["field"]) for f in found] == [
        ("part1.jsonl", 2, "completion"),
        ("part2.jsonl", 1, "completion"),
    ]


def test_listing_is_bounded(write_jsonl):
    rows = [pc("Q ->", f" {i % 3}") for i in range(10)]
    report = dslint.scan(write_jsonl(rows), select=["D003"], rules={"D003": {"max-listed": 2}})
    (finding,) = report.findings()
    assert finding.message == (
        "same prompt as the record at line 1 with a different answer: 3 different answers among the 10 records "
        "with this prompt: line 1 (answer 1), line 2 (answer 2) and 8 more"
    )
