"""P007 system-prompt-variants: several different system prompts across the dataset."""

import dslint
from dslint.records import Severity
from dslint.rules.prompt.system_prompt_variants import SystemPromptVariants, SystemPromptVariantsOptions

HELPFUL = "You are a helpful assistant."


def chat(system: str | None, user: str = "Capital of Chile?", answer: str = "Santiago.") -> dict:
    turns = [] if system is None else [{"role": "system", "content": system}]
    turns += [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    return {"messages": turns}


def test_one_shared_system_prompt_passes(write_jsonl):
    rows = [chat(HELPFUL, f"Question {i}?") for i in range(5)]
    rows.append(
        {"system": HELPFUL, "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hi"}]}
    )
    rows.append({"system": HELPFUL, "instruction": "Say hi.", "output": "Hi."})
    rows.append({"prompt": "No system here ->", "completion": " fine"})  # formats without a system prompt
    assert dslint.scan(write_jsonl(rows), select=["P007"]).count("P007") == 0
    # no system prompt anywhere: nothing to compare
    assert dslint.scan(write_jsonl([chat(None)] * 3, name="none.jsonl"), select=["P007"]).count("P007") == 0


def test_variants_are_reported_with_counts_and_first_rows(write_jsonl):
    rows = [chat(HELPFUL) for _ in range(6)]
    rows[2] = chat("You are a helpful  assistant.")  # a stray double space
    rows[4] = chat("You are a pirate. Answer like one.")
    rows[5] = chat("You are a pirate. Answer like one.")
    rows.append(chat(None))
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["P007"]).findings()
    # in file and row order, as the engine expects of every rule
    assert [(f.line, f.row, f.field) for f in found] == [
        (1, 0, "messages[0].content"),
        (3, 2, "messages[0].content"),
        (5, 4, "messages[0].content"),
        (7, 6, None),
    ]
    assert [f.message for f in found] == [
        "3 different system prompts; the most common is used by 3 of 7 records (42.9%); 1 record(s) have none; "
        "first here",
        "system prompt variant 3 of 3, used by 1 of 7 records (14.3%); it differs from the most common one only "
        "in whitespace or case; first here",
        "system prompt variant 2 of 3, used by 2 of 7 records (28.6%); the most common one (3 records) is "
        '"You are a helpful assistant."; first here',
        "1 of 7 records have no system prompt while 6 have one; first here",
    ]
    assert [f.excerpt for f in found] == [
        HELPFUL,
        "You are a helpful assistant.",
        "You are a pirate. Answer like one.",
        None,
    ]
    assert {f.severity for f in found} == {"info"}


def test_only_the_top_variants_are_listed(write_jsonl):
    rows = [chat(f"You are assistant number {i % 4}.") for i in range(20)]
    rows += [chat(HELPFUL)] * 10
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["P007"], rules={"P007": {"max-listed": 2}})
    second, first = report.findings()  # in row order: the most common one first appears at row 20
    assert (second.row, first.row) == (0, 20)
    assert first.message == (
        "5 different system prompts; the most common is used by 10 of 30 records (33.3%); 3 less used variant(s) "
        "(15 records) not listed; first here"
    )
    assert second.message.startswith("system prompt variant 2 of 5, used by 5 of 30 records (16.7%)")


def test_per_record_system_prompts_are_by_design(write_jsonl, make_record):
    rows = [chat(f"You are helping customer #{i} with order {1000 + i}.") for i in range(30)]
    assert dslint.scan(write_jsonl(rows), select=["P007"]).count("P007") == 0
    # past max-variants the table is dropped (bounded state) and the rule stays silent
    rule = SystemPromptVariants(SystemPromptVariantsOptions.model_validate({"max-variants": 5}))
    state = rule.new_state()
    for i in range(6):
        state = rule.update(state, make_record(chat(f"Persona {i}"), row=i, line=i + 1))
    assert state.overflow and state.variants == {}
    assert list(rule.finalize(state)) == []


def test_state_merges_associatively(make_record):
    rule = SystemPromptVariants(SystemPromptVariantsOptions.model_validate({"max-variants": 4}))
    systems = [HELPFUL, HELPFUL, "Be terse.", None, HELPFUL, "Be terse.", "Be kind.", None, HELPFUL]
    records = [make_record(chat(s), path=f"part{i % 2}.jsonl", row=i, line=i + 1) for i, s in enumerate(systems)]
    whole = rule.new_state()
    for r in records:
        whole = rule.update(whole, r)
    a, b, c = rule.new_state(), rule.new_state(), rule.new_state()
    for r in records[:2]:
        a = rule.update(a, r)
    for r in records[2:6]:
        b = rule.update(b, r)
    for r in records[6:]:
        c = rule.update(c, r)
    assert rule.merge(rule.merge(a, b), c) == rule.merge(a, rule.merge(b, c)) == whole
    found = list(rule.finalize(whole))
    assert len(found) == 4  # three variants and the records without one
    assert found[0].severity == Severity.INFO
    # one more distinct prompt in one part overflows the merged table, whichever way it is merged
    c = rule.update(c, make_record(chat("Be loud."), path="part1.jsonl", row=9, line=10))
    c = rule.update(c, make_record(chat("Be quiet."), path="part1.jsonl", row=10, line=11))
    assert not c.overflow
    assert rule.merge(rule.merge(a, b), c) == rule.merge(a, rule.merge(b, c))
    assert rule.merge(a, rule.merge(b, c)).overflow
