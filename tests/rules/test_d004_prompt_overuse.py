"""D004 prompt-overuse: one opening prompt used far more than any other (template overuse)."""

from pathlib import Path

import dslint
from dslint.rules.duplicates import prompt_overuse
from dslint.rules.duplicates.prompt_overuse import PromptOveruse, PromptOveruseOptions, first_prompt

ROOT = Path(__file__).resolve().parents[2]
FASTCHAT = ROOT / "tests/data/fastchat_dummy_conv/dummy_conversation.json"
GLAIVE = ROOT / "tests/data/lf_glaive_toolcall/glaive_toolcall_en_demo.json"
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"
NERRE = ROOT / "tests/data/nerre_prompt_completion"


def chat(user, answer="Sure.", system=None):
    turns = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    if system is not None:
        turns.insert(0, {"role": "system", "content": system})
    return {"messages": turns}


def scan(paths, **settings):
    return dslint.scan(paths, select=["D004"], **settings)


def overused(n=200, repeated=30, prompt="Hi there!"):
    """`n` records: the first of every `n // repeated` opens with `prompt`, the rest with a prompt of their own."""
    step = n // repeated
    return [chat(prompt if i % step == 0 and i // step < repeated else f"Question number {i}?") for i in range(n)]


def test_varied_prompts_pass(write_jsonl):
    assert scan(write_jsonl([chat(f"Question {i}?") for i in range(300)])).count("D004") == 0
    # every prompt reused alike (several answers sampled per prompt): by design, not one overused template
    rows = [chat(f"Prompt {i % 10}", f"Answer {i}") for i in range(300)]
    assert scan(write_jsonl(rows, name="sampled.jsonl")).count("D004") == 0


def test_an_overused_opening_prompt_is_reported_at_its_first_record(write_jsonl):
    rows = [chat(f"Tell me about item {i}.") for i in range(5)] + overused(195, 30, "Hi   THERE!")
    report = scan(write_jsonl(rows, name="data.jsonl"))
    (finding,) = report.findings()
    assert (finding.line, finding.row, finding.field, finding.severity) == (6, 5, "messages[0].content", "info")
    assert finding.message == (
        'the same opening prompt "hi there!" is used by 30 of 200 train records (15.0%), 30x as often as the '
        "median prompt (1); first here"
    )


def test_thresholds(write_jsonl):
    path = write_jsonl(overused(200, 10))  # 10 of 200: 5.0%, not more than 5%
    assert scan(path).count("D004") == 0
    assert scan(path, rules={"D004": {"max-share": 0.04}}).count("D004") == 1
    assert scan(path, rules={"D004": {"max-share": 0.04, "min-ratio": 11}}).count("D004") == 0
    small = write_jsonl(overused(60, 20), name="small.jsonl")  # a third of the records, but only 60 of them
    assert scan(small).count("D004") == 0
    assert scan(small, rules={"D004": {"min-records": 50}}).count("D004") == 1


def test_the_opening_prompt_of_each_format(make_record):
    def key(value):
        return first_prompt(make_record(value))

    assert key(chat("Hello  World", system="Be nice.")) == (b"hello world", "messages[1].content")
    sharegpt = {
        "conversations": [
            {"from": "human", "value": "A"},
            {"from": "gpt", "value": "B"},
            {"from": "human", "value": "C"},
        ]
    }
    assert key(sharegpt) == (b"a", "conversations[0].value")  # the first user turn only
    assert key({"instruction": "Sum", "input": "1 2", "output": "3"}) == (b"sum\x1e1 2", "instruction")
    assert key({"prompt": "P ->", "completion": " c"}) == (b"p ->", "prompt")
    assert key({"text": "T", "label": 1}) == (b"t", "text")
    assert key({"text": "pre-training text"}) == (b"", None)


def test_splits_are_judged_separately(write_jsonl):
    train = write_jsonl(overused(200, 30), name="data/train.jsonl")
    test = write_jsonl([chat("Hi there!")] * 5 + [chat(f"Q {i}") for i in range(195)], name="data/test.jsonl")
    (finding,) = scan([train, test]).findings()
    assert (finding.path, finding.split) == (str(train), "train")


def test_fastchat_what_is_up():
    (finding,) = scan(FASTCHAT).findings()
    assert (finding.line, finding.field) == (36, "conversations[0].value")
    assert finding.message == (
        'the same opening prompt "what is up?" is used by 167 of 500 train records (33.4%), 21x as often as the '
        "median prompt (8); first here"
    )


def test_glaive_flight_booking_request():
    (finding,) = scan(GLAIVE).findings()
    assert finding.message.startswith(
        'the same opening prompt "can you please book a flight for me from new york to london?" is used by 16 of '
        "300 train records (5.3%)"
    )


def test_quiet_on_varied_real_data():
    assert scan(ANTHROPIC).count("D004") == 0  # 499 distinct opening prompts in 500 records
    assert scan(NERRE).count("D004") == 0  # abstracts, each used once or twice


def test_same_report_with_two_processes(write_jsonl):
    a = write_jsonl(overused(100, 20), name="part0.jsonl")
    b = write_jsonl(overused(100, 20), name="part1.jsonl")
    one, two = scan([a, b]), scan([a, b], jobs=2)
    assert one.count("D004") == two.count("D004") == 1
    assert [f.model_dump() for f in one.findings()] == [f.model_dump() for f in two.findings()]
    assert "40 of 200 train records (20.0%)" in one.findings()[0].message


def test_state_merges_associatively_and_keeps_the_heavy_prompt_text(make_record, monkeypatch, merged_parts):
    monkeypatch.setattr(prompt_overuse, "HEAVY", 8)  # a small summary: unique prompts evict each other
    rule = PromptOveruse(PromptOveruseOptions.model_validate({"min-records": 10}))
    rows = overused(120, 24, "The Template")
    records = [make_record(r, path=f"part{i // 40}.jsonl", row=i % 40, line=i % 40 + 1) for i, r in enumerate(rows)]
    whole, left, right = merged_parts(rule, records, (7, 70))
    assert left == right == whole  # the records; the summary only keeps texts for the message
    assert len(left.heavy) <= 8 and len(whole.heavy) <= 8
    found = [f.to_dict() for f in rule.finalize(whole)]
    assert [f.to_dict() for f in rule.finalize(left)] == [f.to_dict() for f in rule.finalize(right)] == found
    assert len(found) == 1 and found[0]["message"].startswith('the same opening prompt "the template" is used by 24')
    assert (found[0]["path"], found[0]["line"]) == ("part0.jsonl", 1)
