import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from dslint.records import Finding, Fix, Location, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions, excerpt
from dslint.text.labels import MAX_CLASSES, is_classification, labelled

#: The eval splits compared with train, in report order.
EVAL_SPLITS = ("validation", "test")

#: Where a label first occurs in a split: (path, row, line, field).
Where = tuple[str, int | None, int | None, str | None]


def _order(where: Where) -> tuple[str, bool, int, int]:
    return (where[0], where[1] is None, where[1] or 0, where[2] or 0)


@dataclass
class SplitLabels:
    """One split's labels: records, records with a declared label, and per label (count, first record);
    past `max-labels` distinct labels `overflow` is set and the table dropped (not classification data)."""

    records: int = 0
    explicit: int = 0
    labels: dict[str, tuple[int, Where]] = field(default_factory=dict)
    overflow: bool = False

    def counts(self) -> dict[str, int]:
        return {label: n for label, (n, _) in self.labels.items()}


#: Per split.
LabelState = dict[str, SplitLabels]


class LabelShiftOptions(RuleOptions):
    max_tvd: float = Field(
        0.1, ge=0, le=1, description="Report a total variation distance between train and an eval split above this."
    )
    p_value: float = Field(
        0.01, gt=0, le=1, description="...and only when a chi-square test says it is not chance (p below this)."
    )
    min_records: int = Field(30, ge=1, description="Compare distributions only with this many labelled records each.")
    min_expected: float = Field(
        5.0, gt=0, description="Report a train label missing from an eval split when it expects this many there."
    )
    max_classes: int = Field(
        MAX_CLASSES, ge=2, description="Labels read from short replies count as classes only up to this many."
    )
    max_labels: int = Field(1000, ge=2, description="Distinct labels tracked per split (bounded state).")
    max_listed: int = Field(5, ge=1, description="Labels named per finding.")


