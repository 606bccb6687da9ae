"""The prompt-format rules (P001-P007) on the real datasets shipped in the repository.

NERRE (tests/data/nerre_prompt_completion/SOURCE.txt): legacy GPT-3 prompt/completion files. The general and MOF
files end prompts with "\\n\\n###\\n\\n" and completions with "\\n\\nEND\\n\\n"; the doping file with "\\n\\n###\\n" and
"\\n\\nEND". Each file alone is consistent; the doping file next to a general one is the real inconsistency.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dslint
from dslint.io.formats import Normaliser
from dslint.records import Location, Record
from dslint.rules.prompt.separator_consensus import SeparatorConsensus
from dslint.rules.prompt.stop_consensus import StopConsensus

ROOT = Path(__file__).resolve().parents[1]
NERRE = ROOT / "tests/data/nerre_prompt_completion"
DOPING = NERRE / "doping/data/training_eng.jsonl"
GENERAL = NERRE / "general_and_mofs/data/experiments_general/fold_0/train.jsonl"
NERRE_FILES = [
    DOPING,
    GENERAL,
    NERRE / "general_and_mofs/data/experiments_general/fold_0/val.jsonl",
    NERRE / "general_and_mofs/data/experiments_general/fold_1/val.jsonl",
    NERRE / "general_and_mofs/data/experiments_mof_gpt3/fold_0/train.jsonl",
]
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"
PROMPT_RULES = ["P001", "P002", "P003", "P004", "P005", "P006", "P007"]


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _records(path: Path) -> list[Record]:
    normaliser = Normaliser()
    lines = path.read_text(encoding="utf-8").splitlines()
    return [normaliser.normalise(json.loads(t), Location(str(path), i, i + 1, "train")) for i, t in enumerate(lines)]


@pytest.mark.parametrize("path", NERRE_FILES, ids=lambda p: str(p.relative_to(NERRE)))
def test_each_nerre_file_alone_is_consistent(path):
    report = dslint.scan(path, select=PROMPT_RULES)
    assert {r.code: r.count for r in report.rules} == {}


def test_doping_next_to_general_deviates_with_exact_counts():
    report = dslint.scan([DOPING, GENERAL], select=PROMPT_RULES)
    assert {r.code: r.count for r in report.rules} == {"P001": 1, "P002": 1}
    sep, stop = report.findings()
    first = json.loads(DOPING.read_text(encoding="utf-8").splitlines()[0])
    assert (sep.code, sep.path, sep.line, sep.row, sep.field) == ("P001", str(DOPING), 1, 0, "prompt")
    assert sep.span == [len(first["prompt"]) - 6, len(first["prompt"])]
    assert sep.message == (
        '413 of 413 prompts in this file end with "\\n\\n###\\n"; the dataset\'s separator is "\\n\\n###\\n\\n" '
        "(549 of 962 prompts); first here (also rows 1, 2)"
    )
    assert (stop.code, stop.path, stop.line, stop.row, stop.field) == ("P002", str(DOPING), 1, 0, "completion")
    assert stop.span == [len(first["completion"]) - 5, len(first["completion"])]
    assert stop.message == (
        '413 of 413 completions in this file end with "\\n\\nEND"; the dataset\'s stop sequence is '
        '"\\n\\nEND\\n\\n" (549 of 962 completions); first here (also rows 1, 2)'
    )
    assert not report.passed


def test_all_nerre_files_together_and_in_parallel():
    one = dslint.scan(NERRE_FILES, select=["P001", "P002"])
    many = dslint.scan(NERRE_FILES, select=["P001", "P002"], jobs=2)
    assert [f.model_dump() for f in one.findings()] == [f.model_dump() for f in many.findings()]
    assert [(f.code, f.path, f.row) for f in one.findings()] == [("P001", str(DOPING), 0), ("P002", str(DOPING), 0)]
    assert "(1129 of 1542 prompts)" in one.findings()[0].message


def test_fix_turns_doping_records_into_the_general_convention():
    doping, general = _records(DOPING), _records(GENERAL)
    for rule in (SeparatorConsensus(), StopConsensus()):
        state = rule.new_state()
        for record in doping + general:
            state = rule.update(state, record)
        assert all(rule.fix(r, state) == [] for r in general)
        before = [r.raw[rule.field] for r in doping]
        assert all(rule.fix(r, state) == [rule.field] for r in doping)
        after = [r.raw[rule.field] for r in doping]
        end, old = ("\n\n###\n\n", "\n\n###\n") if rule.field == "prompt" else ("\n\nEND\n\n", "\n\nEND")
        assert all(b.removesuffix(old) + end == a for b, a in zip(before, after, strict=True))
        assert all(rule.fix(r, state) == [] for r in doping)  # idempotent
    assert doping[0].raw["prompt"].endswith("Extract doping information from this sentence.\n\n###\n\n")
    assert doping[0].raw["completion"] == " The host 'SrLaMgTaO6' was doped with 'trivalent erbium'.\n\nEND\n\n"


def test_clean_fixes_the_doping_file_and_a_rescan_is_clean(tmp_path):
    result = dslint.clean([DOPING, GENERAL], tmp_path / "out", select=PROMPT_RULES)
    totals = result.manifest.totals
    assert (totals["records"], totals["kept"], totals["fixed"], totals["rejected"]) == (962, 549, 413, 0)
    assert result.manifest.fixes == {"P001": 413, "P002": 413}
    outputs = [tmp_path / "out" / f.output for f in result.manifest.files if f.output]
    report = dslint.scan(outputs, select=PROMPT_RULES)
    assert report.rules == []


def test_anthropic_json_mode_gives_no_prompt_finding():
    # 500 chat records, all with the system prompt "JSON Mode: Enabled"
    report = dslint.scan(ANTHROPIC, select=PROMPT_RULES)
    assert report.rules == []
    assert report.summary.splits[0].records == 500
