from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.entities import name2codepoint

from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import RecordRule, around, repair_messages
from dslint.text.code import CodeSpans


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


#: Tag names that are HTML in any form: `<br>`, `</p>`, `<hr/>`, `<span class="x">`. They are not used as XML
#: prompt tags or `<placeholder>`s. (`s` is left out: `<s>` and `</s>` are Llama's BOS/EOS tokens.)
_TAGS = _words(
    "a abbr acronym b big blink blockquote br center dd del div dl dt em font h1 h2 h3 h4 h5 h6 hr html i iframe "
    "img ins li marquee nobr ol p pre small span strike strong sub sup tbody td tfoot th thead tr tt u ul wbr"
)
#: HTML tag names that are also common XML prompt tags (`<title>`, `<code>`, `<summary>`), placeholders
#: (`<input>`, `<source>`, `<table>`) or generic types (`List<Object>`): HTML only with an HTML attribute.
_AMBIGUOUS_TAGS = _words(
    "address area article aside audio base body button canvas caption cite code col colgroup data details dfn "
    "dialog embed fieldset figcaption figure footer form frame frameset head header input kbd label legend link "
    "main map mark menu meta nav noscript object optgroup option output param picture q samp script section "
    "select source style summary svg table template textarea time title track var video"
)
#: Attribute names that only HTML uses (not `id`, `name`, `type`: XML prompt tags use those too).
_HTML_ATTRIBUTES = _words(
    "action align allowfullscreen alt bgcolor border cellpadding cellspacing charset checked class color colspan "
    "content dir disabled face for frameborder height href hspace http-equiv lang loading method nowrap onclick "
    "onerror onload onmouseover placeholder rel rowspan selected size span src srcset style tabindex target "
    "valign value vspace width xmlns"
)
#: Named character references; they must end with `;` (`AT&T;` or `R&D;` are not entities).
_ENTITIES = frozenset({*name2codepoint, "apos"})
#: Tags that start a new line of text when the HTML is taken out (two for a paragraph), or a space (table cells).
_PARAGRAPH_TAGS = _words("blockquote h1 h2 h3 h4 h5 h6 p")
_BLOCK_TAGS = _words(
    "address article aside body caption center dd details div dl dt fieldset figcaption figure footer form "
    "header hr html legend li main nav ol pre section summary table tbody tfoot thead title tr ul"
)
_CELL_TAGS = frozenset({"td", "th"})

# One pass finds tag and entity candidates (both alternatives start with a literal, so `re` scans for `<`/`&`
# quickly); which candidates are HTML is decided in Python, on the few there are.
_CANDIDATE = re.compile(
    r"""
    <(?P<close>/)?(?P<tag>[A-Za-z][A-Za-z0-9]{0,9})
      (?P<attrs>(?:\s+[A-Za-z_:@][-\w:.@]*(?:\s*=\s*(?:"[^"<]{0,2000}"|'[^'<]{0,2000}'|[^\s"'=<>`]+))?)*)
      \s*(?P<selfclose>/)?>
    |
    &(?P<entity>\#[0-9]{1,7}|\#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,8});
    """,
    re.VERBOSE,
)
_ATTRIBUTE_NAME = re.compile(r"\s([A-Za-z_:@][-\w:.@]*)")
_MENTION_AFTER = re.compile(r"\s*(?:tags?|elements?|entit(?:y|ies))\b", re.IGNORECASE)
_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019"}


_NO, _YES, _IF_CLOSED, _IF_NEXT_TO_HTML = 0, 1, 2, 3


def _is_html(text: str, m: re.Match[str], opened: set[str]) -> int:
    """Whether a candidate is HTML (`_YES`, `_NO`, `_IF_CLOSED`: only if its closing tag follows, or
    `_IF_NEXT_TO_HTML`: only next to other HTML tags), from its name, its form and its neighbours (see
    `HtmlNoise`'s docstring). `opened` holds the ambiguous tags opened with HTML attributes so far: their
    closing tags are HTML too."""
    tag = m.group("tag")
    if tag is None:
        name = m.group("entity")
        return _YES if name[0] == "#" or name in _ENTITIES else _NO
    lower = tag.lower()
    if not (tag == lower or tag.isupper()):  # `<Span>`, `<Div>`: a generic type or a JSX component
        return _NO
    attrs = m.group("attrs")
    if attrs:
        if lower in _TAGS:
            return _YES
        if lower not in _AMBIGUOUS_TAGS:
            return _NO
        names = {a.lower() for a in _ATTRIBUTE_NAME.findall(attrs)}
        known = not names.isdisjoint(_HTML_ATTRIBUTES) or any(a.startswith(("data-", "aria-")) for a in names)
        if not known and "type" in names and lower in _RAW_TEXT_TAGS:
            known = True  # <script type="text/javascript">, <style type="text/css">
        if known:
            opened.add(lower)
        return _YES if known else _NO
    if lower not in _TAGS:
        if lower not in _AMBIGUOUS_TAGS:
            return _NO
        return _YES if m.group("close") and lower in opened else _IF_NEXT_TO_HTML
    start = m.start()
    # a mention of a tag rather than a tag: `"<br>"`, `the <p> tag`
    if start and _QUOTES.get(text[start - 1]) == text[m.end() : m.end() + 1]:
        return _NO
    if _MENTION_AFTER.match(text, m.end()):
        return _NO
    # `<b>`, `<i>`, `<p>` are HTML, but `Parser<P>`, `impl<I>` and `x<b>c` are code or maths, unless closed
    if (
        len(tag) == 1
        and not (m.group("close") or m.group("selfclose"))
        and (tag.isupper() or (start and (text[start - 1].isalnum() or text[start - 1] == "_")))
    ):
        return _IF_CLOSED
    return _YES


