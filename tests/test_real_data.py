"""The rules on the real datasets shipped in the repository (see each folder's SOURCE.txt for known defects)."""

from __future__ import annotations

import json
import re
from collections import Counter
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


def _found(report: dslint.Report) -> dict[str, list[tuple[str, int | None]]]:
    """Per rule: (file name, line) of each finding, in the report's order."""
    found: dict[str, list[tuple[str, int | None]]] = {}
    for f in report.findings():
        found.setdefault(f.code, []).append((Path(f.path).name, f.line))
    return found


def _typos(report: dslint.Report, root: Path) -> set[tuple[str, int | None, str]]:
    """(path under root, line, word) of each typo finding (one per word, at its first occurrence)."""
    typos = set()
    for f in report.findings():
        assert f.code == "T007"
        word = re.match(r"'([^']+)' -> ", f.message)
        assert word, f.message
        typos.add((str(Path(f.path).relative_to(root)), f.line, word.group(1)))
    assert len(typos) == report.count("T007")
    return typos


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


def _text_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _lines(*lines: int) -> list[tuple[str, int]]:
    return [(C4.name, line) for line in lines]


def test_c4_pretraining_preset():
    report = dslint.scan(C4, preset="pretraining", sample_size=1000)
    found = _found(report)
    typos = found.pop("T007", [])  # checked word by word in test_c4_typos_are_real_misspellings
    assert typos
    assert found == {
        "L001": _lines(193),  # 8316 tokens: over the preset's 8192, and only info there
        # the damaged records of test_real_data_text.py: &apos;, "Â ", U+FFFD, zero-width spaces and a soft hyphen
        "T001": _lines(46, 175, 269),
        "T002": _lines(173),
        "T003": _lines(11, 94, 109, 165),
        "T004": _lines(146, 148, 193, 210),
        # "!!", "!!!", "??", "?!!!!!" in web prose ("star gazing!!", "On VHS!!!") and one ",," (line 227)
        "T006": _lines(11, 12, 21, 46, 62, 72, 94, 98, 100, 118, 220, 227, 251),
        # e-mail addresses and phone numbers on web pages ("call at 780-...", "email p...@mrstinkblog.com");
        # line 140 is a spam page of 20 numbers ("Access All Records Of 213-484-0480 Now!")
        "T011": _lines(1, 65, 97, 140, 167, 168, 191, 261, 299),
        # a Finnish paragraph opening an English page ("Olemme kumppanoituneet alan parhaiden ratkaisuiden ...")
        "B003": _lines(216),
        "S001": [(C4.name, None)],  # one train file: nothing held out
    }
    (l001,) = (f for f in report.findings() if f.code == "L001")
    assert l001.severity == "info"
    assert "over max-tokens 8192" in l001.message
    assert report.passed


# The real misspellings of the C4 demo, each at its first line. Not typos, and not to be reported: "scrobbling"
# (line 56, Last.fm's term, which the page defines: "We call this scrobbling"), "lte" (line 177, "the 4g lte
# signal": the LTE network standard) and "adhesin" (line 206, "Pneumococcal surface adhesin A": a bacterial protein).
C4_TYPOS = {
    (4, "apperances"),
    (5, "hazlenut"),
    (7, "thats"),  # also at line 130
    (7, "melancoly"),
    (11, "middele"),  # "Highveld and middele veldt"
    (11, "consits"),
    (62, "arent"),
    (66, "aswell"),
    (75, "influnces"),
    (96, "ist"),  # "This first meeting ist to get to know each other" (meant: "is")
    (117, "alot"),
    (117, "tatoos"),
    (122, "exoerience"),
    (133, "amd"),
    (150, "straighforward"),
    (150, "adjustement"),
    (159, "iin"),
    (177, "didnt"),
    (177, "wirelesss"),
    (227, "myslef"),
    (230, "attachs"),
    (246, "coulored"),
    (262, "undosclosed"),
    (266, "sillhouette"),
}


# Known false positives (real words missing from the English list): a precision record, pinned so any change in
# either direction shows. 24 of 27 findings are real typos.
C4_NOT_TYPOS = {
    (56, "scrobbling"),  # "We call this scrobbling" (a Last.fm term)
    (177, "lte"),  # "block the 4g lte signal"
    (206, "adhesin"),  # "Pneumococcal surface adhesin A"
}


