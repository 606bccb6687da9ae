"""The text-quality rules T001-T004 on the real datasets shipped in the repository (see each SOURCE.txt)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dslint
from dslint.io.formats import Normaliser
from dslint.records import Location, Record
from dslint.rules.base import RecordRule
from dslint.rules.text.html_noise import HtmlNoise
from dslint.rules.text.mojibake import Mojibake
from dslint.rules.text.replacement_character import ReplacementCharacter

ROOT = Path(__file__).resolve().parents[1]
FTFY = ROOT / "tests/data/ftfy_mojibake"
C4 = ROOT / "tests/data/lf_c4_demo/c4_demo.jsonl"
GSM8K = ROOT / "tests/data/gsm8k"
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"
TEXT_RULES = ["T001", "T002", "T003", "T004"]


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no dslint.toml / pyproject.toml settings leak into these scans


def _ftfy_cases(name: str) -> list[dict[str, str]]:
    cases: list[dict[str, str]] = json.loads((FTFY / name).read_text(encoding="utf-8"))
    return cases


def _record(text: str, row: int) -> Record:
    return Normaliser().normalise({"text": text}, Location("ftfy.json", row, None))


def _flagged(rule: RecordRule, cases: list[dict[str, str]]) -> set[str]:
    return {c["label"] for i, c in enumerate(cases) if list(rule.check(_record(c["original"], i)))}


# -- ftfy's labelled mojibake: real cases from Twitter, OSCAR and user reports, and look-alike negatives ----------


def test_ftfy_in_the_wild_mojibake_is_found():
    cases = _ftfy_cases("in-the-wild.json")
    assert len(cases) == 70
    mojibake = _flagged(Mojibake(), cases)
    replacement = _flagged(ReplacementCharacter(), cases)
    html = _flagged(HtmlNoise(), cases)
    assert len(mojibake) == 67  # >= 90%
    # the 3 cases with U+FFFD (lossy decodings) are found by T003 too, and by T002 as well
    assert len(replacement) == 3
    assert replacement <= mojibake
    missed = {c["label"] for c in cases} - mojibake
    assert missed == {
        # not encoding damage: ftfy's own `fix_encoding` leaves both alone (its `fix_text` normalises them)
        "Handle Afrikaans 'n character",
        "Handle Croatian single-codepoint digraphs",
        # an HTML entity hides the mojibake (`10Î&frac14;s`): html-noise finds it, and once its fix has
        # decoded the entity, mojibake finds `Î¼` (see below)
        "HTML entity on top of UTF-8 / Latin-1",
    }
    assert html == {"HTML entity on top of UTF-8 / Latin-1"}


def test_html_fix_then_mojibake_fix_repair_the_entity_case():
    (case,) = [c for c in _ftfy_cases("in-the-wild.json") if c["original"] == "10Î&frac14;s"]
    record = _record(case["original"], 0)
    assert HtmlNoise().fix(record) == ["text"]
    assert record.raw == {"text": "10Î¼s"}
    assert [f.message for f in Mojibake().check(record)] == [
        "mojibake (text decoded with the wrong encoding): 1 suspicious sequence, first 'Î¼'"
    ]
    assert Mojibake().fix(record) == ["text"]
    assert record.raw == {"text": case["fixed"]} == {"text": "10μs"}


def test_ftfy_negatives_are_not_flagged():
    cases = _ftfy_cases("negative.json")
    assert len(cases) == 31
    # the one flagged holds a C1 control character (U+0085 for Windows-1252 "…"): real damage, which ftfy fixes
    assert _flagged(Mojibake(), cases) == {"Mostly negative: we only need to fix C1 control characters"}
    assert _flagged(ReplacementCharacter(), cases) == set()


# -- C4 web text (LLaMA-Factory's c4_demo): U+FFFD, a stray "Â ", &apos;, zero-width spaces, a soft hyphen -------


def test_c4_damaged_records_are_found():
    report = dslint.scan(C4, select=TEXT_RULES)
    found = sorted(((f.code, f.line, f.row, f.field, f.span) for f in report.findings()), key=lambda f: f[1])
    assert found == [
        ("T003", 11, 10, "text", [10772, 10773]),  # "God's\ufffdWindow"
        ("T001", 46, 45, "text", [109, 115]),  # "you&apos;re"
        ("T003", 94, 93, "text", [607, 608]),  # "forum\ufffds database"
        ("T003", 109, 108, "text", [292, 293]),  # "mother\ufffds villa", "Don\ufffdt"
        ("T004", 146, 145, "text", [14577, 14578]),  # "pro-\u00adgovernment"
        ("T004", 148, 147, "text", [27, 28]),  # "Church \u200bin Burford"
        ("T003", 165, 164, "text", [1785, 1786]),  # "lak\ufffdsd\ufffdsz\ufffdt\ufffds"
        ("T002", 173, 172, "text", [11, 14]),  # "firstÂ saw"
        ("T001", 175, 174, "text", [1341, 1347]),  # "didn&apos;t"
        ("T004", 193, 192, "text", [5008, 5009]),  # "\u200bDalvance"
        ("T004", 210, 209, "text", [351, 352]),  # "\u200bThey"
        ("T001", 269, 268, "text", [353, 359]),  # "Grace&apos;s", 7 entities
    ]
    assert {r.code: r.count for r in report.rules} == {"T001": 3, "T002": 1, "T003": 4, "T004": 4}
    by_line = {(f.code, f.line): f for f in report.findings()}
    assert by_line["T003", 11].excerpt is not None and "God's\ufffdWindow" in by_line["T003", 11].excerpt
    assert by_line["T003", 165].message == "10 U+FFFD replacement characters (the original text is lost)"
    assert by_line["T001", 269].message == "HTML in text: 7 entities (first: '&apos;')"
    assert by_line["T002", 173].message == (
        "mojibake (text decoded with the wrong encoding): 1 suspicious sequence, first 'tÂ '"
    )


# -- GSM8K: `<<48/2=24>>` calculator annotations are not HTML ------------------------------------------------------


@pytest.mark.parametrize("split", ["train", "test"])
def test_gsm8k_calculator_annotations_are_not_html(split):
    report = dslint.scan(GSM8K / f"{split}.jsonl", select=["T001"])
    assert report.count("T001") == 0
    assert sum(sp.records for sp in report.summary.splits) == {"train": 7473, "test": 1319}[split]


# -- Anthropic JSON-mode chat: a clean negative control ------------------------------------------------------------


def test_anthropic_json_mode_has_no_text_noise():
    report = dslint.scan(ANTHROPIC, select=TEXT_RULES)
    assert [r.code for r in report.rules if r.count] == []
    assert sum(sp.records for sp in report.summary.splits) == 500
