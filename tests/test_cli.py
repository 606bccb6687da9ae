"""The `dslint` command: exit codes, output formats, the findings file, splits and the rule commands."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from dslint.cli import main
from dslint.report.model import FindingModel, Report
from dslint.rules import all_rules
from dslint.rules.chat.assistant_before_user import AssistantBeforeUser

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TOY_CHAT = EXAMPLES / "oai_toy_chat" / "toy_chat_fine_tuning.jsonl"
JSON_MODE = EXAMPLES / "anthropic_json_mode_chat" / "json_mode_dataset.jsonl"
# The structural and length rules, whose findings on the example sets these tests know (the toy set's three
# errors, see test_real_data.py); the text, prompt and dataset rules are tested on them elsewhere.
STRUCTURAL = ("--select", "F,C,L")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in an empty folder, so no config file of the checkout is discovered."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A folder for dataset files whose name implies no split (pytest's `test_...` folder names would)."""
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


def dslint(*args: str | Path, color: bool = False) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], color=color)


def report_of(result: Result) -> Report:
    return Report.model_validate_json(result.stdout)


def json_mode_lines(n: int) -> list[str]:
    with JSON_MODE.open(encoding="utf-8") as fh:
        return [next(fh) for _ in range(n)]


@pytest.fixture
def warnings_only(data_dir: Path) -> Path:
    """20 clean chats plus one with two user turns in a row: warnings (too few examples, same role), no errors."""
    path = data_dir / "small_chat.jsonl"
    lines = json_mode_lines(20)
    doubled = {
        "messages": [
            {"role": "user", "content": "whats the capital of france"},
            {"role": "user", "content": "answer in json please"},
            {"role": "assistant", "content": '{"capital": "Paris"}'},
        ]
    }
    lines.append(json.dumps(doubled) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def many_errors(data_dir: Path) -> Path:
    """60 chats: every third starts with the assistant (20), every fifth opens with an unknown role (12).

    Where both apply (4 examples) the first turn is the unknown one, which assistant-before-user leaves alone.
    """
    rows = []
    for i in range(60):
        messages = [
            {"role": "user", "content": f"Question {i}: what is {i} squared?"},
            {"role": "assistant", "content": f"{i} squared is {i * i}."},
        ]
        if i % 3 == 0:
            messages.reverse()
        if i % 5 == 0:
            messages.insert(0, {"role": "narrator", "content": "A maths lesson."})
        rows.append(json.dumps({"messages": messages}))
    path = data_dir / "maths_chat.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def assert_usage_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    for word in words:
        assert word in result.stderr


# -- exit codes -------------------------------------------------------------------------------------------


def test_clean_dataset_exits_0() -> None:
    result = dslint("scan", JSON_MODE, *STRUCTURAL)
    assert result.exit_code == 0, result.output
    assert "PASSED: 0 errors, 0 warnings, 0 info in 500 records from 1 file(s)" in result.stdout


def test_errors_exit_1() -> None:
    result = dslint("scan", TOY_CHAT, *STRUCTURAL)
    assert result.exit_code == 1
    assert "FAILED: 3 errors" in result.stdout
    assert "C004 assistant-before-user: 1" in result.stdout
    assert f"{TOY_CHAT}:4" in result.stdout


def test_fail_on_warning_when_only_warnings(warnings_only: Path) -> None:
    plain = dslint("scan", warnings_only, *STRUCTURAL, "--format", "json")
    assert plain.exit_code == 0, plain.output
    report = report_of(plain)
    assert report.counts["error"] == 0
    assert report.counts["warning"] == 2
    assert {r.code for r in report.rules} == {"C003", "L003"}

    strict = dslint("scan", warnings_only, *STRUCTURAL, "--fail-on", "warning")
    assert strict.exit_code == 1
    assert "FAILED: 0 errors, 2 warnings" in strict.stdout
    assert "(fail-on: warning)" in strict.stdout


def test_fail_on_from_the_config_file(tmp_path: Path, warnings_only: Path) -> None:
    (tmp_path / "dslint.toml").write_text('fail-on = "warning"\nselect = ["F", "C", "L"]\n', encoding="utf-8")
    assert dslint("scan", warnings_only).exit_code == 1
    assert dslint("scan", warnings_only, "--fail-on", "error").exit_code == 0  # the flag beats the file


def test_exit_zero() -> None:
    result = dslint("scan", TOY_CHAT, "--exit-zero")
    assert result.exit_code == 0
    assert "FAILED" in result.stdout  # the verdict is still reported


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = dslint("scan", tmp_path / "nope.jsonl")
    assert_usage_error(result, "nope.jsonl", "no such file")


def test_no_path_exits_2() -> None:
    result = dslint("scan")
    assert result.exit_code == 2
    assert "PATH" in result.stderr


def test_broken_config_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "dslint.toml"
    config.write_text('fail-on = "error"\nselect = [C001]\n', encoding="utf-8")
    result = dslint("scan", TOY_CHAT)
    assert_usage_error(result, f"{config}:2:", "invalid TOML")
    assert result.stdout == ""


def test_config_with_unknown_key_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "ci.toml"
    config.write_text('preset = "openai-chat"\nfail_onn = "warning"\n', encoding="utf-8")
    result = dslint("scan", TOY_CHAT, "--config", config)
    assert_usage_error(result, f"{config}:2:", "fail_onn")


def test_unknown_select_code_exits_2_with_close_matches() -> None:
    result = dslint("scan", TOY_CHAT, "--select", "C001,C0011")
    assert_usage_error(result, "unknown rule 'C0011'", "did you mean", "C001")


@pytest.mark.parametrize("value", ["test", "=data/test.jsonl", "test="])
def test_bad_split_syntax_exits_2(value: str) -> None:
    result = dslint("scan", TOY_CHAT, "--split", value)
    assert result.exit_code == 2
    assert "--split" in result.stderr
    assert "NAME=PATH" in result.stderr


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "train.parquet"
    broken.write_bytes(b"this is not a parquet file\n")
    result = dslint("scan", broken)
    assert_usage_error(result, str(broken))


def test_unknown_preset_and_encoding_exit_2() -> None:
    assert_usage_error(dslint("scan", TOY_CHAT, "--preset", "openai"), "unknown preset 'openai'", "openai-chat")
    assert_usage_error(dslint("scan", TOY_CHAT, "--encoding", "p50k_base"), "p50k_base", "o200k_base")


# -- options ----------------------------------------------------------------------------------------------


def test_select_ignore_and_max_tokens_flags() -> None:
    only = report_of(dslint("scan", TOY_CHAT, "--select", "C", "--format", "json"))
    assert [r.code for r in only.rules] == ["C004"]
    assert all(code.startswith("C") for code in only.rules_run)

    ignored = report_of(dslint("scan", TOY_CHAT, *STRUCTURAL, "--ignore", "C004,too-few-examples", "--format", "json"))
    assert [r.code for r in ignored.rules] == ["L001"]
    assert "C004" not in ignored.rules_run and "L003" not in ignored.rules_run

    short = report_of(dslint("scan", TOY_CHAT, "--select", "L001", "--max-tokens", "30", "--format", "json"))
    assert short.summary.max_tokens == 30
    assert short.count("L001") > 1


def test_preset_flag() -> None:
    report = report_of(dslint("scan", TOY_CHAT, "--preset", "prompt-completion", "--format", "json"))
    assert "C004" not in report.rules_run
    assert report.summary.max_tokens == 2048


# -- output formats ---------------------------------------------------------------------------------------


def test_json_format_validates() -> None:
    result = dslint("scan", TOY_CHAT, *STRUCTURAL, "--format", "json")
    assert result.exit_code == 1
    report = report_of(result)
    assert report.files == [str(TOY_CHAT)]
    assert report.counts == {"error": 3, "warning": 0, "info": 0}
    assert [r.code for r in report.rules] == ["C004", "L001", "L003"]
    assert not report.passed
    c004 = report.rules[0].samples[0]
    assert (c004.path, c004.line, c004.row, c004.field) == (str(TOY_CHAT), 4, 3, "messages[1].role")
    assert report.summary.splits[0].records == 5


def test_json_output_matches_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(dslint("schema").stdout)
    jsonschema.validate(json.loads(dslint("scan", TOY_CHAT, "--format", "json").stdout), schema)


def test_github_format() -> None:
    result = dslint("scan", TOY_CHAT, *STRUCTURAL, "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == 3
    assert all(line.startswith(f"::error file={TOY_CHAT}") for line in annotations)
    assert (
        f"::error file={TOY_CHAT},line=4,title=C004 assistant-before-user::"
        "conversation has no user turn [messages[1].role]"
    ) in lines
    assert any(line.startswith(f"::error file={TOY_CHAT},line=5,title=L001 too-many-tokens::") for line in lines)
    assert lines[-1] == "dslint failed: 3 error, 0 warning, 0 info"


def test_html_format() -> None:
    result = dslint("scan", TOY_CHAT, "--format", "html")
    assert result.exit_code == 1
    assert result.stdout.startswith("<div class='dslint'>")
    assert "assistant-before-user" in result.stdout


def test_text_format_has_no_colour_when_not_a_terminal() -> None:
    plain = dslint("scan", TOY_CHAT)
    assert "\x1b[" not in plain.stdout
    coloured = dslint("scan", TOY_CHAT, "--color", color=True)
    assert "\x1b[" in coloured.stdout


# -- the findings file ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample_size", ["1", "0", "20"])
def test_findings_out_has_every_finding(tmp_path: Path, many_errors: Path, sample_size: str) -> None:
    out = tmp_path / "out" / "findings.jsonl"
    result = dslint(
        "scan", TOY_CHAT, many_errors, "--findings-out", out, "--sample-size", sample_size, "--format", "json"
    )
    assert result.exit_code == 1
    report = report_of(result)
    findings = [FindingModel.model_validate(orjson.loads(line)) for line in out.read_bytes().splitlines()]
    total = sum(r.count for r in report.rules)
    assert total == sum(report.counts.values())
    assert len(findings) == total
    assert report.count("C004") == 1 + 16 and report.count("C001") == 12
    for rule in report.rules:
        assert len(rule.samples) == min(int(sample_size), rule.count)
        assert sum(f.code == rule.code for f in findings) == rule.count
    # the report's samples are the first findings of each rule in the file
    for rule in report.rules:
        assert rule.samples == [f for f in findings if f.code == rule.code][: len(rule.samples)]


def test_findings_out_replaces_an_old_file(tmp_path: Path) -> None:
    out = tmp_path / "findings.jsonl"
    out.write_text("stale\n" * 100, encoding="utf-8")
    assert dslint("scan", JSON_MODE, *STRUCTURAL, "--findings-out", out).exit_code == 0
    assert out.read_bytes() == b""
    assert [p.name for p in tmp_path.iterdir()] == ["findings.jsonl"]  # no temporary files left behind


# -- splits -----------------------------------------------------------------------------------------------


def test_split_flag_marks_a_split(data_dir: Path) -> None:
    train = data_dir / "chat.jsonl"
    train.write_text("".join(json_mode_lines(120)), encoding="utf-8")
    result = dslint("scan", train, "--split", f"test={TOY_CHAT}", "--format", "json")
    report = report_of(result)
    assert [(s.split, s.records) for s in report.summary.splits] == [("train", 120), ("test", 5)]
    assert report.files == [str(train), str(TOY_CHAT)]
    c004 = next(r for r in report.rules if r.code == "C004")
    assert [(f.path, f.split) for f in c004.samples] == [(str(TOY_CHAT), "test")]
    assert report.summary.training is not None and report.summary.training.examples == 120


def test_split_alone_without_paths() -> None:
    report = report_of(dslint("scan", "--split", f"val={TOY_CHAT}", "--format", "json"))
    assert [s.split for s in report.summary.splits] == ["validation"]
    assert report.count("L003") == 0  # no train split: too-few-examples does not apply
    assert report.summary.training is None


# -- rule commands ----------------------------------------------------------------------------------------


def test_rules_lists_every_rule() -> None:
    result = dslint("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    rules = all_rules()
    assert len(lines) == len(rules)
    for line, (code, cls) in zip(lines, rules.items(), strict=True):
        assert line.split()[:3] == [code, cls.name, str(cls.default_severity)]


@pytest.mark.parametrize("key", ["C004", "assistant-before-user"])
def test_rule_prints_its_documentation(key: str) -> None:
    result = dslint("rule", key)
    assert result.exit_code == 0
    assert result.stdout.startswith("C004 assistant-before-user (default severity: error, fix: none)")
    assert AssistantBeforeUser.documentation() in result.stdout
    assert "**Why it matters**" in result.stdout


def test_rule_shows_its_options() -> None:
    result = dslint("rule", "L001")
    assert result.exit_code == 0
    assert "Options:" in result.stdout
    assert "max-tokens = 4096" in result.stdout


@pytest.mark.parametrize(("key", "close"), [("C0044", "C004"), ("assistant-before-usr", "assistant-before-user")])
def test_unknown_rule_exits_2_with_close_matches(key: str, close: str) -> None:
    result = dslint("rule", key)
    assert_usage_error(result, f"unknown rule {key!r}", "did you mean", close)


def test_schema_prints_json_schema() -> None:
    result = dslint("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema == Report.model_json_schema()
    assert schema["title"] == "Report"
    assert {"rules", "counts", "summary", "passed", "schema_version"} <= set(schema["properties"])


def test_version() -> None:
    result = dslint("--version")
    assert result.exit_code == 0
    assert re.match(r"dslint, version \d+\.\d+", result.stdout)


# -- a real process ---------------------------------------------------------------------------------------


def test_real_subprocess_scan(tmp_path: Path) -> None:
    exe = shutil.which("dslint")
    command = [exe] if exe else [sys.executable, "-c", "from dslint.cli import main; main()"]
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(TOY_CHAT, data / "train.jsonl")
    shutil.copy(JSON_MODE, data / "validation.jsonl")
    proc = subprocess.run(
        [*command, "scan", "data", "--format", "json", "--jobs", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    report = Report.model_validate_json(proc.stdout)
    assert [(s.split, s.records) for s in report.summary.splits] == [("train", 5), ("validation", 500)]
    assert report.count("C004") == 1

    missing = subprocess.run(
        [*command, "scan", "missing.jsonl"], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert missing.returncode == 2
    assert missing.stderr.startswith("dslint: error: missing.jsonl")
    assert "Traceback" not in missing.stderr
