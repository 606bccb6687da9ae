from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from dslint.records import Finding, Fix, Message, Record, Severity
from dslint.rules.base import RecordRule, repair_message
from dslint.text.code import CodeSpans

# Two or more spaces; whether a run is inside a prose line is decided in Python (see `_ProseLines`).
_RUN = re.compile(r" {2,}")
# Spaces or tabs just before a line break.
_LINE_END = re.compile(r"[ \t]+(?=[\r\n])")
# The same, also at the very end of the text (plain `text` records, whose ends are not stripped).
_LINE_END_OR_END = re.compile(r"[ \t]+(?=[\r\n]|\Z)")
_NEWLINE = re.compile(r"\r\n?|\n")
# A newline after a space or a tab (starts with the newline so the regex engine scans for it quickly).
_SPACE_NEWLINE = re.compile(r"\n(?<=[ \t]\n)")
_SPACE_NEWLINE_SEARCH = _SPACE_NEWLINE.search

# Which ends of a field are checked, by format and field: "both", "start" or "none".
_ENDS = {"prompt": "start", "completion": "none"}


class Whitespace(RecordRule):
    """Whitespace noise in a text: padded ends, runs of spaces, trailing spaces on lines, mixed newlines.

    **What it does**: reports, once per field, the kinds of whitespace noise found in every turn of a chat,
    ShareGPT, Alpaca or classification record: leading or trailing whitespace; runs of two or more spaces
    between words inside a line; spaces or tabs at the end of a line; and `\\r\\n` mixed with `\\n` (or a lone
    `\\r`) in one text. Whitespace that means something is left alone: indentation, fenced and inline code,
    markdown tables (lines with `|`) and indented code blocks (lines starting with 4 spaces or a tab), the
    indentation of a turn that starts with an indented line when later lines share that indentation, and
    tool calls and tool results (machine output). Conventions are respected: in `prompt-completion` records
    the end of the prompt and both ends of the completion are left alone, because the prompt's separator
    (`"\\n\\n###\\n\\n"`) and the completion's leading space and stop sequence (`" The answer\\n"`) are
    deliberate; in plain `text` records leading and trailing newlines are harmless, so the ends are not
    stripped and only spaces at the ends of lines (the last one included) count.

    **Why it matters**: the model learns exactly the characters it is shown. A reply padded with `"\\n\\n"`
    teaches it to emit blank lines before the end of its turn; `"  "` and trailing spaces tokenize
    differently from single spaces, spending tokens and making identical texts look different to dedup;
    `\\r\\n` in some rows and `\\n` in others splits one convention into two.

    **Example**: `{"role": "assistant", "content": "Paris is the capital.  It lies on the Seine. \\n"}`.

    **Fix**: normalises exactly what was reported (safe): strips the padded ends, collapses each run of spaces
    to one space, removes the spaces at the ends of lines and turns every newline into `\\n` in a text that
    mixed them. Code, tables and indentation stay as they are, and a fixed text is not reported again.
    """

    code = "T005"
    name = "whitespace"
    default_severity = Severity.INFO
    fix_applicability = Fix.SAFE

    def check(self, record: Record) -> Iterator[Finding]:
        for msg in record.messages:
            text = msg.content
            if type(text) is not str or not text:
                continue
            # the cheap precheck: two characters, memchr tests and one two-character search
            if not (
                text[0].isspace()
                or text[-1].isspace()
                or "  " in text
                or ("\n" in text and _SPACE_NEWLINE_SEARCH(text))
                or "\r" in text
            ):
                continue
            if is_machine_text(record, msg):
                continue
            found = _Scan(text, _ends(record, msg), record.format == "text")
            if found.kinds:
                yield self.finding(
                    found.describe(),
                    record.location.at(msg.field, found.first),
                    _show(text, found.first),
                )

    def fix(self, record: Record) -> list[str]:
        changed = []
        for msg in record.messages:
            if type(msg.content) is not str or is_machine_text(record, msg):
                continue
            normalise = functools.partial(_normalise, ends=_ends(record, msg), text_mode=record.format == "text")
            if repair_message(record, msg, normalise):
                changed.append(msg.field)
        return changed


def is_machine_text(record: Record, msg: Message) -> bool:
    """Tool results and ShareGPT tool-call turns are machine output (JSON), not prose."""
    return msg.role == "tool" or (msg.has_tool_calls and record.format == "sharegpt")


def _ends(record: Record, msg: Message) -> str:
    if record.format == "text":
        return "none"
    if record.format == "prompt-completion":
        return _ENDS.get(msg.field, "both")
    return "both"


def _normalise(text: str, ends: str, text_mode: bool) -> str:
    return _Scan(text, ends, text_mode).fixed() if text else text


def _has_line_end(text: str) -> bool:
    """Spaces or tabs before a line break. The one-character tests are memchr; the look-behind regex scans
    for its literal first character, a newline."""
    if "\n" in text and _SPACE_NEWLINE.search(text):
        return True
    return "\r" in text and (" \r" in text or "\t\r" in text)


