from __future__ import annotations

import re
from collections.abc import Iterator

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule, masked_excerpt

# The domain of an e-mail address, matched just after its "@".
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24})(?![A-Za-z0-9\-]|@)")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")

# Phone numbers. Each pattern starts with a literal character so the regex engine scans for it quickly.
# +44 20 7946 0958, +1-555-123-4567, +49 (0)30 1234567, +4915112345678
_INTERNATIONAL = re.compile(r"\+\d{1,3}(?:(?:[ .\-](?:\(\d{1,5}\)|\d{2,5})){2,6}|\d{7,12})(?![\d\-]|[.,]\d)")
# 555-123-4567, (555) 123-4567, (555)123-4567: matched from the dash before the last four
# digits, with a look-behind for what precedes it (so the regex engine scans for the dash quickly).
_DASHED = re.compile(r"-(?:(?<=\d\d\d-\d\d\d-)|(?<=\(\d\d\d\)\d\d\d-)|(?<=\(\d\d\d\) \d\d\d-))\d{4}(?![\w\-]|[.,]\d)")
_INTERNATIONAL_SEARCH, _DASHED_SEARCH = _INTERNATIONAL.search, _DASHED.search

# Reserved for documentation (RFC 2606, RFC 6761) and obvious placeholders: not anyone's address.
_RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost", "local"})
_RESERVED_LABELS = frozenset({"example", "localhost"})
_PLACEHOLDER_LABELS = ("your",)  # yourdomain.com, yourcompany.com, youremail.com
# Generic domains that tutorials and synthetic data use as placeholders (boss@company.com).
_PLACEHOLDER_DOMAINS = frozenset(
    {"company.com", "domain.com", "email.com", "mycompany.com", "mydomain.com", "test.com", "sample.com", "website.com"}
)
# A "TLD" that is a file extension: logo@2x.png, icon@3x.webp, not an address.
_FILE_EXTENSIONS = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "tif", "tiff", "pdf", "js", "ts", "css", "html",
     "htm", "json", "xml", "yaml", "yml", "txt", "md", "py", "zip", "gz", "mp3", "mp4", "wav"}
)  # fmt: skip


class Pii(RecordRule):
    """An e-mail address or phone number in a text: personal data.

    **What it does**: reports, once per field, the e-mail addresses and phone numbers in every text, with their
    counts. Phone numbers are matched conservatively, by shapes with separators that other numbers rarely
    take: international (`+44 20 7946 0958`, `+1-555-123-4567`, or `+` and 10 to 15 digits) and North
    American (`(555) 123-4567`, `(555)123-4567`, `555-123-4567`, with an area code from 200), each standing
    alone (not part of a longer number, code or ID) with 8 to 15 digits, so dates, versions, prices, ISBNs,
    IDs and arithmetic do not match. Not reported: addresses at documentation domains (`example.com`, `.org`
    and `.net`, any `example` label, the `.test`, `.example`, `.invalid`, `.localhost` and `.local` TLDs) or
    placeholder ones (`yourdomain.com`, `company.com`, `domain.com`, `email.com`, `test.com`), SSH remotes
    (`git@github.com:owner/repo`) and file names (`logo@2x.png`). Code is checked too. The message and the
    excerpt mask what they show (`j***@gmail.com`, `(***) ***-**71`).

    **Why it matters**: personal data in a training set can be memorised and regurgitated by the model, and
    processing it may need a legal basis (GDPR, CCPA). Scraped text and support transcripts are full of it.

    **Example**: `{"role": "user", "content": "Call me at (415) 555-2671 or mail jane.doe@gmail.com"}`.

    **Fix**: redact (`[EMAIL]`, `[PHONE]`, or fake data at `example.com`) or drop the example.
    """

    code = "T011"
    name = "pii"
    default_severity = Severity.WARNING

    def check(self, record: Record) -> Iterator[Finding]:
        for msg in record.messages:
            text = msg.content
            if type(text) is not str:
                continue
            # the cheap precheck: memchr tests, then scans for a literal character; nothing allocated on a miss
            if not (
                "@" in text or ("+" in text and _INTERNATIONAL_SEARCH(text)) or ("-" in text and _DASHED_SEARCH(text))
            ):
                continue
            found = None
            if "@" in text:
                found = _emails(text, found)
            if "+" in text:
                found = _phones(_INTERNATIONAL, text, found)
            if "-" in text:
                found = _phones(_DASHED, text, found)
            if not found:
                continue
            found = _no_overlaps(found)
            emails = [shown for _, _, kind, shown in found if kind == "e-mail"]
            phones = [shown for _, _, kind, shown in found if kind == "phone"]
            parts = []
            for items, noun in ((emails, "e-mail address"), (phones, "phone number")):
                if items:
                    plural = "es" if noun.endswith("s") else "s"
                    listed = ", ".join(items[:3]) + (", …" if len(items) > 3 else "")
                    parts.append(f"{len(items)} {noun}{plural if len(items) > 1 else ''} ({listed})")
            s, e, _, _ = found[0]
            yield self.finding(
                " and ".join(parts),
                record.location.at(msg.field, (s, e)),
                masked_excerpt(text, [(hs, he, mask) for hs, he, _, mask in found]),
            )


