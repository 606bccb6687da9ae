import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import orjson
from pydantic import Field, model_validator

from dslint.records import Finding, Fix, Location, Message, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions

#: Where a record is: (path, row, line, split, field).
Where = tuple[str, int | None, int | None, str | None, str | None]

#: Formats whose last assistant reply may be a class label (classification data written as instructions).
REPLY_FORMATS = frozenset({"prompt-completion", "alpaca", "openai-chat", "sharegpt"})
#: A reply longer than this (after normalising), or of more than `LABEL_MAX_WORDS` words, is not a label.
LABEL_MAX_CHARS = 40
LABEL_MAX_WORDS = 4
#: Distinct short replies tracked while inferring labels; past this many the replies are not labels.
REPLIES_TRACKED = 1000
#: Default of `max-inferred-labels` and `min-coverage`: replies are labels when at most 20 distinct ones make 95%.
INFER_MAX_LABELS = 20
INFER_MIN_COVERAGE = 0.95
#: Labels listed in full in a message; more are shown as the most and least common three.
LISTED = 6


def order(where: Where) -> tuple[str, bool, int, int]:
    """Sort key of a record position: file, then row (rows before row-less), then line."""
    return (where[0], where[1] is None, where[1] or 0, where[2] or 0)


def where_of(record: Record, fld: str | None) -> Where:
    loc = record.location
    return (loc.path, loc.row, loc.line, loc.split, fld)


def location(where: Where) -> Location:
    path, row, line, split, fld = where
    return Location(path, row=row, line=line, split=split, field=fld)


def label_key(value: object) -> str:
    """A label as compact JSON, so `1` and `"1"` stay different labels and both print unambiguously."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return repr(value)


def field_labels(record: Record) -> list[str] | None:
    """The record's labels from its label field (each item of a list: multi-label), or None without one."""
    if record.label_field is None or record.label is None:
        return None
    value = record.label
    items = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(label_key(v) for v in items))


def reply_of(record: Record) -> Message | None:
    """The record's last assistant reply with text, where the format has replies."""
    if record.format not in REPLY_FORMATS:
        return None
    for msg in reversed(record.messages):
        if msg.role == "assistant" and isinstance(msg.content, str) and msg.content.strip():
            return msg
    return None


def reply_label(text: str) -> str | None:
    """A reply normalised as a candidate label (whitespace collapsed, case-folded, final `.`/`!` dropped), or
    None when it is too long to be one."""
    text = text.strip()
    if len(text) > 4 * LABEL_MAX_CHARS:  # cheap exit for the usual long reply
        return None
    key = " ".join(text.split()).casefold().rstrip(".!").strip()
    if not key or len(key) > LABEL_MAX_CHARS or key.count(" ") >= LABEL_MAX_WORDS:
        return None
    return key


def inferred_labels(
    counts: dict[str, int], replies: int, max_labels: int, min_coverage: float, min_records: int
) -> list[str] | None:
    """The labels when replies are class labels: at most `max_labels` distinct short replies (the most common)
    covering at least `min_coverage` of at least `min_records` replies, and at least two of them; else None."""
    if replies < min_records:
        return None
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:max_labels]
    if len(top) < 2 or sum(n for _, n in top) < min_coverage * replies:
        return None
    return [k for k, _ in top]


