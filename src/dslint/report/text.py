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

    if report.profile:
        out.extend(_profile(report.profile))
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


FAMILIES = {"F": "input/format", "C": "chat", "L": "length", "T": "text", "P": "prompt", "D": "dataset"}


def _profile(seconds: dict[str, float]) -> list[str]:
    """Where the scan's time went: reading, tokenizing, each rule family, and the slowest rules."""
    rules = {k: v for k, v in seconds.items() if k[:1] in FAMILIES and k[1:].isdigit()}
    families: dict[str, float] = {}
    for code, sec in rules.items():
        families[code[0]] = families.get(code[0], 0.0) + sec
    steps = [(k, v) for k, v in seconds.items() if k not in rules]
    steps += [(f"{FAMILIES[f]} rules ({f})", v) for f, v in sorted(families.items())]
    lines = ["Profile (seconds)"]
    lines += [f"  {name:<24}{sec:>9.3f}" for name, sec in steps]
    slowest = sorted(rules.items(), key=lambda kv: -kv[1])[:5]
    lines.append("  slowest rules: " + ", ".join(f"{code} {sec:.3f}" for code, sec in slowest))
    return lines