class _Scan:
    """What is wrong with one text (`kinds`, with counts), and the edits that fix exactly that."""

    __slots__ = ("edits", "first", "kinds", "lead", "text", "trail")

    def __init__(self, text: str, ends: str, line_end_at_end: bool) -> None:
        self.text = text
        self.kinds: list[str] = []
        self.edits: list[tuple[int, int, str]] = []
        self.first: tuple[int, int] | None = None
        self.lead = self.trail = False
        stripped = text.strip()
        if not stripped:
            return  # whitespace only: the empty-content rule's business
        if line_end_at_end:  # plain text: its ends are free, spaces at the end of its last line are not
            lo, hi = 0, len(text)
        else:
            lo = len(text) - len(text.lstrip())
            hi = lo + len(stripped)
            if ends != "none" and lo:
                lo = _leading(text)
                self.lead = lo > 0
            self.trail = ends == "both" and hi < len(text)
        self._internal(lo, hi, line_end_at_end)
        if self.lead:
            self.edits.insert(0, (0, lo, ""))
            self._note((0, lo))
        if self.trail:
            self.edits.append((hi, len(text), ""))
            self._note((hi, len(text)))
        ends_found = [w for w, on in (("leading", self.lead), ("trailing", self.trail)) if on]
        if ends_found:
            self.kinds.insert(0, " and ".join(ends_found) + " whitespace")

    def _note(self, span: tuple[int, int]) -> None:
        if self.first is None or span[0] < self.first[0]:
            self.first = span

    def _internal(self, lo: int, hi: int, line_end_at_end: bool) -> None:
        text = self.text
        has_cr = "\r" in text
        code: CodeSpans | None = None
        if "`" in text or "~~~" in text:
            code = CodeSpans(text.replace("\r\n", " \n") if has_cr else text)
        edits: list[tuple[int, int, str]] = []

        n_runs = 0
        if "  " in text:
            in_prose = _ProseLines(text)
            for m in _RUN.finditer(text, lo, hi):
                s, e = m.span()
                if in_prose(s, e, hi) and not (code and code.contains(s)):
                    edits.append((s, e, " "))
                    n_runs += 1
                    self._note((s, e))

        n_line_ends = 0
        pattern = _LINE_END_OR_END if line_end_at_end else _LINE_END
        if (line_end_at_end and text[hi - 1 : hi] in (" ", "\t")) or _has_line_end(text):
            for m in pattern.finditer(text, lo, hi):
                s, e = m.span()
                if not (code and code.contains(s)):
                    edits.append((s, e, ""))
                    n_line_ends += 1
                    self._note((s, e))

        n_crlf = n_lf = n_cr = 0
        if has_cr:
            spans = list(_NEWLINE.finditer(text, lo, hi))
            for m in spans:
                nl = m.group()
                if nl == "\n":
                    n_lf += 1
                elif nl == "\r\n":
                    n_crlf += 1
                else:
                    n_cr += 1
            if (n_crlf > 0) + (n_lf > 0) + (n_cr > 0) > 1:
                for m in spans:
                    if m.group() != "\n":
                        edits.append((m.start(), m.end(), "\n"))
                first = next(m for m in spans if m.group() != "\n")
                self._note(first.span())
            else:
                n_crlf = n_lf = n_cr = 0

        if n_runs:
            self.kinds.append(f"{n_runs} run{'s' if n_runs > 1 else ''} of spaces inside a line")
        if n_line_ends:
            self.kinds.append(f"{n_line_ends} line{'s' if n_line_ends > 1 else ''} ending in spaces")
        if n_crlf or n_lf or n_cr:
            styles = [f"{n} {name}" for n, name in ((n_crlf, "\\r\\n"), (n_lf, "\\n"), (n_cr, "\\r")) if n]
            self.kinds.append(f"mixed newlines ({', '.join(styles)})")
        edits.sort()
        self.edits.extend(edits)

    def describe(self) -> str:
        return ", ".join(self.kinds)

    def fixed(self) -> str:
        if not self.kinds:
            return self.text
        text = self.text
        out = []
        pos = 0
        for s, e, new in self.edits:
            out.append(text[pos:s])
            out.append(new)
            pos = e
        out.append(text[pos:])
        return "".join(out)


def _leading(text: str) -> int:
    """Where the leading whitespace to strip ends. A first line indented like a later line (a pasted code
    fragment) keeps its indentation; only the blank lines before it go."""
    lo = len(text) - len(text.lstrip())
    head_start = max(text.rfind("\n", 0, lo), text.rfind("\r", 0, lo)) + 1
    head = text[head_start:lo]
    if head and ("\n" + head) in text[lo:]:
        return head_start
    return lo


class _ProseLines:
    """Whether runs of spaces lie between two words of a prose line: not indentation, not at a line end, not in
    a markdown table row or an indented code block. A line starts after a line feed or a carriage return and
    ends at a line feed. Asked about a text's runs in order, it reads each stretch of the text a bounded number
    of times (line breaks since the last run, the next line feed, the next `|`), so a text of one long line with
    many runs is read once, not once per run."""

    __slots__ = ("end", "pipe", "seen", "start", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.start = 0  # where the line of the last run starts
        self.seen = 0  # line breaks are known up to here
        self.end = -1  # the line feed after the last run (len(text) when none)
        self.pipe = -1  # the first `|` at or after `start` (len(text) when none)

    def __call__(self, s: int, e: int, hi: int) -> bool:
        text = self.text
        if s == 0 or e >= hi or text[s - 1] in " \t\r\n" or text[e] in "\t\r\n":
            return False
        lo = max(self.start, self.seen)
        found = max(text.rfind("\n", lo, s), text.rfind("\r", lo, s))
        if found >= 0:
            self.start = found + 1
        self.seen = s
        if e > self.end:
            end = text.find("\n", e)
            self.end = end if end >= 0 else len(text)
        if self.pipe < self.start:
            pipe = text.find("|", self.start)
            self.pipe = pipe if pipe >= 0 else len(text)
        return self.pipe >= self.end and not text.startswith(("    ", "\t"), self.start)


def _show(text: str, span: tuple[int, int] | None) -> str:
    """The text around a span, with whitespace made visible (repr), bounded."""
    s, e = span or (0, 0)
    a, b = max(0, s - 24), min(len(text), max(e, s + 1) + 24)
    shown = repr(text[a:b])
    if len(shown) > 100:
        shown = shown[:99] + "…"
    return ("…" if a else "") + shown + ("…" if b < len(text) else "")
