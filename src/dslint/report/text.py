"""The terminal report: findings grouped by rule with their first examples, the summary, a verdict."""

from __future__ import annotations

import click

from dslint.report.model import Distribution, Report

SEVERITY_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def _style(text: str, color: bool, **kwargs: object) -> str:
    return click.style(text, **kwargs) if color else text  # type: ignore[arg-type]


def _dist(d: Distribution) -> str:
    return f"{d.min}/{d.mean:g}/{d.p50}/{d.p90}/{d.p95}/{d.max}"


def render_text(report: Report, color: bool = False, examples: int = 3) -> str:
    out: list[str] = []
    for rule in report.rules:
        sev = _style(f"{rule.severity:<7}", color, fg=SEVERITY_COLOURS[rule.severity], bold=True)
        out.append(f"{sev} {_style(rule.code, color, bold=True)} {rule.name}: {rule.count}")
        for f in rule.samples[:examples]:
            where = f.path + (f":{f.line}" if f.line is not None else f"[row {f.row}]" if f.row is not None else "")
            field = f"  {f.field}" if f.field else ""
            out.append(f"  {_style(where, color, fg='cyan')}{field}  {f.message}")
            if f.excerpt:
                out.append(f"      {_style(f.excerpt, color, dim=True)}")
        if rule.count > min(examples, len(rule.samples)):
            out.append(f"  … and {rule.count - min(examples, len(rule.samples))} more")
    if report.rules:
        out.append("")

    s = report.summary
    out.append(_style("Summary", color, bold=True) + f" (tokens: {s.encoding}, max-tokens: {s.max_tokens})")
    header = f"  {'split':<12}{'records':>9}  {'tokens min/mean/p50/p90/p95/max':<34}{'turns mean':>10}  formats"
    out.append(header)
    for sp in s.splits:
        formats = ", ".join(f"{k} {v}" for k, v in sp.formats.items())
        out.append(f"  {sp.split:<12}{sp.records:>9}  {_dist(sp.tokens):<34}{sp.turns.mean:>10g}  {formats}")
    if s.training:
        t = s.training
        out.append(
            f"  Training estimate: {t.examples} examples x {t.suggested_epochs} epochs (suggested) = "
            f"{t.training_tokens:,} tokens ({t.tokens_per_epoch:,} per epoch)"
        )
    out.append("")

    c = report.counts
    records = sum(sp.records for sp in s.splits)
    verdict = (
        _style("PASSED", color, fg="green", bold=True)
        if report.passed
        else _style("FAILED", color, fg="red", bold=True)
    )
    out.append(
        f"{verdict}: {c.get('error', 0)} errors, {c.get('warning', 0)} warnings, {c.get('info', 0)} info "
        f"in {records} records from {len(report.files)} file(s); {len(report.rules_run)} rules ran "
        f"(fail-on: {report.fail_on})"
    )
    return "\n".join(out)
