from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import RecordRule, around, repair_messages
from dslint.text.chars import PLAIN_ASCII, unusual_chars

_INVISIBLE = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"  # C0 controls but tab, line feed and carriage return; DEL
    "\x80-\x9f"  # C1 controls
    "\u00ad"  # SOFT HYPHEN
    "\u200b"  # ZERO WIDTH SPACE
    "\u2060"  # WORD JOINER
    "\ufeff"  # ZERO WIDTH NO-BREAK SPACE (a byte order mark inside the text)
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2066-\u2069"  # bidi isolates
    "\U000e0000-\U000e007f"  # tag characters (unless in an emoji flag)
    "]"
)
#: The ASCII characters that are fine (printable, tab, line feed, carriage return): deleting them from ASCII text
#: leaves the controls, much faster than a regex search (most text is ASCII).
_ASCII_OK = PLAIN_ASCII
#: England, Scotland, Wales: a black flag, tag characters, a cancel tag. Such tag characters are not hidden text.
_EMOJI_FLAG = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")

_C0_NAMES = (
    "NULL",
    "START OF HEADING",
    "START OF TEXT",
    "END OF TEXT",
    "END OF TRANSMISSION",
    "ENQUIRY",
    "ACKNOWLEDGE",
    "BELL",
    "BACKSPACE",
    "CHARACTER TABULATION",
    "LINE FEED",
    "LINE TABULATION",
    "FORM FEED",
    "CARRIAGE RETURN",
    "SHIFT OUT",
    "SHIFT IN",
    "DATA LINK ESCAPE",
    "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO",
    "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR",
    "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK",
    "CANCEL",
    "END OF MEDIUM",
    "SUBSTITUTE",
    "ESCAPE",
    "INFORMATION SEPARATOR FOUR",
    "INFORMATION SEPARATOR THREE",
    "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
)
#: Controls that break a line: the fix writes a line break for them, so the words around stay apart.
_LINE_BREAKS = frozenset("\x0b\x0c")
_SHOWN_KINDS = 3


def _name(ch: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`; controls have no Unicode name, so their ISO 6429 name."""
    cp = ord(ch)
    if cp < 0x20:
        name = _C0_NAMES[cp]
    elif cp == 0x7F:
        name = "DELETE"
    elif cp <= 0x9F:
        try:
            meant = bytes([cp]).decode("cp1252")
            name = f"C1 CONTROL ({meant!r} in Windows-1252)"
        except UnicodeDecodeError:
            name = "C1 CONTROL"
    elif cp == 0xFEFF:
        name = "ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)"
    else:
        name = unicodedata.name(ch, "UNASSIGNED TAG")
    return f"U+{cp:04X} {name}"


def _maybe(text: str) -> bool:
    """The cheap precheck: may `text` hold a reported character?"""
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _ASCII_OK))
    # `_INVISIBLE` has no plain ASCII members: searching the few unusual characters is exact, and ~3x faster
    return _INVISIBLE.search(unusual_chars(text)) is not None


def invisible_positions(text: str) -> list[int]:
    """Where `text` has the invisible characters this rule reports (empty: none)."""
    positions = [m.start() for m in _INVISIBLE.finditer(text)]
    if positions and "\U0001f3f4" in text:  # keep the tag characters of emoji flags
        flags = [m.span() for m in _EMOJI_FLAG.finditer(text)]
        positions = [p for p in positions if not any(s <= p < e for s, e in flags)]
    return positions


def _visible(s: str) -> str:
    """`s` with the reported characters written as `<U+200B>` (emoji flags stay as they are), for excerpts."""
    pieces: list[str] = []
    pos = 0
    for flag in _EMOJI_FLAG.finditer(s) if "\U0001f3f4" in s else ():
        pieces += [_INVISIBLE.sub(_codepoint, s[pos : flag.start()]), flag.group()]
        pos = flag.end()
    pieces.append(_INVISIBLE.sub(_codepoint, s[pos:]))
    return "".join(pieces)


def _codepoint(m: re.Match[str]) -> str:
    return f"<U+{ord(m.group()):04X}>"


class InvisibleCharacter(RecordRule):
    """Invisible control and format characters in the text: zero-width spaces, soft hyphens, bidi overrides.

    **What it does**: reports each text field that contains C0 control characters other than tab, line feed
    and carriage return, DEL, C1 control characters, ZERO WIDTH SPACE (U+200B), WORD JOINER (U+2060), a byte
    order mark (U+FEFF) inside the text, SOFT HYPHEN (U+00AD), bidirectional embedding, override and isolate
    controls (U+202A-U+202E, U+2066-U+2069), or tag characters (U+E0000-U+E007F, but not in an emoji flag),
    naming them and counting them. ZERO WIDTH JOINER and NON-JOINER (emoji sequences, Persian and Indic
    scripts) and the LEFT-TO-RIGHT and RIGHT-TO-LEFT MARKS (right-to-left text) are not reported.

    **Why it matters**: they are invisible to a reviewer but not to the tokenizer: `data\\u200bset` and `dataset`
    are different tokens, and a soft hyphen splits a word. Bidi overrides can show text in a different order
    than the model reads it ("Trojan Source"), and tag characters can hide a whole instruction (ASCII smuggling).

    **Example**: `{"role": "user", "content": "St John the Baptist Church \\u200bin Burford"}`.

    **Fix**: removes them (safe). A line tabulation or form feed becomes a line break instead, so the words
    around it stay apart. C1 controls are usually Windows-1252 punctuation read as Latin-1 (`don\\x92t`):
    mojibake (T002), which runs first when both are on, turns them back into the characters they stood for.
    """

    code = "T004"
    name = "invisible-character"
    default_severity = Severity.WARNING
    fix_applicability = Fix.SAFE

    def check(self, record: Record) -> Iterator[Finding]:
        for msg in record.messages:
            text = msg.content
            if not isinstance(text, str) or not _maybe(text):
                continue
            positions = invisible_positions(text)
            if not positions:
                continue
            kinds = Counter(text[p] for p in positions)
            names = [f"{_name(ch)}" + (f" ({n})" if n > 1 else "") for ch, n in kinds.items()]
            if len(names) > _SHOWN_KINDS:
                names[_SHOWN_KINDS:] = [f"and {len(names) - _SHOWN_KINDS} more kinds"]
            n = len(positions)
            message = f"{n} invisible character{'s' if n != 1 else ''}: {', '.join(names)}"
            tags = "".join(chr(ord(text[p]) - 0xE0000) for p in positions if "\U000e0020" <= text[p] <= "\U000e007e")
            if tags:
                message += f"; the tag characters spell {tags!r}"
            first = positions[0]
            location = record.location.at(msg.field, (first, first + 1))
            yield self.finding(message, location, around(text, first, first + 1, render=_visible))

    def fix(self, record: Record) -> list[str]:
        return repair_messages(record, remove_invisible)


def remove_invisible(text: str) -> str | None:
    """`text` without the characters this rule reports (None when there are none)."""
    if not _maybe(text):
        return None
    positions = invisible_positions(text)
    if not positions:
        return None
    pieces: list[str] = []
    pos = 0
    for p in positions:
        pieces.append(text[pos:p])
        if text[p] in _LINE_BREAKS:
            pieces.append("\n")
        pos = p + 1
    pieces.append(text[pos:])
    return "".join(pieces)