@dataclass(slots=True)
class LabelTally:
    """Records per label and split from one source of labels, exact while there are at most `bound` distinct
    labels; past that `overflow` is set and the tables are dropped (the values are not class labels).
    `records` counts the records per split that had this source at all (for replies: label-like or not)."""

    records: dict[str, int] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    first: dict[tuple[str, str], Where] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    overflow: bool = False

    def add_record(self, split: str) -> None:
        self.records[split] = self.records.get(split, 0) + 1

    def add(self, split: str, key: str, where: Where, bound: int) -> None:
        if self.overflow:
            return
        per = self.counts.setdefault(split, {})
        per[key] = per.get(key, 0) + 1
        mine = self.first.get((split, key))
        if mine is None or order(where) < order(mine):  # records may come out of file order
            self.first[split, key] = where
        if key not in self.seen:
            self.seen.add(key)
            if len(self.seen) > bound:
                self._overflow()

    def _overflow(self) -> None:
        self.overflow = True
        self.counts, self.first, self.seen = {}, {}, set()

    def merged(self, other: "LabelTally", bound: int) -> "LabelTally":
        out = LabelTally(records=_add(self.records, other.records))
        if self.overflow or other.overflow:
            out.overflow = True
            return out
        out.seen = self.seen | other.seen
        if len(out.seen) > bound:
            out._overflow()
            return out
        out.counts = {s: dict(c) for s, c in self.counts.items()}
        for split, per in other.counts.items():
            out.counts[split] = _add(out.counts.get(split, {}), per)
        out.first = dict(self.first)
        for key, where in other.first.items():
            mine = out.first.get(key)
            if mine is None or order(where) < order(mine):
                out.first[key] = where
        return out

    def totals(self) -> dict[str, int]:
        """Records per label over all splits."""
        total: dict[str, int] = {}
        for per in self.counts.values():
            total = _add(total, per)
        return total


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    out = dict(a)
    for key, n in b.items():
        out[key] = out.get(key, 0) + n
    return out


@dataclass(slots=True)
class LabelState:
    """Labels from the label field, and short replies (candidate labels), per split."""

    labels: LabelTally = field(default_factory=LabelTally)
    replies: LabelTally = field(default_factory=LabelTally)


class LabelImbalanceOptions(RuleOptions):
    max_ratio: float = Field(
        10.0,
        gt=1,
        description="Report a split whose most common label has more than this many times the records of its "
        "least common one.",
    )
    min_entropy: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Report a split whose normalised label entropy (1: uniform, 0: one label) is below this.",
    )
    min_records: int = Field(50, ge=1, description="Splits with fewer labelled records are not judged.")
    max_labels: int = Field(
        100, ge=2, description="A label field with more distinct values than this holds no classes: stay silent."
    )
    max_inferred_labels: int = Field(
        INFER_MAX_LABELS,
        ge=2,
        description="Without a label field, replies are labels when at most this many distinct short replies "
        "cover `min-coverage` of the records with a reply.",
    )
    min_coverage: float = Field(
        INFER_MIN_COVERAGE, gt=0, le=1, description="The share of replies the inferred labels must cover."
    )

    @model_validator(mode="after")
    def _bounds(self) -> "LabelImbalanceOptions":
        if self.max_inferred_labels > REPLIES_TRACKED:
            raise ValueError(f"max-inferred-labels must be at most {REPLIES_TRACKED}")
        return self


