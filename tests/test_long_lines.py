"""Text helpers that look at the line or code span around each match work each line out once.

A text of one long line with many matches (minified data, a long paragraph of markdown) used to be read once
per match: a 7.9 MB turn of shuffled README words took 420 s to scan, 6 s now. These tests pin the faster
helpers to the plain definitions they replace, on random texts built from the characters that matter.
"""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from dslint.rules.text import template_placeholder, whitespace
from dslint.rules.text.template_placeholder import _FORMATTING
from dslint.text.code import _FENCE, _INLINE, CodeSpans


def plain_code_spans(text: str) -> list[tuple[int, int]]:
    """The definition: fenced blocks, then inline spans that do not start inside one, in text order."""
    fences = [m.span() for m in _FENCE.finditer(text)]
    inline = [m.span() for m in _INLINE.finditer(text) if not any(s <= m.start() < e for s, e in fences)]
    return sorted(fences + inline)


@settings(max_examples=500)
@given(st.lists(st.sampled_from(["```", "~~~", "`", "`x`", "a", "\n", " "]), max_size=25).map("".join))
def test_code_spans_are_the_fences_and_the_inline_spans_outside_them(text):
    spans = plain_code_spans(text)
    code = CodeSpans(text)
    assert list(zip(code.starts, code.ends, strict=True)) == spans
    assert [code.contains(i) for i in range(len(text))] == [any(s <= i < e for s, e in spans) for i in range(len(text))]


def plain_in_prose(text: str, s: int, e: int, hi: int) -> bool:
    """The definition of a run of spaces inside a prose line (the line read afresh for every run)."""
    if s == 0 or e >= hi or text[s - 1] in " \t\r\n" or text[e] in "\t\r\n":
        return False
    start = max(text.rfind("\n", 0, s), text.rfind("\r", 0, s)) + 1
    end = text.find("\n", e)
    line = text[start : end if end >= 0 else len(text)]
    return "|" not in line and not line.startswith(("    ", "\t"))


@settings(max_examples=500)
@given(st.lists(st.sampled_from(["a", "b", " ", "  ", "    ", "\n", "\r", "\t", "|"]), max_size=25).map("".join))
def test_prose_lines_agree_with_reading_each_line_afresh(text):
    in_prose = whitespace._ProseLines(text)
    for m in re.finditer(r" {2,}", text):
        s, e = m.span()
        assert in_prose(s, e, len(text)) == plain_in_prose(text, s, e, len(text))


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["{name}", " ", "\n", 'f"', ".format(", "x", "{{a}}", "}"]), max_size=20))
def test_braces_on_string_formatting_lines_are_left_alone(parts):
    text = "".join(parts)
    found = template_placeholder._braces(text, None, json=False) or []
    for s, _ in found:
        if text[s : s + 2] == "{{":
            continue
        start = text.rfind("\n", 0, s) + 1
        end = text.find("\n", s)
        line = text[start : end if end >= 0 else len(text)]
        assert not any(token in line for token in _FORMATTING)
    # and every `{name}` on a line without formatting code, after a space or a line start, is found
    for m in re.finditer(r"\{name\}", text):
        s = m.start()
        start = text.rfind("\n", 0, s) + 1
        end = text.find("\n", s)
        line = text[start : end if end >= 0 else len(text)]
        plain = (s == 0 or text[s - 1] in " \n") and not text.startswith("}", m.end())
        if plain and not any(token in line for token in _FORMATTING):
            assert (s, m.end()) in found
