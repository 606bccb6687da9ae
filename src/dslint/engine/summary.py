"""The dataset summary: records per split and format, token and turn statistics, a training estimate.

Kept as exact histograms (token count -> number of records), which are small (one entry per distinct length),
mergeable by addition, and give exact percentiles whatever the number of processes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dslint.records import Record

# OpenAI's fine-tuning guidance, as its cookbook's data-preparation notebook applies it.
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


@dataclass
class SplitStats:
    records: int = 0
    formats: Counter[str] = field(default_factory=Counter)
    files: Counter[str] = field(default_factory=Counter)
    tokens: Counter[int] = field(default_factory=Counter)
    turns: Counter[int] = field(default_factory=Counter)
    assistant_tokens: int = 0

    def merge(self, other: SplitStats) -> None:
        self.records += other.records
        self.formats += other.formats
        self.files += other.files
        self.tokens += other.tokens
        self.turns += other.turns
        self.assistant_tokens += other.assistant_tokens


@dataclass
class SummaryState:
    """Mergeable per-split statistics."""

    splits: dict[str, SplitStats] = field(default_factory=dict)

    def update(self, record: Record) -> None:
        split = record.location.split or "train"
        stats = self.splits.get(split)
        if stats is None:
            stats = self.splits[split] = SplitStats()
        stats.records += 1
        stats.formats[record.format] += 1
        stats.files[record.location.path] += 1
        stats.tokens[record.n_tokens] += 1
        stats.turns[len(record.messages)] += 1
        assistant = 0
        for m in record.messages:  # a loop, not sum(generator): this runs once per record
            if m.role == "assistant" and not m.has_tool_calls:
                assistant += m.n_tokens
        stats.assistant_tokens += assistant

    def merge(self, other: SummaryState) -> None:
        for split, stats in other.splits.items():
            if split in self.splits:
                self.splits[split].merge(stats)
            else:
                self.splits[split] = stats


def percentile(hist: Counter[int], q: float) -> int:
    """The nearest-rank q-th percentile (0 < q <= 100) of the values a histogram counts."""
    total = sum(hist.values())
    if total == 0:
        return 0
    rank = max(1, -(-q * total // 100))  # ceil(q/100 * total)
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    return max(hist)


def suggested_epochs(n_examples: int) -> int:
    """Epochs so that small sets are seen about 100 times in all and huge ones about 25k (OpenAI's rule)."""
    epochs = TARGET_EPOCHS
    if n_examples == 0:
        return 0
    if n_examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        epochs = min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    elif n_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        epochs = max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return epochs