Hit = tuple[int, int, str, str]


def _emails(text: str, found: list[Hit] | None) -> list[Hit] | None:
    at = text.find("@")
    while at >= 0:
        nxt = text.find("@", at + 1)
        hit = _email_at(text, at)
        if hit:
            found = found or []
            found.append(hit)
        at = nxt
    return found


def _email_at(text: str, at: int) -> Hit | None:
    """The address around the "@" at `at`, unless it is not a real person's address."""
    s = at
    while s > 0 and at - s < 64 and text[s - 1] in _LOCAL_CHARS:
        s -= 1
    while s < at and text[s] in ".+-":
        s += 1
    if s == at:
        return None  # @handle, @decorator
    m = _DOMAIN.match(text, at + 1)
    if m is None:
        return None
    domain = m.group().lower()
    labels = domain.split(".")
    if (
        labels[-1] in _RESERVED_TLDS
        or domain in _PLACEHOLDER_DOMAINS
        or labels[-1] in _FILE_EXTENSIONS
        or any(label in _RESERVED_LABELS or label.startswith(_PLACEHOLDER_LABELS) for label in labels)
    ):
        return None
    e = m.end()
    if e < len(text) - 1 and text[e] == ":" and not text[e + 1].isspace():
        return None  # git@github.com:owner/repo.git
    local = text[s:at]
    return s, e, "e-mail", f"{local[0]}***@{domain}"


def _phones(pattern: re.Pattern[str], text: str, found: list[Hit] | None) -> list[Hit] | None:
    for m in pattern.finditer(text):
        s, e = m.span()
        if pattern is _DASHED:
            s -= {")": 8, " ": 9}.get(text[s - 4], 7)  # back to where the look-behind began
        if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "-+./_=*^$€£#"):
            continue  # part of a longer number, an ID, a sum, a price
        number = text[s:e]
        if pattern is _DASHED and number[number[0] == "("] in "01":
            continue  # not a North American area code (123-456-7890 is a placeholder, 100-200-3000 a range)
        digits = sum(c.isdigit() for c in number)
        if not 8 <= digits <= 15:
            continue
        if pattern is _INTERNATIONAL and not any(c in " .-(" for c in number) and digits < 10:
            continue
        found = found or []
        found.append((s, e, "phone", _mask_digits(number)))
    return found


def _no_overlaps(found: list[Hit]) -> list[Hit]:
    """In text order; of overlapping hits (`+1 (555) 123-4567` is also `(555) 123-4567`) the first, longest."""
    found.sort(key=lambda h: (h[0], -h[1]))
    kept = [found[0]]
    for hit in found[1:]:
        if hit[0] >= kept[-1][1]:
            kept.append(hit)
    return kept


def _mask_digits(number: str) -> str:
    """All digits but the last two hidden: `(***) ***-**67`."""
    keep = len(number)
    seen = 0
    for i in range(len(number) - 1, -1, -1):
        if number[i].isdigit():
            seen += 1
            if seen == 2:
                keep = i
                break
    return "".join("*" if c.isdigit() else c for c in number[:keep]) + number[keep:]
