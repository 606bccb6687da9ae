import math
from collections.abc import Iterator

from pydantic import Field

from dslint.records import Finding, Fix, Location, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions
from dslint.rules.splits.missing_validation_split import SplitCounts, count_split, merge_counts

#: The eval splits this rule measures, in report order.
EVAL_SPLITS = ("validation", "test")


class SplitTooSmallOptions(RuleOptions):
    min_records: int = Field(
        50, ge=1, description="An eval split with fewer records than this is reported (standard error > 7 points)."
    )


def standard_error(n: int, p: float = 0.5) -> float:
    """The binomial standard error of an accuracy `p` measured on `n` records (largest at p = 0.5)."""
    return math.sqrt(p * (1 - p) / n)


class SplitTooSmall(DatasetRule[SplitCounts]):
    """A validation or test split too small to measure anything.

    **What it does**: counts the records of the `validation` and `test` splits (files named for them,
    `--split`, or a `split` column) and reports each one with fewer than `min-records` (default 50), with its
    count and the standard error of an accuracy measured on it: the binomial sqrt(p(1-p)/n), up to 0.5/sqrt(n)
    (7.1 points at 50 records, 5 at 100, 2.2 at 500).

    **Why it matters**: on 20 records one answer moves the accuracy by 5 points and the 95% interval is about
    +/-22 points wide, so two checkpoints or two runs cannot be told apart and "the eval improved" is noise.
    Early stopping on such a split picks a checkpoint at random.

    **Example**: a `val.jsonl` of 12 hand-written examples beside 5,000 train records.

    **Fix**: move records into the split until the error is below the differences you need to see: 100
    records for +/-10 points (95%), 400 for +/-5, 1,000 for +/-3; for a classification set keep every class
    represented.
    """

    code = "S002"
    name = "split-too-small"
    default_severity = Severity.WARNING
    fix_applicability = Fix.NONE
    Options = SplitTooSmallOptions
    options: SplitTooSmallOptions

    def new_state(self) -> SplitCounts:
        return {}

    def update(self, state: SplitCounts, record: Record) -> SplitCounts:
        if record.location.split in EVAL_SPLITS:
            count_split(state, record)
        return state

    def merge(self, a: SplitCounts, b: SplitCounts) -> SplitCounts:
        return merge_counts(a, b)

    def finalize(self, state: SplitCounts) -> Iterator[Finding]:
        found = []
        for split in EVAL_SPLITS:
            files = state.get(split)
            if not files:
                continue
            n = sum(files.values())
            if n >= self.options.min_records:
                continue
            se = standard_error(n)
            message = (
                f"the {split} split has {n} record(s), fewer than {self.options.min_records}: an accuracy measured "
                f"on it has a standard error of up to {100 * se:.1f} points (95% interval +/-{196 * se:.0f} points), "
                f"and one record moves it by {100 / n:.1f} points"
            )
            if len(files) > 1:
                message += f" (files: {', '.join(sorted(files))})"
            found.append(self.finding(message, Location(min(files), split=split)))
        found.sort(key=lambda f: f.sort_key())
        yield from found