def gamma_q(a: float, x: float) -> float:
    """The regularised upper incomplete gamma function Q(a, x) (Numerical Recipes' series and continued
    fraction); the chi-square survival function is Q(dof / 2, x / 2)."""
    if x <= 0:
        return 1.0
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        ap = a
        for _ in range(10_000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return math.exp(log_front) * h


def chi_square(a: dict[str, int], b: dict[str, int]) -> tuple[float, int, float]:
    """Pearson's chi-square test of homogeneity of two label counts: (statistic, degrees of freedom, p)."""
    labels = sorted(set(a) | set(b))
    na, nb = sum(a.values()), sum(b.values())
    total = na + nb
    stat = 0.0
    for label in labels:
        column = a.get(label, 0) + b.get(label, 0)
        for observed, row in ((a.get(label, 0), na), (b.get(label, 0), nb)):
            expected = row * column / total
            stat += (observed - expected) ** 2 / expected
    dof = len(labels) - 1
    return stat, dof, (gamma_q(dof / 2, stat / 2) if dof > 0 else 1.0)


def _pct(share: float) -> str:
    return f"{share:.1%}"


class LabelShift(DatasetRule[LabelState]):
    """The label distribution of a validation or test split differs from train's.

    **What it does**: for classification data (a `label` field, or short final replies that look like classes:
    2 to `max-classes` distinct ones on 90% of the records, see `dslint.text.labels`), counts the labels of
    the train, validation and test splits and compares each eval split with train. It reports a shift when the
    total variation distance (half the sum of the absolute differences of the label shares) exceeds `max-tvd`
    (default 0.1) and a chi-square test says it is not chance (p < `p-value`, default 0.01), both splits having
    `min-records` (default 30) labelled records; a train label that never occurs in an eval split where it
    should occur at least `min-expected` (default 5) times; and, at its first record, each label that occurs in
    an eval split but never in train.

    **Why it matters**: a model is scored on the eval split's mix of classes. If it differs from the training
    mix, accuracy moves with the class priors rather than with the model; a class missing from the eval split
    is never measured, and a class missing from train cannot be predicted at all (often it is a typo or a
    relabelled class).

    **Example**: train 50% positive / 50% negative, validation 85% positive (sorted by label before the
    split); or a test label `Positive` where train says `positive`.

    **Fix**: re-split with stratification by label (e.g. scikit-learn's `train_test_split(..., stratify=y)`),
    and correct labels that differ only in spelling or case.
    """

    code = "S003"
    name = "label-shift"
    default_severity = Severity.WARNING
    fix_applicability = Fix.NONE
    Options = LabelShiftOptions
    options: LabelShiftOptions

    def new_state(self) -> LabelState:
        return {}

    def update(self, state: LabelState, record: Record) -> LabelState:
        split = record.location.split or "train"
        if split != "train" and split not in EVAL_SPLITS:
            return state
        labels = state.get(split)
        if labels is None:
            labels = state[split] = SplitLabels()
        labels.records += 1
        found = labelled(record)
        if found is None:
            return state
        labels.explicit += found.explicit
        if labels.overflow:
            return state
        entry = labels.labels.get(found.text)
        if entry is None:
            loc = record.location
            labels.labels[found.text] = (1, (loc.path, loc.row, loc.line, found.field))
            if len(labels.labels) > self.options.max_labels:
                labels.overflow = True
                labels.labels = {}
        else:
            labels.labels[found.text] = (entry[0] + 1, entry[1])
        return state

    def merge(self, a: LabelState, b: LabelState) -> LabelState:
        out: LabelState = {}
        for split in sorted(set(a) | set(b)):
            x, y = a.get(split, SplitLabels()), b.get(split, SplitLabels())
            merged = SplitLabels(x.records + y.records, x.explicit + y.explicit)
            if x.overflow or y.overflow:
                merged.overflow = True
            else:
                table = dict(x.labels)
                for label, (n, where) in y.labels.items():
                    mine = table.get(label)
                    table[label] = (n, where) if mine is None else (mine[0] + n, min(mine[1], where, key=_order))
                if len(table) > self.options.max_labels:
                    merged.overflow = True
                else:
                    merged.labels = table
            out[split] = merged
        return out

    def finalize(self, state: LabelState) -> Iterator[Finding]:
        train = state.get("train")
        if train is None or train.overflow:
            return
        train_counts = train.counts()
        if not is_classification(train_counts, train.records, train.explicit, self.options.max_classes):
            return
        found: list[Finding] = []
        for split in EVAL_SPLITS:
            labels = state.get(split)
            if labels is None or labels.overflow or not labels.labels:
                continue
            counts = labels.counts()
            if sum(counts.values()) * 2 < labels.records:
                continue  # most of the split has no label: not the same kind of data
            found.extend(self._compare(split, train_counts, labels))
        found.sort(key=lambda f: f.sort_key())
        yield from found

    def _compare(self, split: str, train_counts: dict[str, int], labels: SplitLabels) -> Iterator[Finding]:
        opts = self.options
        counts = labels.counts()
        n_train, n_eval = sum(train_counts.values()), sum(counts.values())
        first = min((where for _, where in labels.labels.values()), key=_order)
        split_loc = Location(first[0], split=split, field=first[3])
        share_t = {k: v / n_train for k, v in train_counts.items()}
        share_e = {k: v / n_eval for k, v in counts.items()}
        if n_train >= opts.min_records and n_eval >= opts.min_records:
            keys = set(share_t) | set(share_e)
            tvd = 0.5 * sum(abs(share_t.get(k, 0.0) - share_e.get(k, 0.0)) for k in keys)
            stat, dof, p = chi_square(train_counts, counts)
            if tvd > opts.max_tvd and p < opts.p_value:
                diffs = sorted(keys, key=lambda k: (-abs(share_t.get(k, 0.0) - share_e.get(k, 0.0)), k))
                listed = ", ".join(
                    f'"{excerpt(k, 30)}" {_pct(share_t.get(k, 0.0))} of train vs {_pct(share_e.get(k, 0.0))}'
                    for k in diffs[: opts.max_listed]
                )
                yield self.finding(
                    f"the label distribution of the {split} split differs from train's: total variation distance "
                    f"{tvd:.2f} (chi-square {stat:.1f}, {dof} dof, p = {p:.2g}; {n_train} train and {n_eval} "
                    f"{split} labels); largest differences: {listed}",
                    split_loc,
                )
        missing = sorted(
            (k for k in train_counts if k not in counts and share_t[k] * n_eval >= opts.min_expected),
            key=lambda k: (-train_counts[k], k),
        )
        if missing:
            listed = ", ".join(
                f'"{excerpt(k, 30)}" ({train_counts[k]} train records, ~{share_t[k] * n_eval:.0f} expected here)'
                for k in missing[: opts.max_listed]
            )
            more = f" and {len(missing) - opts.max_listed} more" if len(missing) > opts.max_listed else ""
            yield self.finding(
                f"{len(missing)} train label(s) never occur in the {split} split ({n_eval} labels), so they are "
                f"never measured: {listed}{more}",
                split_loc,
            )
        folded = {k.casefold(): k for k in sorted(train_counts, key=lambda k: (-train_counts[k], k), reverse=True)}
        for label in sorted(counts, key=lambda k: (-counts[k], k)):
            if label in train_counts:
                continue
            n, (path, row, line, fld) = labels.labels[label]
            like = folded.get(label.casefold())
            hint = f' (train has "{excerpt(like, 40)}")' if like is not None else ""
            yield self.finding(
                f'label "{excerpt(label, 40)}" occurs in {n} {split} record(s) but never in train ({n_train} train '
                f"labels){hint}: the model cannot learn it; first here",
                Location(path, row=row, line=line, split=split, field=fld),
                excerpt(label),
            )
