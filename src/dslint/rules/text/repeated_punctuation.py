from __future__ import annotations

import re
from collections.abc import Iterator

from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import RecordRule, around, repair_message
from dslint.rules.text.whitespace import is_machine_text
from dslint.text.code import CodeSpans

# A run of ! and ? (ASCII or full-width, U+FF01 and U+FF1F): three or more marks, or "!!" / "??" (see `_runs`).
_FULL_WIDTH = "\uff01\uff1f"
_MARKS = re.compile(f"[!?{_FULL_WIDTH}]{{2,}}")
# ",," or ";;" (or longer) before a space; `_runs` wants a letter before it: a typo in prose, not a CSV field or
# `for (;;)`. Each starts with a two-character literal, which the regex engine scans for faster than `in` does.
_COMMAS = re.compile(r",,+(?= )")
_SEMICOLONS = re.compile(r";;+(?= )")
_COMMAS_SEARCH, _SEMICOLONS_SEARCH = _COMMAS.search, _SEMICOLONS.search


class RepeatedPunctuation(RecordRule):
    """Runs of repeated punctuation in prose: "!!!", "???", "?!?!", ",,", ";;".

    **What it does**: reports, once per field, runs of `!` and `?` (ASCII or full-width, U+FF01/U+FF1F): any run
    of three or more marks, and `!!` or `??` right after a word (an ASCII pair also before a space, a closing
    mark or the end); and `,,` or `;;` between a word and a space. Left alone: the ellipsis (`...`), markdown
    rules and headings (`---`, `***`, `===`, `###`), the interrobang pair `?!`/`!?`, fenced and inline code,
    doubled marks that are syntax in unfenced code (`s!!.length`, `a ?? b`, `for (;;)`), empty CSV fields
    (`a,,b`), and tool calls and tool results (machine output).

    **Why it matters**: excited or sloppy punctuation is copied by the model: a fine-tune on replies ending in
    "!!!" answers that way, which is rarely the tone wanted; doubled commas are typos it learns to make.

    **Example**: `{"role": "assistant", "content": "Great question!!! Let's see,, first..."}`.

    **Fix**: collapses each reported run to one mark (unsafe: it may change the tone): `!!!` -> `!`,
    `,,` -> `,`; a mixed run keeps its first two distinct marks (`?!?!` -> `?!`), the interrobang the rule
    accepts, so a question stays a question.
    """

    code = "T006"
    name = "repeated-punctuation"
    default_severity = Severity.INFO
    fix_applicability = Fix.UNSAFE

    def check(self, record: Record) -> Iterator[Finding]:
        for msg in record.messages:
            text = msg.content
            if type(text) is not str:
                continue
            # the cheap precheck (as `_maybe`, inlined: it runs on every text): memchr tests first
            if not (
                ("!" in text and ("!!" in text or "?!" in text or "!?" in text))
                or ("?" in text and "??" in text)
                or _COMMAS_SEARCH(text)
                or (";" in text and _SEMICOLONS_SEARCH(text))
                or (not text.isascii() and (_FULL_WIDTH[0] in text or _FULL_WIDTH[1] in text))
            ):
                continue
            if is_machine_text(record, msg):
                continue
            runs = _runs(text)
            if runs:
                shown = list(dict.fromkeys(text[s:e] for s, e, _ in runs))
                what = ", ".join(f'"{r}"' for r in shown[:5]) + (", …" if len(shown) > 5 else "")
                s, e, _ = runs[0]
                yield self.finding(
                    f"{len(runs)} run{'s' if len(runs) > 1 else ''} of repeated punctuation: {what}",
                    record.location.at(msg.field, (s, e)),
                    around(text, s, e),
                )

    def fix(self, record: Record) -> list[str]:
        changed = []
        for msg in record.messages:
            if type(msg.content) is not str or is_machine_text(record, msg):
                continue
            if repair_message(record, msg, _collapse):
                changed.append(msg.field)
        return changed


def _collapse(text: str) -> str:
    """The text with every reported run collapsed."""
    runs = _runs(text) if _maybe(text) else None
    if not runs:
        return text
    out = []
    pos = 0
    for s, e, new in runs:
        out.append(text[pos:s])
        out.append(new)
        pos = e
    out.append(text[pos:])
    return "".join(out)


def _maybe(text: str) -> bool:
    """The cheap precheck: one-character (memchr) tests first, the two-character ones only where they can hit."""
    if "!" in text and ("!!" in text or "?!" in text or "!?" in text):
        return True
    if "?" in text and "??" in text:
        return True
    if not text.isascii() and (_FULL_WIDTH[0] in text or _FULL_WIDTH[1] in text):
        return True
    return _COMMAS_SEARCH(text) is not None or (";" in text and _SEMICOLONS_SEARCH(text) is not None)


def _runs(text: str) -> list[tuple[int, int, str]]:
    """The reported runs as (start, end, replacement), in text order."""
    runs: list[tuple[int, int, str]] = []
    code: CodeSpans | None = None
    for pattern in (_MARKS, _COMMAS, _SEMICOLONS):
        for m in pattern.finditer(text):
            s, e = m.span()
            new = _replacement(text, s, e) if pattern is _MARKS else _doubled(text, s)
            if new is None:
                continue
            if code is None:
                code = CodeSpans(text)
            if not code.contains(s):
                runs.append((s, e, new))
    runs.sort()
    return runs


def _replacement(text: str, s: int, e: int) -> str | None:
    """What a run of ! and ? becomes, or None when it is not reported."""
    run = text[s:e]
    if len(run) == 2:
        # "?!" and "!?" are the interrobang; "!!"/"??" count only right after a word and (ASCII ones) before a
        # space, a closing mark or the end: not Kotlin's `s!!.length`, not C#'s `a ?? b`
        if run[0] != run[1] or s == 0 or not text[s - 1].isalnum():
            return None
        if run[0] in "!?" and e < len(text) and text[e] not in _AFTER:
            return None
    distinct = list(dict.fromkeys(run))
    return "".join(distinct[:2]) if len(distinct) > 1 else run[0]


def _doubled(text: str, s: int) -> str | None:
    """A ",," or ";;" run becomes its mark, when it follows a letter (not a CSV field, not `for (;;)`)."""
    return text[s] if s > 0 and text[s - 1].isalpha() else None


_AFTER = frozenset(" \t\r\n\"')]}*_\u00bb\u201d\u2019")  # space, end of line, closing quote or bracket, emphasis
