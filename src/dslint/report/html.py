"""A self-contained HTML report (also the notebook rendering of a Report). Dataset text is untrusted input:
everything taken from it is escaped."""

from __future__ import annotations

from html import escape

from dslint.report.model import Report

_STYLE = (
    "<style>.dslint td,.dslint th{padding:2px 8px;text-align:left;vertical-align:top}"
    ".dslint .error{color:#b00}.dslint .warning{color:#a60}.dslint .info{color:#06a}</style>"
)


def render_html(report: Report, examples: int = 5) -> str:
    rows = []
    for rule in report.rules:
        rows.append(
            f"<tr><td class='{escape(rule.severity)}'>{escape(rule.severity)}</td><td><b>{escape(rule.code)}</b>"
            f"</td><td>{escape(rule.name)}</td><td>{rule.count}</td></tr>"
        )
        for f in rule.samples[:examples]:
            where = f.path + (f":{f.line}" if f.line is not None else f"[row {f.row}]" if f.row is not None else "")
            rows.append(
                f"<tr><td></td><td colspan='2'><code>{escape(where)}</code> <code>{escape(f.field or '')}</code>"
                f"</td><td>{escape(f.message)}</td></tr>"
            )
    splits = "".join(
        f"<tr><td>{escape(sp.split)}</td><td>{sp.records}</td><td>{sp.tokens.min}</td><td>{sp.tokens.mean:g}</td>"
        f"<td>{sp.tokens.p95}</td><td>{sp.tokens.max}</td><td>{escape(', '.join(sp.formats))}</td></tr>"
        for sp in report.summary.splits
    )
    verdict = "PASSED" if report.passed else "FAILED"
    counts = ", ".join(f"{n} {escape(k)}" for k, n in report.counts.items())
    return (
        f"<div class='dslint'>{_STYLE}<p><b>dslint {verdict}</b>: {counts}</p>"
        "<table><tr><th>severity</th><th>code</th><th>rule</th><th>count / message</th></tr>"
        f"{''.join(rows)}</table>"
        "<table><tr><th>split</th><th>records</th><th>min tokens</th><th>mean</th><th>p95</th><th>max</th>"
        f"<th>formats</th></tr>{splits}</table></div>"
    )
