"""The Report model and its renderers: text, HTML (escaping untrusted dataset text) and GitHub annotations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import dslint
from dslint.report.github import render_github
from dslint.report.html import render_html
from dslint.report.model import (
    Distribution,
    FindingModel,
    Report,
    RuleResult,
    SplitSummary,
    Summary,
    TrainingEstimate,
)
from dslint.report.text import render_text
from dslint.rules import all_rules

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TOY_CHAT = EXAMPLES / "oai_toy_chat" / "toy_chat_fine_tuning.jsonl"
JSON_MODE = EXAMPLES / "anthropic_json_mode_chat" / "json_mode_dataset.jsonl"

SCRIPT = "<script>alert(1)</script>"
# The scans of the example sets run the structural and length rules, whose findings there are known (the toy
# set's three errors, see test_real_data.py); the text, prompt and dataset rules are tested on them elsewhere.
STRUCTURAL = ["F", "C", "L"]
N_RULES = sum(code[0] in "FCL" for code in all_rules())


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no config file of the checkout is discovered


@pytest.fixture(scope="module")
def toy_report() -> Report:
    return dslint.scan(TOY_CHAT, config=dslint.Config(select=STRUCTURAL))  # no config discovery


def dist(values: list[int]) -> Distribution:
    return Distribution(
        min=min(values),
        mean=sum(values) / len(values),
        p50=values[len(values) // 2],
        p90=values[-1],
        p95=values[-1],
        max=max(values),
        total=sum(values),
    )


def make_report(rules: list[RuleResult], passed: bool = False, fail_on: str = "error") -> Report:
    counts = {"error": 0, "warning": 0, "info": 0}
    for rule in rules:
        counts[rule.severity] += rule.count
    return Report(
        dslint_version="0.0.0",
        files=sorted({f.path for r in rules for f in r.samples}) or ["data.jsonl"],
        fail_on=fail_on,  # type: ignore[arg-type]
        counts=counts,
        rules=rules,
        rules_run=[r.code for r in rules],
        summary=Summary(
            encoding="o200k_base",
            max_tokens=4096,
            splits=[
                SplitSummary(
                    split="train",
                    records=4,
                    formats={"openai-chat": 4},
                    files={"data.jsonl": 4},
                    tokens=dist([10, 20, 30, 40]),
                    turns=dist([2, 2, 2, 4]),
                    assistant_tokens=50,
                )
            ],
            training=TrainingEstimate(examples=4, suggested_epochs=25, tokens_per_epoch=100, training_tokens=2500),
        ),
        passed=passed,
    )


def finding(code: str, name: str, severity: str, message: str, path: str, **where: object) -> FindingModel:
    return FindingModel(code=code, name=name, severity=severity, message=message, path=path, **where)  # type: ignore[arg-type]


# -- the model --------------------------------------------------------------------------------------------


def test_report_model_round_trips_through_json(toy_report: Report) -> None:
    again = Report.model_validate_json(toy_report.to_json())
    assert again == toy_report
    assert json.loads(toy_report.to_json())["schema_version"] == "1"


def test_report_helpers(toy_report: Report) -> None:
    assert toy_report.exit_code == 1
    assert toy_report.count("C004") == toy_report.count("assistant-before-user") == 1
    assert toy_report.count("C001") == 0
    assert [f.code for f in toy_report.findings()] == ["C004", "L001", "L003"]
    frame = toy_report.to_pandas()
    assert list(frame.columns) == list(FindingModel.model_fields)
    assert frame["code"].tolist() == ["C004", "L001", "L003"]
    assert frame.loc[0, "line"] == 4
    clean = dslint.scan(JSON_MODE, select=STRUCTURAL)
    assert clean.exit_code == 0 and clean.passed
    assert clean.to_pandas().empty


# -- text -------------------------------------------------------------------------------------------------


def test_text_report_of_a_failing_scan(toy_report: Report) -> None:
    text = render_text(toy_report)
    lines = text.splitlines()
    assert "error   C004 assistant-before-user: 1" in lines
    assert f"  {TOY_CHAT}:4  messages[1].role  conversation has no user turn" in lines
    assert any(line.startswith(f"  {TOY_CHAT}:5  messages[2].content  example has 8028 tokens") for line in lines)
    assert "Summary (tokens: o200k_base, max-tokens: 4096)" in lines
    assert re.search(r"^  train\s+5  24/1642\.8/40/8028/8028/8028\s+3\.8  openai-chat 5$", text, re.M)
    assert "  Training estimate: 5 examples x 20 epochs (suggested) = 85,640 tokens (4,282 per epoch)" in lines
    assert lines[-1] == (
        f"FAILED: 3 errors, 0 warnings, 0 info in 5 records from 1 file(s); {N_RULES} rules ran (fail-on: error)"
    )
    assert "\x1b[" not in text
    assert str(toy_report) == text


def test_text_report_of_a_clean_scan() -> None:
    text = render_text(dslint.scan(JSON_MODE, select=STRUCTURAL))
    assert text.splitlines()[-1] == (
        f"PASSED: 0 errors, 0 warnings, 0 info in 500 records from 1 file(s); {N_RULES} rules ran (fail-on: error)"
    )
    assert "C00" not in text


def test_text_report_colour(toy_report: Report) -> None:
    coloured = render_text(toy_report, color=True)
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_text(toy_report)


def test_text_report_rows_without_lines_and_more_than_shown() -> None:
    samples = [
        finding("C005", "no-assistant-turn", "error", "conversation has no assistant turn", "chat.parquet", row=i)
        for i in range(3)
    ]
    samples.append(
        finding("C005", "no-assistant-turn", "error", "conversation has no assistant turn", "x.jsonl", line=9, row=8)
    )
    report = make_report(
        [RuleResult(code="C005", name="no-assistant-turn", severity="error", count=7, samples=samples)]
    )
    lines = render_text(report).splitlines()
    assert "  chat.parquet[row 0]  conversation has no assistant turn" in lines
    assert "  chat.parquet[row 2]  conversation has no assistant turn" in lines
    assert not any("x.jsonl" in line for line in lines)  # only the first three examples are shown
    assert "  … and 4 more" in lines
    assert lines[-1].startswith("FAILED: 7 errors, 0 warnings, 0 info in 4 records from 2 file(s); 1 rules ran")


def test_text_report_shows_excerpts() -> None:
    sample = finding(
        "F001", "invalid-json", "error", "invalid JSON: unexpected end", "raw.jsonl", line=3, row=2, excerpt='{"a": '
    )
    report = make_report([RuleResult(code="F001", name="invalid-json", severity="error", count=1, samples=[sample])])
    lines = render_text(report).splitlines()
    assert "  raw.jsonl:3  invalid JSON: unexpected end" in lines
    assert '      {"a": ' in lines


# -- HTML -------------------------------------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A chat file whose roles, keys, split names, content and broken lines carry markup."""
    rows = [
        json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": SCRIPT, "content": SCRIPT}]}),
        json.dumps(
            {"messages": [{"role": "user", "content": SCRIPT}, {"role": "assistant", "content": "ok"}], SCRIPT: 1}
        ),
        json.dumps(
            {"split": SCRIPT, "messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
        ),
        '{"messages": "' + SCRIPT,
    ]
    path = tmp_path / "data" / "chat.jsonl"
    path.parent.mkdir()
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_html_escapes_dataset_text(hostile: Path) -> None:
    report = dslint.scan(hostile)
    # the dataset text does reach the report...
    assert report.count("unknown-role") == 1 and report.count("unexpected-key") == 1 and report.count("F001") == 1
    assert any(SCRIPT in f.message for f in report.findings())
    assert SCRIPT in [s.split for s in report.summary.splits]
    # ...but never unescaped into the HTML
    html = render_html(report)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("&lt;script&gt;") >= 3  # the role (message), the key (field and message), the split
    assert report._repr_html_() == html


def test_html_escapes_paths_and_messages() -> None:
    sample = finding(
        "C001", "unknown-role", "error", "unknown role '\"><img src=x onerror=alert(1)>'", "a&b<i>.jsonl", line=1
    )
    report = make_report([RuleResult(code="C001", name="unknown-role", severity="error", count=1, samples=[sample])])
    html = render_html(report)
    assert "<img" not in html and "<i>" not in html
    assert "a&amp;b&lt;i&gt;.jsonl:1" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>dslint FAILED</b>: 1 error, 0 warning, 0 info" in html


def test_html_of_a_clean_report() -> None:
    html = render_html(dslint.scan(JSON_MODE, select=STRUCTURAL))
    assert "<b>dslint PASSED</b>" in html
    assert "<td>train</td><td>500</td>" in html


# -- GitHub annotations ---------------------------------------------------------------------------------------


def test_github_annotations_of_a_real_scan(toy_report: Report) -> None:
    lines = render_github(toy_report).splitlines()
    assert lines == [
        f"::error file={TOY_CHAT},line=4,title=C004 assistant-before-user::conversation has no user turn "
        "[messages[1].role]",
        f"::error file={TOY_CHAT},line=5,title=L001 too-many-tokens::example has 8028 tokens, over max-tokens 4096 "
        "(longest field: 8000 tokens) [messages[2].content]",
        f"::error file={TOY_CHAT},title=L003 too-few-examples::the train split has 5 example(s), fewer than 10 "
        f"(files: {TOY_CHAT})",
        "dslint failed: 3 error, 0 warning, 0 info",
    ]


def test_github_escapes_properties_and_data() -> None:
    sample = finding(
        "C003",
        "consecutive-same-role",
        "warning",
        "100% sure: two user turns, in a row\r\nsecond line",
        "data/a:b,c%d.jsonl",
        line=12,
        row=11,
        field="messages[1].role",
    )
    info = finding("C009", "unexpected-key", "info", "unexpected key 'x'", "plain.jsonl", row=0)
    report = make_report(
        [
            RuleResult(code="C003", name="consecutive-same-role", severity="warning", count=1, samples=[sample]),
            RuleResult(code="C009", name="unexpected-key", severity="info", count=1, samples=[info]),
        ],
        passed=True,
    )
    lines = render_github(report).splitlines()
    assert lines == [
        "::warning file=data/a%3Ab%2Cc%25d.jsonl,line=12,title=C003 consecutive-same-role::"
        "100%25 sure: two user turns, in a row%0D%0Asecond line [messages[1].role]",
        "::notice file=plain.jsonl,title=C009 unexpected-key::unexpected key 'x'",
        "dslint passed: 0 error, 1 warning, 1 info",
    ]


def test_github_annotations_never_span_lines(hostile: Path) -> None:
    sample = finding("F001", "invalid-json", "error", "bad\nline\rhere", "x\ny.jsonl", line=1)
    report = make_report([RuleResult(code="F001", name="invalid-json", severity="error", count=1, samples=[sample])])
    out = render_github(report)
    assert out.splitlines()[0] == "::error file=x%0Ay.jsonl,line=1,title=F001 invalid-json::bad%0Aline%0Dhere"
    assert len(render_github(dslint.scan(hostile)).splitlines()) == len(dslint.scan(hostile).findings()) + 1
