from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from pydantic import Field

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule, RuleOptions, around, excerpt

# The screen's probe: this many characters from the middle of the text.
_PROBE = 16
# How often the probe must occur for the exact count to run (or `min-repeats`, if lower). A loop that covers
# the middle of the text holds a copy of the probe in about every repeat; natural text almost never repeats
# the 16 characters at its middle three times.
_PROBE_HITS = 3


class DegenerateRepetitionOptions(RuleOptions):
    min_words: int = Field(50, ge=2, description="Texts with fewer words (whitespace-separated) are not checked.")
    ngram: int = Field(8, ge=1, description="Length, in words, of the word sequences compared.")
    min_duplicate_fraction: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Least fraction of the text's word n-grams that repeat an earlier one (and min-repeats).",
    )
    min_repeats: int = Field(
        10, ge=2, description="Least count of its most repeated n-gram (and min-duplicate-fraction)."
    )


class DegenerateRepetition(RecordRule):
    """A text that repeats the same words over and over, far beyond natural text (a generation loop).

    **What it does**: for each text of at least `min-words` words (default 50), splits it into words and counts
    its word n-grams (`ngram`, default 8 words): it reports the text when at least `min-duplicate-fraction`
    (default 0.5) of its n-grams repeat an earlier one **and** its most repeated n-gram occurs at least
    `min-repeats` times (default 10), naming that n-gram and where it first occurs. Both are needed: structured
    answers (JSON lists, tables) and song choruses repeat a few phrases a few times, loops repeat one phrase
    many times. The count runs only where a cheap screen says it can fire: the 16 characters in the middle of
    the text occur at least 3 times in it (or `min-repeats` times, if lower). A loop that covers at least half
    the text always covers its middle, so the screen passes every text the rule is meant for and almost no
    other (a few percent of structured JSON answers, well under 0.1% of ordinary chat turns).

    **Why it matters**: a degenerate example (a model's output that looped until it hit the length limit, a
    scraping or templating bug) teaches the model to loop; a handful of them is enough to show up as
    repetitive generations. They are also long, and waste the token budget.

    **Example**: an assistant reply that is "Eat a banana!" 2000 times (the OpenAI cookbook's toy chat set).

    **Fix**: drop the example or cut the text back to its first, non-repeating part.
    """

    code = "T009"
    name = "degenerate-repetition"
    default_severity = Severity.ERROR
    Options = DegenerateRepetitionOptions
    options: DegenerateRepetitionOptions

    def check(self, record: Record) -> Iterator[Finding]:
        min_chars = 2 * self.options.min_words - 1  # n words need at least 2n - 1 characters
        probe_hits = min(_PROBE_HITS, self.options.min_repeats)
        for msg in record.messages:
            text = msg.content
            if type(text) is not str:
                continue
            n = len(text)
            if n < min_chars:
                continue
            mid = max(0, n - _PROBE) >> 1
            if text.count(text[mid : mid + _PROBE]) < probe_hits:
                continue
            found = self._measure(text)
            if found is None:
                continue
            fraction, gram, count, span = found
            shown = excerpt(" ".join(gram), 60)
            yield self.finding(
                f"{fraction:.0%} of the text's {self.options.ngram}-word sequences are repeats; "
                f'"{shown}" occurs {count} times',
                record.location.at(msg.field, span),
                around(text, *span),
            )

    def _measure(self, text: str) -> tuple[float, tuple[str, ...], int, tuple[int, int]] | None:
        """The duplicate fraction, the most repeated n-gram, its count and first span, when over the limits."""
        opts = self.options
        words = text.split()
        if len(words) < opts.min_words or len(words) < opts.ngram:
            return None
        n = opts.ngram
        counts = Counter(zip(*(words[i:] for i in range(n)), strict=False))
        total = len(words) - n + 1
        fraction = 1 - len(counts) / total
        if fraction < opts.min_duplicate_fraction:
            return None
        gram, count = counts.most_common(1)[0]
        if count < opts.min_repeats:
            return None
        m = re.search(r"(?<!\S)" + r"\s+".join(map(re.escape, gram)) + r"(?!\S)", text)
        span = m.span() if m else (0, 0)
        return fraction, gram, count, span
