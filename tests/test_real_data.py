"""The rules on the real datasets shipped in the repository (see each folder's SOURCE.txt for known defects)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import dslint
from dslint.text.tokenizer import TokenCounter

ROOT = Path(__file__).resolve().parents[1]
TOY_CHAT = ROOT / "examples/oai_toy_chat/toy_chat_fine_tuning.jsonl"
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"
FASTCHAT = ROOT / "tests/data/fastchat_dummy_conv/dummy_conversation.json"
GLAIVE = ROOT / "tests/data/lf_glaive_toolcall/glaive_toolcall_en_demo.json"
IDENTITY = ROOT / "tests/data/lf_identity/identity.json"
C4 = ROOT / "tests/data/lf_c4_demo/c4_demo.jsonl"
NERRE = ROOT / "tests/data/nerre_prompt_completion"

STRUCTURAL = [f"F00{i}" for i in range(1, 8)] + [f"C00{i}" for i in range(1, 10)]
LENGTH = ["L001", "L002", "L003"]
ALL_RULES = STRUCTURAL + LENGTH


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no dslint.toml / pyproject.toml settings leak into these scans


def _codes(report: dslint.Report) -> dict[str, int]:
    return {r.code: r.count for r in report.rules}


def _element_lines(path: Path) -> list[int]:
    """1-based lines where the top-level array elements of a pretty-printed (indent 2) JSON file start."""
    text = path.read_text(encoding="utf-8")
    return [i for i, line in enumerate(text.splitlines(), start=1) if re.fullmatch(r"  \{", line)]


# -- OpenAI cookbook toy chat set: 5 records, one without a user turn, one 2000x repeated answer --------------


def test_toy_chat_finds_exactly_its_known_defects():
    report = dslint.scan(TOY_CHAT, select=ALL_RULES)
    assert _codes(report) == {"C004": 1, "L001": 1, "L003": 1}
    assert report.counts == {"error": 3, "warning": 0, "info": 0}
    assert not report.passed
    (split,) = report.summary.splits
    assert (split.split, split.records, split.formats) == ("train", 5, {"openai-chat": 5})


def test_toy_chat_record_without_user_turn():
    (finding,) = dslint.scan(TOY_CHAT, select=["C004"]).findings()
    assert (finding.code, finding.path, finding.line, finding.row, finding.field) == (
        "C004",
        str(TOY_CHAT),
        4,
        3,
        "messages[1].role",
    )
    assert finding.severity == "error"
    assert "no user turn" in finding.message


def test_toy_chat_banana_answer_is_too_long():
    record = json.loads(TOY_CHAT.read_text(encoding="utf-8").splitlines()[4])
    answer = record["messages"][2]["content"]
    assert answer == "Eat a banana!" * 2000
    counter = TokenCounter("o200k_base")
    expected = sum(counter.count(m["content"]) for m in record["messages"]) + 3 * 3 + 3

    (finding,) = dslint.scan(TOY_CHAT, select=["L001"]).findings()
    assert (finding.code, finding.line, finding.row, finding.field) == ("L001", 5, 4, "messages[2].content")
    assert finding.severity == "error"
    assert finding.message == (
        f"example has {expected} tokens, over max-tokens 4096 (longest field: {counter.count(answer)} tokens)"
    )
    # within the OpenAI preset's 16k context it is fine
    assert dslint.scan(TOY_CHAT, preset="openai-chat", select=["L001"]).count("L001") == 0


def test_toy_chat_is_too_small_to_fine_tune():
    (finding,) = dslint.scan(TOY_CHAT, select=["L003"]).findings()
    assert (finding.code, finding.path, finding.split, finding.line, finding.row) == (
        "L003",
        str(TOY_CHAT),
        "train",
        None,
        None,
    )
    assert finding.severity == "error"
    assert "5 example(s), fewer than 10" in finding.message


# -- Anthropic JSON-mode chat set: 500 clean records, the negative control ---------------------------------------


def test_anthropic_clean_set_has_no_structural_finding():
    report = dslint.scan(ANTHROPIC, select=STRUCTURAL)
    assert report.rules == []
    assert report.counts == {"error": 0, "warning": 0, "info": 0}
    assert report.passed
    (split,) = report.summary.splits
    assert (split.records, split.formats) == (500, {"openai-chat": 500})
    # the top-level "system" field is a turn: every record is system, user, assistant
    assert (split.turns.min, split.turns.max) == (3, 3)


def test_anthropic_clean_set_passes_length_rules_too():
    report = dslint.scan(ANTHROPIC, select=ALL_RULES)
    assert report.rules == []
    assert report.summary.training.examples == 500


# -- FastChat dummy conversations: ShareGPT human/gpt ------------------------------------------------------------


def test_fastchat_sharegpt_is_clean():
    report = dslint.scan(FASTCHAT, select=ALL_RULES)
    assert report.rules == []
    assert report.count("C001") == 0
    (split,) = report.summary.splits
    assert (split.records, split.formats) == (500, {"sharegpt": 500})


def test_fastchat_findings_point_at_the_lines_where_records_start():
    # every record is over a 1-token limit, so every record's line is reported
    report = dslint.scan(FASTCHAT, select=["L001"], rules={"L001": {"max-tokens": 1}}, sample_size=1000)
    found = report.findings()
    assert report.count("L001") == 500
    assert [f.line for f in found] == _element_lines(FASTCHAT)
    assert [f.row for f in found] == list(range(500))
    assert all(re.fullmatch(r"conversations\[\d+\]\.value", f.field) for f in found)


# -- Glaive tool calls (LLaMA-Factory demo): ShareGPT with function_call / observation ------------------------------


def test_glaive_really_uses_function_call_and_observation_roles():
    rows = json.loads(GLAIVE.read_text(encoding="utf-8"))
    roles = [turn["from"] for row in rows for turn in row["conversations"]]
    assert roles.count("function_call") == 211
    assert roles.count("observation") == 211


def test_glaive_tool_roles_are_known_and_tool_flows_are_fine():
    report = dslint.scan(GLAIVE, select=ALL_RULES)
    assert report.count("C001") == 0  # function_call/observation are ShareGPT roles
    assert report.count("C003") == 0  # function_call followed by observation, then gpt
    assert report.count("C009") == 0  # `tools` is a ShareGPT key
    assert report.rules == []
    (split,) = report.summary.splits
    assert (split.records, split.formats) == (300, {"sharegpt": 300})


def test_glaive_lines_of_json_array_elements():
    report = dslint.scan(GLAIVE, select=["L001"], rules={"L001": {"max-tokens": 1}}, sample_size=1000)
    assert [f.line for f in report.findings()] == _element_lines(GLAIVE)


def test_glaive_with_a_renamed_role_is_caught(tmp_path):
    # negative control: the same real data with `observation` renamed to a role no format defines
    rows = json.loads(GLAIVE.read_text(encoding="utf-8"))
    expected = []
    for row_index, row in enumerate(rows):
        for turn_index, turn in enumerate(row["conversations"]):
            if turn["from"] == "observation":
                turn["from"] = "tool_output"
                expected.append((row_index, f"conversations[{turn_index}].from"))
    path = tmp_path / "glaive_renamed.json"
    path.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    report = dslint.scan(path, select=["C001"], sample_size=1000)
    assert report.count("C001") == 211
    assert [(f.row, f.field) for f in report.findings()] == expected
    assert all("unknown role 'tool_output'" in f.message for f in report.findings())
    assert dslint.scan(path, select=["C001"], role_map={"tool_output": "tool"}).count("C001") == 0


# -- LLaMA-Factory identity set: Alpaca JSON array, 91 records -----------------------------------------------------


def test_identity_alpaca_detected_and_only_small_set_warning():
    report = dslint.scan(IDENTITY, select=ALL_RULES)
    (split,) = report.summary.splits
    assert (split.records, split.formats) == (91, {"alpaca": 91})
    assert _codes(report) == {"L003": 1}
    (finding,) = report.findings()
    assert finding.severity == "warning"
    assert "91 example(s), fewer than 100" in finding.message
    assert report.passed


# -- C4 demo: pre-training text with over-long documents -----------------------------------------------------------

C4_OVER_4096 = [(42, 4745), (88, 5501), (193, 8316), (227, 5769)]
C4_OVER_2048 = [11, 42, 64, 88, 120, 122, 146, 193, 227, 251, 262]


def test_c4_overlong_documents_with_their_lines():
    report = dslint.scan(C4, select=ALL_RULES)
    (split,) = report.summary.splits
    assert (split.records, split.formats) == (300, {"text": 300})
    assert _codes(report) == {"L001": 4}
    found = report.findings()
    assert [(f.line, f.row, f.field) for f in found] == [(line, line - 1, "text") for line, _ in C4_OVER_4096]
    for f, (_, tokens) in zip(found, C4_OVER_4096, strict=True):
        assert f.message.startswith(f"example has {tokens} tokens, over max-tokens 4096")
        assert f.severity == "error"


def test_c4_token_counts_match_the_tokenizer():
    counter = TokenCounter("o200k_base")
    lines = C4.read_text(encoding="utf-8").splitlines()
    counts = [counter.count(json.loads(line)["text"]) for line in lines]
    assert [(i, n) for i, n in enumerate(counts, start=1) if n > 4096] == C4_OVER_4096
    assert [i for i, n in enumerate(counts, start=1) if n > 2048] == C4_OVER_2048


def test_c4_with_a_2048_context():
    report = dslint.scan(C4, select=["L001"], rules={"L001": {"max-tokens": 2048}})
    assert report.count("L001") == len(C4_OVER_2048)
    assert [f.line for f in report.findings()] == C4_OVER_2048


def test_c4_pretraining_preset():
    report = dslint.scan(C4, preset="pretraining")
    assert _codes(report) == {"L001": 1}
    (finding,) = report.findings()
    assert (finding.line, finding.severity) == (193, "info")
    assert "over max-tokens 8192" in finding.message
    assert report.passed


# -- NERRE legacy prompt/completion: train and validation folds ---------------------------------------------------


def test_nerre_splits_and_formats():
    report = dslint.scan(NERRE, select=ALL_RULES)
    assert report.rules == []
    train, validation = report.summary.splits
    assert (train.split, train.records, train.formats) == ("train", 1418, {"prompt-completion": 1418})
    assert (validation.split, validation.records, validation.formats) == (
        "validation",
        124,
        {"prompt-completion": 124},
    )
    rel = {str(Path(p).relative_to(NERRE)): n for p, n in train.files.items()}
    assert rel == {
        "doping/data/training_eng.jsonl": 413,
        "general_and_mofs/data/experiments_general/fold_0/train.jsonl": 549,
        "general_and_mofs/data/experiments_mof_gpt3/fold_0/train.jsonl": 456,
    }
    assert sorted(str(Path(p).relative_to(NERRE)) for p in validation.files) == [
        "general_and_mofs/data/experiments_general/fold_0/val.jsonl",
        "general_and_mofs/data/experiments_general/fold_1/val.jsonl",
    ]


def test_nerre_prompt_completion_preset_is_clean():
    report = dslint.scan(NERRE, preset="prompt-completion")
    assert report.rules == []
    assert report.summary.max_tokens == 2048


def test_nerre_validation_fold_alone_has_no_train_split():
    val = NERRE / "general_and_mofs/data/experiments_general/fold_1/val.jsonl"
    report = dslint.scan(val, select=ALL_RULES)
    assert report.rules == []  # L003 is skipped: no train split
    assert [s.split for s in report.summary.splits] == ["validation"]
    assert report.summary.training is None


# -- formats of every shipped dataset ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "formats"),
    [
        (TOY_CHAT, {"openai-chat": 5}),
        (ANTHROPIC, {"openai-chat": 500}),
        (FASTCHAT, {"sharegpt": 500}),
        (GLAIVE, {"sharegpt": 300}),
        (IDENTITY, {"alpaca": 91}),
        (C4, {"text": 300}),
        (NERRE / "doping/data/training_eng.jsonl", {"prompt-completion": 413}),
    ],
    ids=["toy_chat", "anthropic", "fastchat", "glaive", "identity", "c4", "nerre_doping"],
)
def test_formats_detected(path, formats):
    report = dslint.scan(path, select=["F006", "F007"])
    assert report.summary.splits[0].formats == formats
    assert report.rules == []
