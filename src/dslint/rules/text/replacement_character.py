from __future__ import annotations

from collections.abc import Iterator

from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import RecordRule, around

_REPLACEMENT = "\ufffd"


class ReplacementCharacter(RecordRule):
    """U+FFFD replacement characters in the text: bytes that were lost when the text was decoded.

    **What it does**: reports each text field that contains U+FFFD (`�`), with how many and where the first
    is. A row whose bytes were not valid UTF-8 is read with U+FFFD in their place, so invalid-utf8 (F003)
    reports it too.

    **Why it matters**: a decoder that met bytes it could not read (Windows-1252 text read as UTF-8, a cut
    multi-byte character) put U+FFFD in their place; what they said is gone (`Don�t`, `God's�Window`). The
    model learns to write `�`, and the damaged words tokenize into rare pieces.

    **Example**: `{"text": "I visited my mother�s villa in San Diego. Don�t be hesitant."}`.

    **Fix**: none automatic (the original bytes are lost): decode the source again with the right encoding,
    repair the words by hand, or drop the record. ftfy's mojibake of U+FFFD itself (`ï¿½`) is reported by
    mojibake (T002).
    """

    code = "T003"
    name = "replacement-character"
    default_severity = Severity.WARNING
    fix_applicability = Fix.NONE

    def check(self, record: Record) -> Iterator[Finding]:
        for msg in record.messages:
            text = msg.content
            if not isinstance(text, str) or text.isascii() or _REPLACEMENT not in text:
                continue
            start = text.index(_REPLACEMENT)
            n = text.count(_REPLACEMENT)
            message = f"{n} U+FFFD replacement character{'s' if n != 1 else ''} (the original text is lost)"
            span = (start, start + 1)
            yield self.finding(message, record.location.at(msg.field, span), around(text, *span))
