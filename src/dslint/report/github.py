"""GitHub Actions workflow commands: each sampled finding becomes an annotation on the file and line."""

from __future__ import annotations

from dslint.report.model import Report

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def render_github(report: Report) -> str:
    lines = []
    for finding in report.findings():
        props = [f"file={_escape(finding.path, True)}"]
        if finding.line is not None:
            props.append(f"line={finding.line}")
        props.append(f"title={_escape(f'{finding.code} {finding.name}', True)}")
        where = f" [{finding.field}]" if finding.field else ""
        lines.append(f"::{_LEVEL[finding.severity]} {','.join(props)}::{_escape(finding.message + where)}")
    verdict = "passed" if report.passed else "failed"
    lines.append(f"dslint {verdict}: " + ", ".join(f"{n} {k}" for k, n in report.counts.items()))
    return "\n".join(lines)