def html_matches(text: str) -> list[re.Match[str]]:
    """The HTML tags and entities in `text`, outside fenced and inline code (empty when there are none)."""
    found: list[re.Match[str]] = []
    pending: dict[str, list[re.Match[str]]] = {}  # `_IF_CLOSED`, by tag name
    nearby: list[re.Match[str]] = []  # `_IF_NEXT_TO_HTML`
    code: CodeSpans | None = None
    opened: set[str] = set()
    for m in _CANDIDATE.finditer(text):
        verdict = _is_html(text, m, opened)
        if verdict == _NO:
            continue
        if code is None:
            code = CodeSpans(text)
        if code and code.contains(m.start()):
            continue
        if verdict == _IF_CLOSED:
            pending.setdefault(m.group("tag"), []).append(m)
            continue
        if verdict == _IF_NEXT_TO_HTML:
            nearby.append(m)
            continue
        if pending and m.group("close"):  # the same case: `Parser<P>` is not opened by `</p>`
            found.extend(pending.pop(m.group("tag"), ()))
        found.append(m)
    if nearby and found:
        found.extend(_next_to_html(text, found, nearby))
    found.sort(key=lambda m: m.start())
    return found


def _next_to_html(text: str, found: list[re.Match[str]], nearby: list[re.Match[str]]) -> list[re.Match[str]]:
    """The `nearby` tags that touch a tag found (only whitespace between), directly or through each other:
    the `<table>` around `<tr>`, the `<html><head><title>` before `<body><p>`."""
    ends = {m.end() for m in found if m.group("tag")}
    starts = {m.start() for m in found if m.group("tag")}
    touching: list[tuple[int, int, re.Match[str]]] = []  # (where it would touch on the left, on the right, m)
    for m in nearby:
        before = m.start()
        while before and text[before - 1].isspace():
            before -= 1
        after = m.end()
        while after < len(text) and text[after].isspace():
            after += 1
        touching.append((before, after, m))
    accepted: dict[int, re.Match[str]] = {}
    changed = True
    while changed:  # left to right, then right to left: chains grow in both directions in one round each
        changed = False
        for order in (touching, touching[::-1]):
            for before, after, m in order:
                if m.start() not in accepted and (before in ends or after in starts):
                    accepted[m.start()] = m
                    ends.add(m.end())
                    starts.add(m.start())
                    changed = True
    return list(accepted.values())


class HtmlNoise(RecordRule):
    """HTML tags or character entities left in the text (`<br />`, `</p>`, `&nbsp;`, `&apos;`).

    **What it does**: looks for tags of known HTML elements and for HTML character references (`&amp;`, `&#39;`,
    `&#x27;`) in every text field, and reports each field that has them, with their count and the first one.
    Tags that are also common as XML prompt tags or placeholders (`<title>`, `<code>`, `<input>`,
    `<table>`) count only with an HTML attribute (`<table border="1">`). It is not HTML when it is inside
    fenced or inline code, a generic type (`List<String>`, `Map<K, V>`, `Parser<P>`), a comparison (`a < b`,
    `x<y>`), a GSM8K calculator annotation (`<<48/2=24>>`), an address in angle brackets (`<john@example.com>`,
    `<https://example.com>`), Llama's `<s>`/`</s>`, or a quoted mention (`"<br>"`, `the <p> tag`).

    **Why it matters**: markup left by scraping or by an HTML export is learned as text: the model starts
    writing `&nbsp;` and `<br />` in its answers, and entities hide the characters they stand for
    (`don&apos;t`), which tokenize differently from the real text.

    **Example**: `{"role": "assistant", "content": "Preheat the oven.<br />Bake for 20 minutes.&nbsp;"}`.

    **Fix**: takes out the HTML with beautifulsoup4 (safe): tags are removed, `<br>`, `<p>`, `<div>`, `<li>`
    and the like become line breaks, table cells are separated by a space, `<script>` and `<style>` bodies are
    dropped, and entities become their characters. Only the HTML found is touched: code and `List<String>`
    stay as they are.
    """

    code = "T001"
    name = "html-noise"
    default_severity = Severity.WARNING
    fix_applicability = Fix.SAFE

    def check(self, record: Record) -> Iterator[Finding]:
        for msg in record.messages:
            text = msg.content
            if not isinstance(text, str) or ("<" not in text and "&" not in text):
                continue
            found = html_matches(text)
            if not found:
                continue
            tags = sum(1 for m in found if m.group("tag"))
            parts = [_count(tags, "tag"), _count(len(found) - tags, "entity", "entities")]
            first = found[0]
            message = f"HTML in text: {' and '.join(p for p in parts if p)} (first: {first.group()!r})"
            location = record.location.at(msg.field, first.span())
            yield self.finding(message, location, around(text, *first.span()))

    def fix(self, record: Record) -> list[str]:
        return repair_messages(record, strip_html)


