"""P002 inconsistent-stop-sequence: completions that do not end with the dataset's stop sequence, by consensus."""

import dslint
from dslint.rules.prompt.stop_consensus import StopConsensus

STOP = "\n\nEND\n\n"
SEP = "\n\n###\n\n"
ANSWERS = [
    ' [{"name": "MIL-100(Cr)", "applications": ["adsorption"]}]',
    " []",
    " The host 'ZnO' was doped with 'Mn'.",
    " Yes, at 300 K.",
    " Friedel-Crafts reaction",
    " CO2 uptake of 4.2 mmol/g",
]


def pc(completion: str, prompt: str = "Extract the materials from this abstract." + SEP) -> dict[str, str]:
    return {"prompt": prompt, "completion": completion}


def test_consistent_stop_sequence_passes(write_jsonl):
    rows = [pc(a + STOP) for a in ANSWERS]
    assert dslint.scan(write_jsonl(rows), select=["P002"]).count("P002") == 0


def test_a_deviating_file_is_reported_with_its_exact_count(write_jsonl):
    general = write_jsonl([pc(a + STOP) for a in ANSWERS], name="general.jsonl")
    doping = write_jsonl([pc(a + "\n\nEND") for a in ANSWERS[:4]], name="doping.jsonl")
    (finding,) = dslint.scan([doping, general], select=["P002"]).findings()
    assert (finding.path, finding.line, finding.row, finding.field, finding.span) == (
        str(doping),
        1,
        0,
        "completion",
        [len(ANSWERS[0]), len(ANSWERS[0]) + 5],
    )
    assert finding.message == (
        '4 of 4 completions in this file end with "\\n\\nEND"; the dataset\'s stop sequence is "\\n\\nEND\\n\\n" '
        "(6 of 10 completions); first here (also rows 1, 2)"
    )
    assert finding.severity == "error"


def test_missing_and_other_stops_in_one_file(write_jsonl):
    rows = [pc(a + " END") for a in ANSWERS]
    rows[1] = pc(" []")  # no stop at all
    rows[3] = pc(" Yes, at 300 K.###")
    path = write_jsonl(rows)
    found = sorted(dslint.scan(path, select=["P002"]).findings(), key=lambda f: f.row)
    assert [(f.line, f.row, f.message.split(";")[0]) for f in found] == [
        (2, 1, "1 of 6 completions in this file end without a stop sequence"),
        (4, 3, '1 of 6 completions in this file end with "###"'),
    ]
    assert all('the dataset\'s stop sequence is " END" (4 of 6 completions)' in f.message for f in found)


def test_no_common_stop_sequence_suggests_an_unused_one(write_jsonl):
    rows = [pc(a) for a in ANSWERS]
    (finding,) = dslint.scan(write_jsonl(rows, name="a.jsonl"), select=["P002"]).findings()
    assert (finding.line, finding.row, finding.field) == (1, 0, "completion")
    assert finding.message.endswith('e.g. " END", which occurs in none of them')
    # " END" is used inside a completion and no completion has a line break: "\n" is next
    rows.append(pc(" It is THE END of the story."))
    (finding,) = dslint.scan(write_jsonl(rows, name="b.jsonl"), select=["P002"]).findings()
    assert finding.message.endswith('e.g. "\\n", which occurs in none of them')
    rows.append(pc(" two\nlines"))
    (finding,) = dslint.scan(write_jsonl(rows, name="c.jsonl"), select=["P002"]).findings()
    assert finding.message.endswith('e.g. " ###", which occurs in none of them')


def test_classification_labels_need_no_stop_sequence(write_jsonl):
    rows = [pc(label, f"Review {i}: a film.\n\nSentiment:") for i, label in enumerate([" positive", " negative"] * 4)]
    assert dslint.scan(write_jsonl(rows), select=["P002"]).count("P002") == 0


def test_fix_normalises_to_the_majority_and_is_idempotent(make_record):
    rule = StopConsensus()
    records = [make_record(pc(a + STOP), row=i, line=i + 1) for i, a in enumerate(ANSWERS)]
    short = make_record(pc(" The host 'SrLaMgTaO6' was doped with 'Er'.\n\nEND"), row=6, line=7)
    bare = make_record(pc(" []"), row=7, line=8)
    state = rule.new_state()
    for r in [*records, short, bare]:
        state = rule.update(state, r)
    assert [rule.fix(r, state) for r in records] == [[]] * len(records)
    assert rule.fix(short, state) == ["completion"]
    assert short.raw["completion"] == " The host 'SrLaMgTaO6' was doped with 'Er'." + STOP
    assert short.raw["prompt"].endswith(SEP)  # P002 leaves the prompt alone
    assert rule.fix(bare, state) == ["completion"]
    assert bare.raw["completion"] == " []" + STOP
    assert rule.fix(short, state) == rule.fix(bare, state) == []


def test_state_merges_associatively(make_record):
    rule = StopConsensus()
    rows = [pc(a + STOP) for a in ANSWERS] + [pc(a + "\n\nEND") for a in ANSWERS[:3]] + [pc(" x")]
    records = [make_record(row, path=f"p{i % 2}.jsonl", row=i // 2, line=i // 2 + 1) for i, row in enumerate(rows)]
    whole = rule.new_state()
    for r in records:
        whole = rule.update(whole, r)
    a, b, c = rule.new_state(), rule.new_state(), rule.new_state()
    for r in records[:3]:
        a = rule.update(a, r)
    for r in records[3:7]:
        b = rule.update(b, r)
    for r in records[7:]:
        c = rule.update(c, r)
    assert rule.merge(rule.merge(a, b), c) == rule.merge(a, rule.merge(b, c)) == whole
    assert sum(int(f.message.split()[0]) for f in rule.finalize(whole)) == 4