class LabelImbalance(DatasetRule[LabelState]):
    """A split of classification data whose labels are badly imbalanced.

    **What it does**: counts the records per label in each split. Labels come from the `label` field
    (classification data; each item of a list label counts, for multi-label data), or, where there is no label
    field, from the replies: when at most `max-inferred-labels` (default 20) distinct short replies (normalised:
    whitespace collapsed, case-folded, trailing `.` and `!` dropped; at most 40 characters and 4 words) cover at
    least `min-coverage` (95%) of at least `min-records` (50) records with a reply, the reply is the label
    (instruction data written as classification, e.g. "Sentiment?" -> "positive"). For each split with at
    least `min-records` labelled records it computes the majority/minority ratio and the normalised entropy
    of the label distribution (1 for uniform, 0 for a single label), and reports the split when the ratio is
    above `max-ratio` (default 10) or the entropy below `min-entropy` (default 0.5; with two labels that is a
    split of about 89/11), or when every record has the same label. The finding lists the label counts and
    points at the first record of the rarest label. It stays silent when the label field has more than
    `max-labels` (100) distinct values, since those are not classes. Each split is judged on its own;
    comparing splits (a label in train that validation lacks, shifted proportions) is S003 label-shift.

    **Why it matters**: a classifier fine-tuned on 95% "positive" learns to answer "positive": accuracy looks
    fine while the rare classes, often the ones that matter, are barely learned. An LLM fine-tuned on such
    data drifts to the majority answer the same way.

    **Example**: a sentiment set with 9,500 "positive" and 500 "negative" rows: ratio 19.0, entropy 0.29.

    **Fix**: collect more examples of the rare labels, down-sample the common ones, or weight the loss by
    class; report per-class metrics, not accuracy alone.
    """

    code = "B001"
    name = "label-imbalance"
    default_severity = Severity.WARNING
    fix_applicability = Fix.NONE
    Options = LabelImbalanceOptions
    options: LabelImbalanceOptions

    def new_state(self) -> LabelState:
        return LabelState()

    def update(self, state: LabelState, record: Record) -> LabelState:
        split = record.location.split or "train"
        keys = field_labels(record)
        if keys is not None:
            tally = state.labels
            tally.add_record(split)
            where = where_of(record, record.label_field)
            for key in keys:
                tally.add(split, key, where, self.options.max_labels)
            return state
        reply = reply_of(record)
        if reply is not None:
            state.replies.add_record(split)
            reply_key = reply_label(reply.content)
            if reply_key is not None:
                state.replies.add(split, label_key(reply_key), where_of(record, reply.field), REPLIES_TRACKED)
        return state

    def merge(self, a: LabelState, b: LabelState) -> LabelState:
        return LabelState(
            a.labels.merged(b.labels, self.options.max_labels), a.replies.merged(b.replies, REPLIES_TRACKED)
        )

    def finalize(self, state: LabelState) -> Iterator[Finding]:
        opts = self.options
        if state.labels.records:
            tally, labels = state.labels, None
            if tally.overflow:
                return
            source = 'from the "label" field'
        else:
            tally = state.replies
            if tally.overflow:
                return
            replies = sum(tally.records.values())
            labels = inferred_labels(
                tally.totals(), replies, opts.max_inferred_labels, opts.min_coverage, opts.min_records
            )
            if labels is None:
                return
            covered = sum(tally.totals()[k] for k in labels)
            source = (
                f"labels read from the replies: {len(labels)} distinct short replies make {covered / replies:.1%} "
                f"of the {replies:,} replies"
            )
        found: list[tuple[Where, str]] = []
        keep = None if labels is None else set(labels)
        for split in sorted(tally.counts):
            counts = tally.counts[split]
            if keep is None:
                n = tally.records.get(split, 0)  # records (a multi-label record counts once)
            else:
                counts = {k: c for k, c in counts.items() if k in keep}
                n = sum(counts.values())
            if n < opts.min_records or not counts:
                continue
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            rarest, fewest = ranked[-1]
            where = tally.first[split, rarest]
            if len(ranked) == 1:
                message = f"{split} split: all {n:,} labelled records have the same label, {rarest} ({source})"
                found.append((where, message + "; first here"))
                continue
            total = sum(c for _, c in ranked)
            ratio = ranked[0][1] / fewest
            entropy = -sum(c / total * math.log(c / total) for _, c in ranked) / math.log(len(ranked))
            too_skewed = ratio > opts.max_ratio
            too_narrow = entropy < opts.min_entropy - 1e-12
            if not (too_skewed or too_narrow):
                continue
            ratio_text = f"majority/minority ratio {ratio:.1f}" + (f" (above {opts.max_ratio:g})" if too_skewed else "")
            entropy_text = f"normalised entropy {entropy:.2f}" + (
                f" (below {opts.min_entropy:g})" if too_narrow else ""
            )
            message = (
                f"{split} split: {len(ranked)} labels over {n:,} records are imbalanced ({source}): "
                f"{_listing(ranked, n)}; {ratio_text}, {entropy_text}; first {rarest} record here"
            )
            found.append((where, message))
        found.sort(key=lambda item: order(item[0]))
        for where, message in found:
            yield self.finding(message, location(where))


def _listing(ranked: list[tuple[str, int]], n: int) -> str:
    def one(kv: tuple[str, int]) -> str:
        return f"{kv[0]} {kv[1]:,} ({kv[1] / n:.1%})"

    if len(ranked) <= LISTED:
        return ", ".join(map(one, ranked))
    head, tail = ranked[:3], ranked[-3:]
    return f"{', '.join(map(one, head))}, … {len(ranked) - 6} more …, {', '.join(map(one, tail))}"
