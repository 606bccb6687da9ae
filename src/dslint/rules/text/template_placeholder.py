from __future__ import annotations

import re
from collections.abc import Iterator

import orjson

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule, around
from dslint.text.code import CodeSpans

# Each pattern starts with a literal character, so the regex engine scans for it quickly.
# {{name}}, {{ user.name }}, {{.Name}}, {{#each items}}, {{> partial}}, {{ name | upper }}
_DOUBLE = re.compile(
    r"\{\{[-~]?[ \t]*[#/^>&]?[ \t]*\.?[A-Za-z_][\w.\-]*(?:[ \t]+[\w.\-]+){0,3}(?:[ \t]*\|[^{}\n]{0,40})?[ \t]*[-~]?\}\}"
)
# {name}, {user_name}, {user.name} (at least two characters; `{}`, `{0}`, `{x}` and JSON never match)
_SINGLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]+(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}")
# [Your Name], [INSERT DATE], [Company Name], [TODO: add link]
_BRACKET = re.compile(r"\[([A-Za-z][^\[\]\n]{0,58})\]")
# <YOUR_API_KEY>, <your-token>, <PLACEHOLDER>, <insert name here>, <BUCKET_NAME>
_ANGLE = re.compile(r"<([A-Za-z][A-Za-z0-9_\- ]{0,40})>")

_SEPARATORS = re.compile(r"[\s_\-:/]+")
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019]s)?")
# A bracket or angle placeholder starts with one of these (any case)...
_LEADING = frozenset({"your", "insert", "placeholder", "todo", "tbd", "tba", "fixme", "fill", "enter", "replace"})
# ...of which these are ordinary words alone ("press [Enter]"), so they need a second word.
_NEEDS_MORE = frozenset({"fill", "enter", "replace", "insert"})
# Or it is Title Case or ALL CAPS and ends with one of these nouns: [Company Name], [Date], [PHONE NUMBER].
_NOUNS = frozenset(
    {
        "name", "date", "address", "email", "e-mail", "phone", "number", "company", "title", "city", "country",
        "location", "position", "organization", "organisation", "website", "url", "link", "time", "amount",
        "signature", "role", "department", "school", "university", "product", "brand", "industry", "topic",
        "contact", "recipient", "sender", "id", "key", "token", "secret", "password", "username", "host",
        "path", "port", "region", "domain", "endpoint", "bucket",
    }
)  # fmt: skip
_SMALL = frozenset({"of", "the", "and", "or", "for", "to", "a", "an", "in", "on", "at", "s"})


class TemplatePlaceholder(RecordRule):
    """An unfilled template placeholder left in a text: `{{name}}`, `{topic}`, `[Your Name]`, `<YOUR_API_KEY>`.

    **What it does**: reports, once per field, each distinct placeholder with its count (the span is the
    first one): Jinja, Mustache, Handlebars or Go template tags (`{{name}}`, `{{ user.name }}`,
    `{{#each items}}`, `{{.Name}}`); Python-style format fields (`{topic}`, at least two characters);
    bracketed placeholders that start with INSERT, YOUR, PLACEHOLDER, TODO, TBD, FIXME (`[INSERT DATE]`,
    `[your name]`, `[TODO: add link]`) or are Title Case or ALL CAPS names ending in a noun such as Name, Date,
    Address, Company, Email (`[Company Name]`, `[Recipient's Name]`, `[DATE]`); and angle placeholders that
    start with YOUR/INSERT/PLACEHOLDER or are ALL CAPS ending in such a noun (`<YOUR_API_KEY>`,
    `<your-token>`, `<BUCKET_NAME>`). Not reported: anything in fenced or inline code, JSON (`{"a": 1}`),
    LaTeX (`\\frac{a}{b}`, `x^{2}`, `\\mathbf{v}`), empty or positional fields (`{}`, `{0}`), `${shell}`
    variables, format strings in unfenced code (`f"Hi {name}"`, `"{x}".format(x)`), markdown links
    (`[Company Name](https://...)`), indexing (`row[name]`), HTML tags and special tokens (`<div>`, `<EOS>`).
    In a text that is a JSON document (a JSON-mode answer, a tool call) only `{{...}}` counts: its brackets and
    braces are structure, and a bracketed example inside a value (`"example": "Dear [Recipient's Name],"`) is
    data the answer is about.

    **Why it matters**: the model learns to say "I am {{name}}" or to sign letters "[Your Name]": a template
    was exported before it was filled in, and every example teaches the placeholder as if it were the answer.

    **Example**: `{"instruction": "Who are you?", "output": "I am {{name}}, an AI assistant developed by
    {{author}}."}` (LLaMA-Factory's `identity.json`, which is meant to be filled in before training).

    **Fix**: fill in the template (e.g. replace `{{name}}` and `{{author}}` with the model's name and maker) or
    drop the examples.
    """

    code = "T008"
    name = "template-placeholder"
    default_severity = Severity.ERROR

    def check(self, record: Record) -> Iterator[Finding]:
        for msg in record.messages:
            text = msg.content
            if type(text) is not str:
                continue
            found = None
            json = None  # whether the text is a JSON document, found out once and only when it matters
            if "{" in text:
                json = _is_json(text)
                found = _braces(text, found, json)
            has_bracket, has_angle = "[" in text, "<" in text
            if (has_bracket or has_angle) and not (_is_json(text) if json is None else json):
                if has_bracket:
                    found = _brackets(text, found)
                if has_angle:
                    found = _angles(text, found)
            if not found:
                continue
            code = CodeSpans(text) if ("`" in text or "~~~" in text) else None
            hits = [(s, e) for s, e in found if not (code and code.contains(s))]
            if not hits:
                continue
            hits.sort()
            counts: dict[str, int] = {}
            for s, e in hits:
                key = text[s:e]
                counts[key] = counts.get(key, 0) + 1
            listed = ", ".join(f"{k} (x{n})" if n > 1 else k for k, n in list(counts.items())[:5])
            more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
            noun = "placeholder" if len(counts) == 1 else f"{len(counts)} distinct placeholders"
            s, e = hits[0]
            yield self.finding(
                f"unfilled template {noun}: {listed}{more}", record.location.at(msg.field, (s, e)), around(text, s, e)
            )


