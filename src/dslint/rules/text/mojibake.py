from __future__ import annotations

import re
from collections.abc import Iterator

import ftfy
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES

from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import RecordRule, around, repair_messages
from dslint.text.chars import unusual_chars

# `ftfy.badness.is_bad(text)` is `BADNESS_RE.search(text)`: an alternation of ~40 character sequences tried at
# every position, ~100 us for a 750-character message. Every one of its sequences holds at least one character
# of the class below (for each alternative, the rarest of the classes it requires), so `bad_sequence` looks
# for those characters first, quickly, and tries `BADNESS_RE` only in a window around each one. It finds a
# match exactly when `is_bad` is true (tests/rules/test_t002_mojibake.py checks this on random strings). None of
# those characters is ASCII, so it first searches the text's few `unusual_chars` (most non-ASCII text holds
# only quotes and dashes, outside the class) and the whole text only when one of them is in the class.
_C = MOJIBAKE_CATEGORIES
_REQUIRED = re.compile(
    "["
    + _C["c1"]
    + _C["bad"]
    + _C["law"]
    + _C["currency"]
    + _C["numeric"]
    + _C["upper_accented"]
    + _C["lower_accented"]
    + _C["box"]
    + "ØÙЂВГРСΒΓΞΟ"  # [ØÙ]..[ØÙ]: Arabic in Windows-1252; вЂ, [ВГРС]·[ВГРС]: 1251; [ΒΓΞΟ]·[ΒΓΞΟ]: 1253
    + "]"
)
_WINDOW = 8  # no BADNESS_RE sequence is longer than 7 characters
_MAX_WINDOWS = 64

#: Unrepairable mojibake is reported only when it is dense: at least this many sequences, one every
#: `_DENSE_EVERY` characters from the first to the last (hopeless garble, not one odd character).
_DENSE_MIN, _DENSE_EVERY = 4, 10


def bad_sequence(text: str) -> re.Match[str] | None:
    """The first sequence of `text` that `ftfy.badness.is_bad` counts as mojibake, or None."""
    search = _REQUIRED.search
    if search(unusual_chars(text)) is None:
        return None
    pos = 0
    for _ in range(_MAX_WINDOWS):
        m = search(text, pos)
        if m is None:
            return None
        at = m.start()
        bad = BADNESS_RE.search(text, max(0, at - _WINDOW), at + _WINDOW)
        if bad is not None:
            return bad
        pos = at + 1
    return BADNESS_RE.search(text, max(0, pos - _WINDOW))  # text full of them (not English): one search


class Mojibake(RecordRule):
    """Mojibake: text that was decoded with the wrong encoding (`CafÃ©`, `donâ€™t`, `Â `).

    **What it does**: skips pure-ASCII text, then looks for the character sequences that ftfy's badness
    heuristic (`ftfy.badness.is_bad`) counts as mojibake, and reports each field where `ftfy.fix_encoding` can
    repair them, with their count and the first one. Mojibake that ftfy cannot repair is reported only when it
    is dense (4 or more sequences, one every 10 characters or closer), so that a stray `Ã` in a name or
    stylised text (`MÄ£ÄM`) is not.

    **Why it matters**: the model learns the garbage as text and reproduces it (`Itâ€™s`), and the damaged
    words tokenize into many rare tokens. It usually affects a whole source, so one finding points at many.

    **Example**: `{"text": "The cafÃ© opens at 8 â€“ donâ€™t be late."}` (UTF-8 read as Windows-1252).

    **Fix**: `ftfy.fix_encoding` (safe): it only undoes encoding damage (`cafÃ©` becomes `café`) and leaves the
    rest of the text as it is. C1 control characters from Windows-1252 text (`\\x92`) become the characters
    they stood for. U+FFFD replacement characters cannot be repaired: replacement-character (T003) reports
    them.
    """

    code = "T002"
    name = "mojibake"
    default_severity = Severity.WARNING
    fix_applicability = Fix.SAFE

    def check(self, record: Record) -> Iterator[Finding]:
        for msg in record.messages:
            text = msg.content
            if not isinstance(text, str) or text.isascii():
                continue
            first = bad_sequence(text)
            if first is None:
                continue
            sequences = list(BADNESS_RE.finditer(text, first.start()))
            n = len(sequences)
            what = f"{n} suspicious sequence{'s' if n != 1 else ''}, first {first.group()!r}"
            if ftfy.fix_encoding(text) != text:
                message = f"mojibake (text decoded with the wrong encoding): {what}"
            elif n >= _DENSE_MIN and sequences[-1].end() - first.start() <= n * _DENSE_EVERY:
                message = f"mojibake that ftfy cannot repair: {what}"
            else:
                continue
            yield self.finding(message, record.location.at(msg.field, first.span()), around(text, *first.span()))

    def fix(self, record: Record) -> list[str]:
        return repair_messages(record, _repair)


def _repair(text: str) -> str | None:
    if text.isascii() or bad_sequence(text) is None:
        return None
    return ftfy.fix_encoding(text)