def _count(n: int, singular: str, plural: str | None = None) -> str:
    if not n:
        return ""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


# -- the fix ---------------------------------------------------------------------------------------------------

#: Private-use characters that mark, in the text bs4 gives back, where a tag broke the line (`<br>`, counted),
#: ended a block (`<div>`, `<li>`), a paragraph (`<p>`, `<h2>`) or a table cell. Each run of marks, with the
#: whitespace around it, becomes one separator at the end.
_BR, _BLOCK, _PARAGRAPH, _CELL = "\ue000", "\ue001", "\ue002", "\ue003"
_MARKS = re.compile(r"\s*[\ue000-\ue003][\s\ue000-\ue003]*")
_MARK = re.compile(r"[\ue000-\ue003]")
_RAW_TEXT_TAGS = ("script", "style")  # bs4 drops their bodies


def strip_html(text: str) -> str | None:
    """`text` without the HTML that `html_matches` finds (None when there is none).

    Double-escaped entities (`&amp;apos;`) are decoded until none is left. Escaped markup (`&lt;br&gt;`) is
    kept as it is: decoded, it would be a tag, and this fix would take it out the next time (so fixing twice
    would change the text twice)."""
    if "<" not in text and "&" not in text:
        return None
    found = html_matches(text)
    if not found or _MARK.search(text):
        return None
    for _ in range(8):
        fixed = _extract(text, found)
        found = html_matches(fixed) if ("<" in fixed or "&" in fixed) else []
        if any(m.group("tag") for m in found):  # decoding `&lt;` made a tag
            return _extract(text, html_matches(text), keep_markup=True)
        text = fixed
        if not found:
            break
    return text


def _extract(text: str, found: list[re.Match[str]], keep_markup: bool = False) -> str:
    from bs4 import BeautifulSoup  # imported only when there is HTML to take out

    # Everything but the tags and entities found is escaped, so bs4 sees only that HTML (it would read
    # `List<String>`, or a `<div>` inside code, as a tag) and gives the rest back unchanged.
    closed = {(m.group("tag") or "").lower() for m in found if m.group("close")}
    pieces: list[str] = []
    pos = 0
    for m in found:
        pieces.append(_escape(text[pos : m.start()]))
        pos = m.end()
        if keep_markup and m.group("entity") and html.unescape(m.group()) in "<>&":
            pieces.append(_escape(m.group()))
            continue
        tag = (m.group("tag") or "").lower()
        if tag == "br":
            pieces.append(_BR)
        elif tag in _PARAGRAPH_TAGS:
            pieces.append(_PARAGRAPH)
        elif tag in _BLOCK_TAGS:
            pieces.append(_BLOCK)
        elif tag in _CELL_TAGS:
            pieces.append(_CELL)
        elif tag in _RAW_TEXT_TAGS and not m.group("close") and tag not in closed:
            continue  # never closed: bs4 would drop all the text after it as script
        pieces.append(m.group())
    pieces.append(_escape(text[pos:]))
    soup = BeautifulSoup("".join(pieces), "html.parser")
    return _MARKS.sub(_separator, soup.get_text())


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;") if ("&" in s or "<" in s) else s


def _separator(m: re.Match[str]) -> str:
    """The separator a run of break marks stands for; the text's own line breaks count too."""
    run = m.group()
    own = _MARK.sub("", run)
    if m.start() == 0 or m.end() == len(m.string):
        return own  # the ends of the text keep their own whitespace
    newlines = max(own.count("\n"), run.count(_BR))
    if not newlines:  # the text's own line breaks are kept as they are, else a block starts a line
        newlines = 2 if _PARAGRAPH in run else 1 if _BLOCK in run else 0
    if newlines:
        return "\n" * newlines
    return own or " "  # table cells
