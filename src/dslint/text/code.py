"""Where the code is in a text: fenced blocks (``` or ~~~) and inline `code` spans.

Text rules skip matches inside code, where `List<String>`, `{name}` or `a  =  b` are not noise.
"""

from __future__ import annotations

import bisect
import re

_FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.S | re.M)
_INLINE = re.compile(r"`[^`\n]+`")


class CodeSpans:
    """The code spans of one text, for `contains(pos)` look-ups. Build it only after a cheap precheck says a
    rule may fire: most texts never need it."""

    __slots__ = ("ends", "starts")

    def __init__(self, text: str) -> None:
        fences: list[tuple[int, int]] = []
        if "```" in text or "~~~" in text:
            fences = [m.span() for m in _FENCE.finditer(text)]  # in text order, not overlapping
        self.starts = [s for s, _ in fences]
        self.ends = [e for _, e in fences]
        if "`" in text:
            inline = [m.span() for m in _INLINE.finditer(text) if not self.contains(m.start())]
            if inline:
                spans = sorted(fences + inline)
                self.starts = [s for s, _ in spans]
                self.ends = [e for _, e in spans]

    def contains(self, pos: int) -> bool:
        i = bisect.bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]

    def __bool__(self) -> bool:
        return bool(self.starts)
