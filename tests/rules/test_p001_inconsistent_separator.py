"""P001 inconsistent-separator: prompts that do not end with the dataset's separator, by consensus."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dslint
from dslint.io.formats import Normaliser
from dslint.records import Location, Severity
from dslint.rules.prompt.separator_consensus import (
    MAX_MARKERS,
    ConsensusOptions,
    SeparatorConsensus,
    marker_start,
    trailing_marker,
)

SEP = "\n\n###\n\n"
ABSTRACTS = [
    "Mn-doped ZnO films were grown by pulsed laser deposition.",
    "The catalyst was tested for CO oxidation at 300 K.",
    "Is LiFePO4 a good cathode?",
    "The MOF captures MB+ from binary mixtures of MB+/RhB+",
    "Uptake was measured for CO2 (at 1 bar)",
    "We compare solvers written in C#",
    "The **key** result",
    "Values: 1, 2, 3...",
]


def pc(prompt: str, completion: str = " []\n\nEND\n\n") -> dict[str, str]:
    return {"prompt": prompt, "completion": completion}


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("It rained.\n\n###\n\n", SEP),
        ("It rained.\n\n###\n", "\n\n###\n"),  # the sentence's own "." is not part of it
        ("Is it raining?\n\n", "\n\n"),
        ("Review: great film ->", " ->"),
        ("Review: great film->", "->"),
        ("Sentiment:", ":"),
        ("Q: What is 2 + 2?\nA: ", ": "),
        ("captures MB+/RhB+\n\n###\n\n", SEP),  # "+" glued to a word is the word's
        ("written in C#", ""),
        ("The **key** result", ""),
        ("Values: 1, 2, 3...", ""),
        ("(at 1 bar)\n\n===\n\n", "\n\n===\n\n"),
        (" []\n\nEND\n\n", "\n\nEND\n\n"),
        (" 'Erx'.\n\nEND", "\n\nEND"),
        (" Paris END", " END"),
        (" Paris.</s>", "</s>"),
        (" Paris.<|endoftext|>", "<|endoftext|>"),
        (" Paris [END]", " [END]"),
        (" Paris\n&&&", "\n&&&"),
        (" LEGEND", ""),
        ("plain text", ""),
        ("###", "###"),
    ],
)
def test_trailing_marker(text, marker):
    assert trailing_marker(text) == marker
    assert marker_start(text) == len(text) - len(marker)


def test_consistent_separator_passes(write_jsonl):
    rows = [pc(a + SEP) for a in ABSTRACTS]
    assert dslint.scan(write_jsonl(rows), select=["P001"]).count("P001") == 0


def test_chat_records_are_not_checked(write_jsonl):
    rows = [
        {"messages": [{"role": "user", "content": a}, {"role": "assistant", "content": "Noted."}]} for a in ABSTRACTS
    ]
    assert dslint.scan(write_jsonl(rows), select=["P001"]).count("P001") == 0


def test_a_deviating_file_is_reported_with_its_exact_count(write_jsonl):
    general = write_jsonl([pc(a + SEP) for a in ABSTRACTS[:5]], name="general/train.jsonl")
    doping = write_jsonl([pc(a + "\n\n###\n") for a in ABSTRACTS[5:]], name="doping/train.jsonl")
    report = dslint.scan([general, doping], select=["P001"])
    (finding,) = report.findings()
    assert (finding.code, finding.path, finding.line, finding.row, finding.field) == (
        "P001",
        str(doping),
        1,
        0,
        "prompt",
    )
    assert finding.span == [len(ABSTRACTS[5]), len(ABSTRACTS[5]) + 6]
    assert finding.severity == "error"
    assert finding.message == (
        '3 of 3 prompts in this file end with "\\n\\n###\\n"; the dataset\'s separator is "\\n\\n###\\n\\n" '
        "(5 of 8 prompts); first here (also rows 1, 2)"
    )
    assert finding.fix is not None and '"\\n\\n###\\n\\n"' in finding.fix
    assert not report.passed


def test_each_deviating_marker_of_a_file_is_its_own_finding(write_jsonl):
    rows = [pc(f"Review {i}: a fine, moving film ->") for i in range(6)]
    rows[2] = pc("Review 2: dull =>")
    rows[4] = pc("Review 4: dull and long")
    rows[5] = pc("Review 5: flat =>")
    path = write_jsonl(rows)
    found = sorted(dslint.scan(path, select=["P001"]).findings(), key=lambda f: f.row)
    assert [(f.line, f.row, f.field, f.span) for f in found] == [(3, 2, "prompt", [14, 17]), (5, 4, "prompt", None)]
    arrow, missing = found
    assert arrow.message.startswith('2 of 6 prompts in this file end with " =>"; the dataset\'s separator is " ->"')
    assert arrow.message.endswith("(3 of 6 prompts); first here (also row 5)")
    assert missing.message.startswith("1 of 6 prompts in this file end without a separator;")


def test_no_common_separator_suggests_an_unused_one(write_jsonl):
    rows = [pc(a) for a in ABSTRACTS]
    rows[3] = pc("Summary:\n\n###\n\nshort body")  # the first suggestion occurs inside a prompt
    path = write_jsonl(rows)
    (finding,) = dslint.scan(path, select=["P001"]).findings()
    assert (finding.line, finding.row, finding.field) == (1, 0, "prompt")
    assert finding.message == (
        "no common separator: of 8 prompts, 8 end without a separator; end every prompt with one fixed separator, "
        'e.g. "\\n\\n===\\n\\n", which occurs in none of them'
    )
    assert finding.fix == 'end every prompt with "\\n\\n===\\n\\n"'


def test_a_tie_or_a_minority_is_no_convention(write_jsonl):
    tie = [pc("a ->"), pc("b ->"), pc("c =>"), pc("d =>")]
    (finding,) = dslint.scan(write_jsonl(tie, name="tie.jsonl"), select=["P001"]).findings()
    assert finding.message.startswith('no common separator: of 4 prompts, 2 end with " ->", 2 end with " =>";')
    assert 'e.g. "\\n\\n###\\n\\n"' in finding.message

    rows = [pc(f"q{i} ->") for i in range(4)] + [pc(f"q{i}") for i in range(3)] + [pc(f"q{i}:") for i in range(3)]
    path = write_jsonl(rows, name="minority.jsonl")
    (finding,) = dslint.scan(path, select=["P001"]).findings()
    assert finding.message.startswith(
        'no common separator: of 10 prompts, 4 end with " ->", 3 end without a separator, 3 end with ":";'
    )
    # with a lower bar, " ->" is the convention and the other two groups deviate
    report = dslint.scan(path, select=["P001"], rules={"P001": {"min-share": 0.4}})
    assert sorted((f.row, f.message.split(";")[0]) for f in report.findings()) == [
        (4, "3 of 10 prompts in this file end without a separator"),
        (7, '3 of 10 prompts in this file end with ":"'),
    ]


def test_fix_normalises_to_the_majority_and_is_idempotent(make_record):
    rule = SeparatorConsensus()
    records = [make_record(pc(a + SEP), row=i, line=i + 1) for i, a in enumerate(ABSTRACTS[:5])]
    odd = make_record(pc("It rained.\n\n###\n", " Rain.\n\nEND\n\n"), row=5, line=6)
    bare = make_record(pc("Sentiment: great film:"), row=6, line=7)
    state = rule.new_state()
    for r in [*records, odd, bare]:
        state = rule.update(state, r)
    assert rule.fix(records[0], state) == []
    assert rule.fix(odd, state) == ["prompt"]
    assert odd.raw["prompt"] == odd.messages[0].content == "It rained." + SEP
    assert rule.fix(odd, state) == []
    assert rule.fix(bare, state) == ["prompt"]
    assert bare.raw["prompt"] == "Sentiment: great film" + SEP
    assert rule.fix(bare, state) == []
    assert odd.raw["completion"] == " Rain.\n\nEND\n\n"  # P001 leaves the completion alone


def test_fix_does_nothing_without_a_convention(make_record):
    rule = SeparatorConsensus()
    records = [make_record(pc(a), row=i) for i, a in enumerate(ABSTRACTS)]
    state = rule.new_state()
    for r in records:
        state = rule.update(state, r)
    assert all(rule.fix(r, state) == [] for r in records)
    assert [r.raw["prompt"] for r in records] == ABSTRACTS


def test_state_merges_associatively(make_record):
    rule = SeparatorConsensus()
    rows = [pc(a + SEP) for a in ABSTRACTS] + [pc(a + "\n\n###\n") for a in ABSTRACTS[:3]] + [pc("x ->")]
    records = [make_record(row, path=f"part{i % 3}.jsonl", row=i // 3, line=i // 3 + 1) for i, row in enumerate(rows)]
    whole = rule.new_state()
    for r in records:
        whole = rule.update(whole, r)
    parts = [rule.new_state() for _ in range(3)]
    for chunk, part in zip((records[:4], records[4:9], records[9:]), range(3), strict=True):
        for r in chunk:
            parts[part] = rule.update(parts[part], r)
    a, b, c = parts
    left = rule.merge(rule.merge(a, b), c)
    right = rule.merge(a, rule.merge(b, c))
    assert left == right == whole
    found = list(rule.finalize(whole))
    assert sum(int(f.message.split()[0]) for f in found) == 4  # every deviating prompt, counted once
    assert {f.severity for f in found} == {Severity.ERROR}


def test_many_distinct_markers_are_bounded_and_still_counted_exactly(make_record):
    rule = SeparatorConsensus()
    state = rule.new_state()
    rows = [pc(f"Abstract {i}." + SEP) for i in range(200)]
    # 100 distinct deviating markers, " ##=" to " ###########=========="
    rows += [pc(f"Abstract {i}. " + "#" * (i % 10 + 2) + "=" * (i // 10 + 1)) for i in range(100)]
    for i, row in enumerate(rows):
        state = rule.update(state, make_record(row, row=i, line=i + 1))
    assert len(state.markers) == MAX_MARKERS
    found = list(rule.finalize(state))
    assert len(found) == MAX_MARKERS  # 63 kept deviating markers and one for the others
    (others,) = [f for f in found if "one of many other" in f.message]
    assert others.message.startswith(f"{100 - (MAX_MARKERS - 1)} more prompt(s) end with one of many other")
    rows = [f.location.row for f in found]
    assert rows == sorted(rows)  # in row order, as the engine expects
    assert sum(int(f.message.split()[0]) for f in found) == 100


def test_same_answer_with_several_processes(write_jsonl):
    paths = [write_jsonl([pc(a + SEP) for a in ABSTRACTS], name="a.jsonl")]
    paths.append(write_jsonl([pc(a + " ->") for a in ABSTRACTS[:4]], name="b.jsonl"))
    paths.append(write_jsonl([pc(a + SEP) for a in ABSTRACTS[:2]], name="c.jsonl"))
    one = dslint.scan(paths, select=["P001"])
    many = dslint.scan(paths, select=["P001"], jobs=2)
    assert one.count("P001") == many.count("P001") == 1
    assert [f.model_dump() for f in one.findings()] == [f.model_dump() for f in many.findings()]


def test_options_are_validated():
    assert SeparatorConsensus(ConsensusOptions.model_validate({"min-share": 0.75})).options.min_share == 0.75
    with pytest.raises(ValueError):
        ConsensusOptions.model_validate({"min-share": 0})


@given(
    text=st.text(alphabet=" \n\t#-=>:.?!ENDSTOPab1[]<|/s_+*", max_size=24),
    major=st.sampled_from([SEP, " ->", "\n\n###\n", ":", "\n", " END"]),
)
def test_fix_is_idempotent_on_any_text(text, major):
    rule = SeparatorConsensus()
    normalise = Normaliser().normalise
    state = rule.new_state()
    for i in range(3):
        state = rule.update(state, normalise(pc(f"Abstract {i}." + major), Location("a.jsonl", i, i + 1)))
    record = normalise(pc(text), Location("a.jsonl", 3, 4))
    start = marker_start(text)
    assert 0 <= start <= len(text)
    changed = rule.fix(record, state)
    fixed = record.raw["prompt"]
    if changed:
        assert trailing_marker(fixed) == major
        assert fixed.startswith(text[:start])
    else:
        assert fixed == text
    assert rule.fix(record, state) == []
    assert record.raw["prompt"] == fixed