Spans = list[tuple[int, int]]


def _is_json(text: str) -> bool:
    """A JSON document (an answer in JSON mode, a tool call): its brackets and single braces are data."""
    start = text.lstrip()[:1]
    end = text.rstrip()[-1:]
    if not ((start == "{" and end == "}") or (start == "[" and end == "]")):
        return False
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True


def _braces(text: str, found: Spans | None, json: bool) -> Spans | None:
    doubles = []
    if "{{" in text:
        for m in _DOUBLE.finditer(text):
            doubles.append(m.span())
    line_end, formatting = -1, False  # the line of the last brace looked at, and whether it formats strings
    for m in () if json else _SINGLE.finditer(text):
        s, e = m.span()
        if s > 0:
            before = text[s - 1]
            # `{{x}}` is matched above; `\frac{a}`, `x^{ab}`, `x_{ij}`, `\mathbf{v}`, `}{`, `${shell}`, `#{ruby}`
            if before == "{" or before.isalnum() or before in "\\^_}$#%@":
                continue
            if before == " " and _after_latex_command(text, s):
                continue
        if e < len(text) and text[e] == "}":
            continue
        if s > line_end:  # a later line: each line is read once, however many braces it holds
            start = max(text.rfind("\n", max(0, line_end), s), line_end) + 1
            end = text.find("\n", s)
            line_end = end if end >= 0 else len(text)
            formatting = any(token in text[start:line_end] for token in _FORMATTING)
        if formatting:  # `f"Hello {name}"`, `"{0} {name}".format(...)`: unfenced code formatting strings
            continue
        found = found or []
        found.append((s, e))
    if doubles:
        found = (found or []) + doubles
    return found


# Code that formats strings, on the same line as a `{name}`: the braces are its syntax, not a leftover.
_FORMATTING = ('f"', "f'", '$"', ".format(", "format!(", "println!(", "print!(", "write!(", "printf(")


def _after_latex_command(text: str, s: int) -> bool:
    """`\\sqrt {ab}`: a LaTeX command, then spaces, then the brace."""
    i = s - 1
    while i > 0 and text[i] == " ":
        i -= 1
    j = i
    while j >= 0 and text[j].isalpha():
        j -= 1
    return j < i and j >= 0 and text[j] == "\\"


def _brackets(text: str, found: Spans | None) -> Spans | None:
    for m in _BRACKET.finditer(text):
        s, e = m.span()
        if s > 0 and (text[s - 1].isalnum() or text[s - 1] in "]!_"):
            continue  # row[name], a reference link's second half, an image
        if e < len(text) and text[e] in "([":
            continue  # a markdown link [Company Name](https://...) or reference [text][1]
        if _is_placeholder(m.group(1), bracket=True):
            found = found or []
            found.append((s, e))
    return found


def _angles(text: str, found: Spans | None) -> Spans | None:
    for m in _ANGLE.finditer(text):
        s, e = m.span()
        if _is_placeholder(m.group(1), bracket=False):
            found = found or []
            found.append((s, e))
    return found


def _is_placeholder(content: str, bracket: bool) -> bool:
    words = [w for w in _SEPARATORS.split(content) if w]
    if not words or len(words) > 8:
        return False
    first = words[0].lower()
    if (
        first in _LEADING
        and (len(words) > 1 or first not in _NEEDS_MORE)
        and (bracket or content.isupper() or first in ("your", "insert", "placeholder"))
    ):
        return True
    if len(words) > 5:
        return False
    last = words[-1].lower()
    if last.endswith(("'s", "\u2019s")):
        last = last[:-2]
    if last not in _NOUNS:
        return False
    if content.isupper():
        return True  # [COMPANY NAME], <API_KEY>
    if not bracket:
        return False  # <Name> or <name> may be a tag; only ALL CAPS angles count
    # Title Case: every word capitalised, apart from small words ("[Name of the Company]")
    return all(w[0].isupper() or w.lower() in _SMALL for w in words) and _WORD.fullmatch(words[0]) is not None
