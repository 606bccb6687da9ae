from collections.abc import Iterator

from pydantic import Field

from dslint.records import Finding, Location, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions


class TooFewExamplesOptions(RuleOptions):
    error_below: int = Field(10, ge=0, description="Fewer training examples than this is an error.")
    warning_below: int = Field(100, ge=0, description="Fewer training examples than this is a warning.")


#: Training-split record counts per file (kept per file so the finding can name them).
CountState = dict[str, int]


class TooFewExamples(DatasetRule[CountState]):
    """A training split too small to fine-tune on.

    **What it does**: counts the records of the `train` split across all its files and reports fewer than
    `error-below` (default 10) as an error and fewer than `warning-below` (default 100) as a warning. Skipped
    when no file or row is in the train split.

    **Why it matters**: OpenAI requires at least 10 examples and sees clear gains only from 50-100 upward; a
    tiny set mostly teaches the model to overfit its few answers.

    **Example**: the OpenAI cookbook's 5-example toy chat file.

    **Fix**: collect more examples; 50-100 good ones is the usual floor for a noticeable effect.
    """

    code = "L003"
    name = "too-few-examples"
    default_severity = Severity.ERROR
    Options = TooFewExamplesOptions
    options: TooFewExamplesOptions

    def new_state(self) -> CountState:
        return {}

    def update(self, state: CountState, record: Record) -> CountState:
        if record.location.split == "train":
            path = record.location.path
            state[path] = state.get(path, 0) + 1
        return state

    def merge(self, a: CountState, b: CountState) -> CountState:
        out = dict(a)
        for path, n in b.items():
            out[path] = out.get(path, 0) + n
        return out

    def finalize(self, state: CountState) -> Iterator[Finding]:
        total = sum(state.values())
        if not state:
            return
        if total < self.options.error_below:
            severity, floor = self.severity, self.options.error_below
        elif total < self.options.warning_below:
            severity, floor = min(self.severity, Severity.WARNING), self.options.warning_below
        else:
            return
        files = ", ".join(sorted(state))
        finding = self.finding(
            f"the train split has {total} example(s), fewer than {floor} (files: {files})",
            Location(sorted(state)[0], split="train"),
        )
        finding.severity = severity
        yield finding
