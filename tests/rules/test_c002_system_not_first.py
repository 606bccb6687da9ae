"""C002 system-not-first: a system turn after position 0."""

import dslint
from dslint.rules.chat.system_not_first import SystemNotFirst


def test_system_first_passes(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "system", "content": "You are a patient maths tutor."},
                {"role": "user", "content": "Why is 0.999... equal to 1?"},
                {"role": "assistant", "content": "Because 1/3 = 0.333..., and 3 x 1/3 = 1."},
            ]
        },
        {
            "system": "You answer in JSON.",
            "messages": [
                {"role": "user", "content": "List two primes."},
                {"role": "assistant", "content": '{"primes": [2, 3]}'},
            ],
        },
        {
            "conversations": [
                {"from": "system", "value": "You are terse."},
                {"from": "human", "value": "Capital of Peru?"},
                {"from": "gpt", "value": "Lima."},
            ]
        },
    ]
    assert dslint.scan(write_jsonl(rows), select=["C002"]).count("C002") == 0


def test_late_system_turns_are_reported(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Translate 'good night' to Spanish."},
                {"role": "system", "content": "Always answer in Spanish."},
                {"role": "assistant", "content": "Buenas noches."},
            ]
        },
        {
            "conversations": [
                {"from": "system", "value": "You are a chef."},
                {"from": "human", "value": "How do I make a roux?"},
                {"from": "gpt", "value": "Cook equal parts flour and butter."},
                {"from": "system", "value": "Be more detailed."},
                {"from": "human", "value": "How long?"},
                {"from": "gpt", "value": "Two to five minutes for a white roux."},
            ]
        },
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["C002"])
    found = report.findings()
    assert [(f.code, f.path, f.line, f.row, f.field) for f in found] == [
        ("C002", str(path), 1, 0, "messages[1].role"),
        ("C002", str(path), 2, 1, "conversations[3].from"),
    ]
    assert found[0].severity == "error"
    assert "system turn after 1 other turn(s)" in found[0].message
    assert "after 3 other turn(s)" in found[1].message


def test_every_late_system_turn_is_reported(make_record):
    record = make_record(
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "system", "content": "Be formal."},
                {"role": "assistant", "content": "Good day."},
                {"role": "developer", "content": "Be brief."},
            ]
        }
    )
    found = list(SystemNotFirst().check(record))
    assert [f.location.field for f in found] == ["messages[1].role", "messages[3].role"]


def test_top_level_system_plus_system_message_is_reported(make_record):
    # Two system prompts: the top-level field (first) and messages[0].
    record = make_record(
        {
            "system": "Be brief.",
            "messages": [
                {"role": "system", "content": "Answer in French."},
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Salut"},
            ],
        }
    )
    (finding,) = SystemNotFirst().check(record)
    assert finding.location.field == "messages[0].role"


def test_alpaca_system_field_is_not_a_turn_order_problem(make_record):
    record = make_record({"system": "Be kind.", "instruction": "Greet me.", "input": "", "output": "Hello!"})
    assert list(SystemNotFirst().check(record)) == []