def test_c4_typos_are_real_misspellings():
    report = dslint.scan(C4, preset="pretraining", select=["T007"], sample_size=1000)
    found = _typos(report, C4.parent)
    assert found == {(C4.name, line, word) for line, word in C4_TYPOS | C4_NOT_TYPOS}
    assert len(C4_TYPOS) / len(found) >= 0.85


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


NERRE_DOPING = "doping/data/training_eng.jsonl"
NERRE_GENERAL = "general_and_mofs/data/experiments_general"
NERRE_MOF = "general_and_mofs/data/experiments_mof_gpt3/fold_0/train.jsonl"


def test_nerre_prompt_completion_preset():
    report = dslint.scan(NERRE, preset="prompt-completion", sample_size=1000)
    assert report.summary.max_tokens == 2048
    found = _found(report)
    typos = found.pop("T007", [])  # checked word by word in test_nerre_typos_are_real_misspellings
    assert typos
    found.pop("X003", None)  # see test_nerre_publisher_boilerplate_is_not_contamination
    found.pop("T005")  # by file below
    leaks = found.pop("X001")
    copies = found.pop("D001")
    repeated_prompts = found.pop("D002")
    assert found.pop("D003") == repeated_prompts
    assert found == {
        # the doping file's "\n\n###\n" and "\n\nEND" next to the other files' "\n\n###\n\n" and "\n\nEND\n\n"
        # (SOURCE.txt; test_real_data_prompt.py)
        "P001": [("training_eng.jsonl", 1)],
        "P002": [("training_eng.jsonl", 1)],
        "T001": [("val.jsonl", 34), ("val.jsonl", 49)],  # "space group Fd3&#x0304;m": an unrendered combining macron
        "T002": [("training_eng.jsonl", 16)],  # "above 500 ï¿½C": a U+FFFD read back as Latin-1
        "T004": [("train.jsonl", 102)],  # "warnings, \u200bwatches and alerts": a zero-width space
        # three French abstracts ("Synthèse et résolution structurale par la méthode de Rietveld ..."); the first
        # is general fold_0 train line 320, the others line 323 and fold_1 val line 34
        "B003": [("train.jsonl", 320)],
    }
    by_file = Counter(str(Path(f.path).relative_to(NERRE)) for f in report.findings() if f.code == "T005")
    # double spaces from the abstracts' copyright lines ("Verlag GmbH  &  Co. KGaA", "Society.  The"), and lines of
    # spaces left by formula markup ("(La0.67-" then a line of 15 spaces before "x")
    assert by_file == {
        f"{NERRE_GENERAL}/fold_0/train.jsonl": 24,
        f"{NERRE_GENERAL}/fold_0/val.jsonl": 1,
        f"{NERRE_GENERAL}/fold_1/val.jsonl": 2,
        NERRE_MOF: 11,
    }
    # k-fold folds scanned as one dataset: 56 of fold_1's 62 validation records are fold_0 training records
    # (SOURCE.txt), each reported at its train line
    train, fold_1_val = (NERRE / NERRE_GENERAL / name for name in ("fold_0/train.jsonl", "fold_1/val.jsonl"))
    held_out = set(_text_lines(fold_1_val))
    in_train = [i for i, line in enumerate(_text_lines(train), start=1) if line in held_out]
    assert leaks == [("train.jsonl", line) for line in in_train] and len(in_train) == 56
    x001 = [f for f in report.findings() if f.code == "X001"]
    assert {f.path for f in x001} == {str(train)}
    assert all(f"{fold_1_val}:" in f.message for f in x001)
    # the two validation folds share 6 records, reported in fold_1
    fold_0_val = set(_text_lines(NERRE / NERRE_GENERAL / "fold_0/val.jsonl"))
    in_both = [i for i, line in enumerate(_text_lines(fold_1_val), start=1) if line in fold_0_val]
    assert copies == [("val.jsonl", line) for line in in_both] and len(in_both) == 6
    assert {f.path for f in report.findings() if f.code == "D001"} == {str(fold_1_val)}
    # the MOF file's 4 prompts given twice with different completions (SOURCE.txt): near-duplicate records and
    # conflicting answers, at the second of each pair
    prompts = [json.loads(line)["prompt"] for line in _text_lines(NERRE / NERRE_MOF)]
    again = [i for i, prompt in enumerate(prompts, start=1) if prompt in prompts[: i - 1]]
    assert repeated_prompts == [("train.jsonl", line) for line in again] and len(again) == 4
    assert not report.passed  # P001, P002 and X001 are errors


