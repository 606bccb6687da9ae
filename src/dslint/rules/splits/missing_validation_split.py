from collections.abc import Iterator

from dslint.records import Finding, Fix, Location, Record, Severity
from dslint.rules.base import DatasetRule

#: Records per split and file: {split: {path: records}} (bounded by the number of files).
SplitCounts = dict[str, dict[str, int]]


def count_split(state: SplitCounts, record: Record) -> SplitCounts:
    """Count a record under its split (the file's, or its `split` column's) and file."""
    loc = record.location
    files = state.setdefault(loc.split or "train", {})
    files[loc.path] = files.get(loc.path, 0) + 1
    return state


def merge_counts(a: SplitCounts, b: SplitCounts) -> SplitCounts:
    out = {split: dict(files) for split, files in a.items()}
    for split, files in b.items():
        mine = out.setdefault(split, {})
        for path, n in files.items():
            mine[path] = mine.get(path, 0) + n
    return out


class MissingValidationSplit(DatasetRule[SplitCounts]):
    """The dataset has a train split but no validation split.

    **What it does**: looks for a validation split among the scanned data: a file named for one (`val`,
    `valid`, `validation`, `dev`, `eval`), a file given as `--split validation=PATH`, or rows whose `split`
    column names one. When there is a train split and none of these, it reports once, at the first train file,
    and says how to make one. A test split does not count (it is mentioned in the finding), and neither do
    `--reference` files, which are not part of the dataset.

    **Why it matters**: without held-out data there is no way to see overfitting, to choose the number of
    epochs or the checkpoint, or to compare two runs; the training loss only falls. A test split is not a
    substitute: it is for the final measurement, and every decision tuned on it makes its score optimistic.

    **Example**: `dslint scan train.jsonl` on a folder with only `train.jsonl` (or `train.jsonl` and
    `test.jsonl`).

    **Fix**: `dslint clean --make-validation 0.1 -o OUT train.jsonl` moves 10% of train into a new
    `validation.jsonl` (by near-duplicate group, so no copy straddles the split; stratified by label). By hand:
    hold out about 10% at random (100 to 1,000 records is usually enough) after deduplication, or pass an
    existing file with `--split validation=PATH`.
    """

    code = "S001"
    name = "missing-validation-split"
    default_severity = Severity.WARNING
    fix_applicability = Fix.NONE

    def new_state(self) -> SplitCounts:
        return {}

    def update(self, state: SplitCounts, record: Record) -> SplitCounts:
        return count_split(state, record)

    def merge(self, a: SplitCounts, b: SplitCounts) -> SplitCounts:
        return merge_counts(a, b)

    def finalize(self, state: SplitCounts) -> Iterator[Finding]:
        train = state.get("train")
        if not train or "validation" in state:
            return
        n = sum(train.values())
        if n >= 1000:
            size = f"100 to 1,000 is usually enough, here ~{min(1000, n // 10)}"
        else:  # 10% of a small set: say so, rather than suggest more records than make sense
            size = f"~{max(1, round(n / 10))}; so few measure little, and k-fold cross-validation is the better check"
        message = (
            f"no validation split: no file is named for one (val, valid, validation, dev), none was given with "
            f"--split validation=PATH, and no row has a split column naming one; hold out about 10% of the "
            f"{n} train record(s) ({size}): `dslint clean --make-validation 0.1` writes one, keeping near copies on "
            "one side and labels stratified"
        )
        test = state.get("test")
        if test:
            message += (
                f"; the test split ({sum(test.values())} record(s)) does not count: it is for the final "
                "measurement, and tuning on it makes its score optimistic"
            )
        yield self.finding(message, Location(min(train), split="train"))
