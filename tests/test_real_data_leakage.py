"""The leakage rules (X001-X003) on the real datasets shipped in the repository, every finding checked by hand.

NERRE (tests/data/nerre_prompt_completion/SOURCE.txt): cross-validation folds of GPT-3 prompt/completion files.
fold_0/train vs fold_1/val: 56 of the 62 validation records are in train word for word (the folds overlap);
fold_0/train vs fold_0/val: no overlap at all.

GSM8K (tests/data/gsm8k/SOURCE.txt): no exact overlap between train and test, and three test questions that
share 13-grams with train questions because they come from the same template: test 633 (Max's stamps) with
train 21 (Bella's stamps), test 582 (Max's two movies) with train 407 (Joseph's two movies), test 603 (a plane
travels 1200 miles in 3 hours) with train 1315 and 5163 (a train travels 270 / 360 miles in 3 hours). Their
worked answers share generic steps with unrelated problems (e.g. "2 weeks * 7 days/week = 14 days"), which is
why X003 indexes the eval input by default; no pair of records reaches a word-5-gram Jaccard similarity of 0.3.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import dslint

ROOT = Path(__file__).resolve().parents[1]
GENERAL = ROOT / "tests/data/nerre_prompt_completion/general_and_mofs/data/experiments_general"
FOLD0_TRAIN = GENERAL / "fold_0/train.jsonl"
FOLD0_VAL = GENERAL / "fold_0/val.jsonl"
FOLD1_VAL = GENERAL / "fold_1/val.jsonl"
GSM8K = ROOT / "tests/data/gsm8k"
LEAK_RULES = ["X001", "X002", "X003"]

#: (train line, test line, shared 13-grams, the test question's 13-grams), checked by hand.
GSM8K_CONTAMINATION = [(21, 633, 13, 44), (407, 582, 3, 29), (1315, 603, 7, 13), (5163, 603, 7, 13)]


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def gsm8k(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """GSM8K as prompt/completion files ({question, answer} rows are not a format dslint knows)."""
    folder = tmp_path_factory.mktemp("gsm8k") / "converted"
    out = []
    for name in ("train", "test"):
        rows = [{"prompt": r["question"], "completion": r["answer"]} for r in _rows(GSM8K / f"{name}.jsonl")]
        out.append(_write(folder / f"{name}.jsonl", rows))
    return out[0], out[1]


def test_nerre_folds_that_overlap_leak_56_of_62_validation_records():
    report = dslint.scan(FOLD0_TRAIN, splits={"validation": FOLD1_VAL}, select=LEAK_RULES, sample_size=100)
    assert {r.code: r.count for r in report.rules} == {"X001": 56}
    # the ground truth, by plain string comparison of the raw fields
    train = {(r["prompt"], r["completion"]): i + 1 for i, r in enumerate(_rows(FOLD0_TRAIN))}
    val = _rows(FOLD1_VAL)
    expected = sorted(
        (train[(r["prompt"], r["completion"])], j + 1)
        for j, r in enumerate(val)
        if (r["prompt"], r["completion"]) in train
    )
    assert len(val) == 62 and len(expected) == 56
    found = []
    for f in report.findings():
        assert (f.path, f.split, f.field, f.severity) == (str(FOLD0_TRAIN), "train", None, "error")
        prefix = f"exact copy of validation record {FOLD1_VAL}:"
        assert f.message.startswith(prefix)
        assert f.message.endswith(" (same prompt and response, whitespace and case aside)")
        found.append((f.line, int(f.message[len(prefix) :].split(" ")[0])))
    assert found == expected
    assert len({v for _, v in found}) == 56  # 56 distinct validation records leak


def test_nerre_folds_that_do_not_overlap_are_clean():
    report = dslint.scan([FOLD0_TRAIN, FOLD0_VAL], select=LEAK_RULES)
    assert report.rules_run == LEAK_RULES
    assert {r.code: r.count for r in report.rules} == {}
    # not a single shared 13-gram either
    report = dslint.scan([FOLD0_TRAIN, FOLD0_VAL], select=["X003"], rules={"X003": {"min-fraction": 0}})
    assert report.rules == []


def _train_side(report: dslint.Report) -> list:
    return [f for f in report.findings() if f.split == "train"]


def _check_gsm8k(report: dslint.Report, train: Path, test: Path, kind: str) -> None:
    assert {r.code: r.count for r in report.rules} == {"X003": 7}
    found = _train_side(report)
    assert [(f.path, f.line, f.field, f.split) for f in found] == [
        (str(train), line, "prompt", "train") for line, _, _, _ in GSM8K_CONTAMINATION
    ]
    for f, (_, test_line, shared, total) in zip(found, GSM8K_CONTAMINATION, strict=True):
        assert f.message == (
            f"contains 13-grams of the input of {kind} record {test}:{test_line} "
            f"({shared} of its {total} 13-grams, {shared / total:.1%})"
        )
    assert found[0].excerpt == "…bought stamps at the post office some of the stamps had a snowflake…"
    # each contaminated test example, with what all of train holds of it (603's 7 are in two train records)
    eval_side = sorted((f for f in report.findings() if f.split != "train"), key=lambda f: f.line or 0)
    assert [(f.path, f.line, f.field, f.message) for f in eval_side] == [
        (
            str(test),
            line,
            "prompt",
            f"{shared} of the {total} 13-grams of this {kind} example's input ({shared / total:.1%}) "
            "occur in train records",
        )
        for line, shared, total in [(582, 3, 29), (603, 7, 13), (633, 13, 44)]
    ]


def test_gsm8k_templated_questions_are_the_only_contamination(gsm8k):
    train, test = gsm8k
    report = dslint.scan(train, splits={"test": test}, select=LEAK_RULES)
    _check_gsm8k(report, train, test, "test")
    # any shared 13-gram (GPT-3's "dirty"): the same four
    report = dslint.scan(train, splits={"test": test}, select=["X003"], rules={"X003": {"min-fraction": 0}})
    assert [f.line for f in _train_side(report)] == [21, 407, 1315, 5163]
    # with the answers indexed too (GPT-3's whole-example convention) generic solution steps match as well:
    # train 5004 ("...7 days in a week so she eats 3*7=21...") and 6842 ("2 weeks * 7 days/week = 14 days")
    # pass the floors, and the movie pair (3 of the test example's 87 13-grams) falls below them
    report = dslint.scan(train, splits={"test": test}, select=["X003"], rules={"X003": {"scope": "all"}})
    assert [f.line for f in _train_side(report)] == [21, 1315, 5004, 5163, 6842]
    report = dslint.scan(
        train, splits={"test": test}, select=["X003"], rules={"X003": {"scope": "all", "min-fraction": 0}}
    )
    assert [f.line for f in _train_side(report)] == [21, 407, 700, 1315, 2050, 5004, 5163, 5259, 5457, 6842, 6911]


def test_gsm8k_test_as_a_reference_file(gsm8k):
    train, test = gsm8k
    report = dslint.scan(train, references=[test], select=LEAK_RULES)
    assert report.files == [str(train)]
    _check_gsm8k(report, train, test, "reference")


def test_clean_drops_the_nerre_leaks_and_keeps_the_validation_file(tmp_path):
    out = tmp_path / "out"
    result = dslint.clean(FOLD0_TRAIN, out, splits={"validation": FOLD1_VAL}, select=LEAK_RULES)
    m = result.manifest
    assert m.rejections == {"X001": 56}
    assert [(Path(f.input).name, f.records, f.kept, f.rejected) for f in m.files] == [
        ("train.jsonl", 549, 493, 56),
        ("val.jsonl", 62, 62, 0),
    ]
    assert _rows(out / "fold_1/val.jsonl") == _rows(FOLD1_VAL)
    val = {(r["prompt"], r["completion"]) for r in _rows(FOLD1_VAL)}
    kept = _rows(out / "fold_0/train.jsonl")
    assert len(kept) == 493 and not any((r["prompt"], r["completion"]) in val for r in kept)
    # the cleaned copy has no leak left
    assert dslint.scan(out / "fold_0/train.jsonl", splits={"validation": FOLD1_VAL}, select=LEAK_RULES).rules == []


def test_clean_drops_near_copies_of_gsm8k_test_only_with_unsafe_fixes(gsm8k, tmp_path):
    train, test = gsm8k
    test_rows = _rows(test)
    # plant three test problems in a train file with their first number changed: near copies, not exact ones
    planted = [
        dict(test_rows[i], prompt=re.sub(r"\d", lambda m: str(9 - int(m[0])), test_rows[i]["prompt"], count=1))
        for i in (0, 10, 20)
    ]
    assert all(p["prompt"] != test_rows[i]["prompt"] for p, i in zip(planted, (0, 10, 20), strict=True))
    data = _write(tmp_path / "data" / "train.jsonl", _rows(train)[:200] + planted)
    eval_copy = _write(tmp_path / "data" / "test.jsonl", test_rows)
    report = dslint.scan(data, splits={"test": eval_copy}, select=LEAK_RULES)
    assert [(f.code, f.line) for f in _train_side(report)] == [
        ("X002", 201),
        ("X002", 202),
        ("X002", 203),
        ("X003", 21),  # Bella's stamps (see above)
        ("X003", 201),
        ("X003", 202),
        ("X003", 203),
    ]
    for f, test_line in zip(_train_side(report)[:3], (1, 11, 21), strict=True):
        assert f.message.startswith(f"near copy of test record {eval_copy}:{test_line}: estimated Jaccard similarity")
    safe = dslint.clean(data, tmp_path / "safe", splits={"test": eval_copy}, select=LEAK_RULES)
    assert safe.manifest.totals["rejected"] == 0
    unsafe = dslint.clean(data, tmp_path / "unsafe", splits={"test": eval_copy}, select=LEAK_RULES, unsafe_fixes=True)
    assert unsafe.manifest.rejections == {"X002": 3}
    assert [(f.kept, f.rejected) for f in unsafe.manifest.files] == [(200, 3), (1319, 0)]
    assert _rows(tmp_path / "unsafe" / "test.jsonl") == test_rows
    assert _rows(tmp_path / "unsafe" / "train.jsonl") == _rows(train)[:200]