def test_nerre_publisher_boilerplate_is_not_contamination():
    # Four MOF training abstracts (lines 137, 382, 414, 437) and the general validation abstract at line 53 carry
    # the same journal copyright line, "© 2018 The Royal Society of Chemistry and the Centre National de la
    # Recherche Scientifique." (New J. Chem.): 1 or 2 of the abstract's 193 13-grams, and no shared content.
    report = dslint.scan(NERRE, preset="prompt-completion", select=["X003"], sample_size=1000)
    assert [(Path(f.path).name, f.line, f.message) for f in report.findings()] == []


# The real misspellings in the NERRE abstracts (and a completion), each at its first line.
# Not typos, and not to be reported: the materials-science terms "sialon" (doping line 6, a ceramic), "solitons"
# (doping 308), "borides" (general train 363), "alkenation" (525), "sodiated" (531), "cerate" (general fold_0 val 47,
# "barium cerate"), "ferrimagnetic" (MOF train 8), "metalated" (293) and "calorimetric" (349); the plural
# "dependences" (general train 201, "the pressure dependences of the lattice parameters"); the accepted variant
# spellings "crystalized" (general train 447) and "focusses" (MOF train 63); and "polycristalline" (general train
# 320, in the completion), French and rightly spelt: the record is a French abstract, "Synthèse et résolution ...".
NERRE_TYPOS = {
    (NERRE_DOPING, 221, "anistropic"),
    (f"{NERRE_GENERAL}/fold_0/train.jsonl", 89, "difraction"),
    (f"{NERRE_GENERAL}/fold_0/train.jsonl", 129, "quarternary"),  # also in fold_1/val.jsonl line 33
    (f"{NERRE_GENERAL}/fold_0/train.jsonl", 329, "oscilltory"),
    (f"{NERRE_GENERAL}/fold_0/train.jsonl", 415, "hysterisis"),
    (NERRE_MOF, 52, "synthsized"),
    (NERRE_MOF, 161, "unparalelled"),
    (NERRE_MOF, 362, "luminscence"),  # in the completion
}


# The terms above are reported today: domain vocabulary the English list lacks (precision 8/21 on this
# materials-science text; a project-specific `ignore-words` list is the remedy). Pinned so a change shows.
NERRE_NOT_TYPOS = {
    (NERRE_DOPING, 6, "sialon"),
    (NERRE_DOPING, 308, "solitons"),
    (f"{NERRE_GENERAL}/fold_0/train.jsonl", 201, "dependences"),
    (f"{NERRE_GENERAL}/fold_0/train.jsonl", 320, "polycristalline"),
    (f"{NERRE_GENERAL}/fold_0/train.jsonl", 363, "borides"),
    (f"{NERRE_GENERAL}/fold_0/train.jsonl", 447, "crystalized"),
    (f"{NERRE_GENERAL}/fold_0/train.jsonl", 525, "alkenation"),
    (f"{NERRE_GENERAL}/fold_0/train.jsonl", 531, "sodiated"),
    (f"{NERRE_GENERAL}/fold_0/val.jsonl", 47, "cerate"),
    (NERRE_MOF, 8, "ferrimagnetic"),
    (NERRE_MOF, 63, "focusses"),
    (NERRE_MOF, 293, "metalated"),
    (NERRE_MOF, 349, "calorimetric"),
}


def test_nerre_typos_are_real_misspellings():
    report = dslint.scan(NERRE, preset="prompt-completion", select=["T007"], sample_size=1000)
    assert _typos(report, NERRE) == NERRE_TYPOS | NERRE_NOT_TYPOS
    words = {word for _, _, word in NERRE_NOT_TYPOS}
    ignored = dslint.scan(
        NERRE, preset="prompt-completion", select=["T007"], rules={"T007": {"ignore-words": sorted(words)}}
    )
    assert _typos(ignored, NERRE) == NERRE_TYPOS


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
