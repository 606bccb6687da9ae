"""The Report: what a scan found, as pydantic models so `--format json` has a documented, versioned schema.

`dslint schema` prints the JSON Schema. SCHEMA_VERSION changes whenever a field is removed or changes
meaning; adding a field does not change it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = "1"


class FindingModel(BaseModel):
    code: str
    name: str
    severity: Literal["info", "warning", "error"]
    message: str
    path: str
    line: int | None = Field(None, description="1-based line in the file (JSON text formats).")
    row: int | None = Field(None, description="0-based record position in the file.")
    split: str | None = None
    field: str | None = Field(None, description="Field path in the input's own terms, e.g. messages[2].content.")
    span: list[int] | None = Field(None, description="[start, end) characters inside the field.")
    excerpt: str | None = None
    fix: str | None = None


class RuleResult(BaseModel):
    code: str
    name: str
    severity: Literal["info", "warning", "error"] = Field(description="The worst severity among its findings.")
    count: int = Field(description="Exact number of findings.")
    samples: list[FindingModel] = Field(description="The first findings, in file and row order (bounded).")


class Distribution(BaseModel):
    min: int
    mean: float
    p50: int
    p90: int
    p95: int
    max: int
    total: int


class SplitSummary(BaseModel):
    split: str
    records: int
    formats: dict[str, int]
    files: dict[str, int] = Field(description="Records per file.")
    tokens: Distribution = Field(description="Tokens per example.")
    turns: Distribution = Field(description="Messages (turns or text fields) per example.")
    assistant_tokens: int = Field(description="Tokens of assistant text (what fine-tuning learns from).")


class TrainingEstimate(BaseModel):
    examples: int
    suggested_epochs: int
    tokens_per_epoch: int = Field(description="Tokens in the train split, each example capped at max-tokens.")
    training_tokens: int = Field(description="tokens_per_epoch x suggested_epochs: what a fine-tune would bill.")


class Summary(BaseModel):
    encoding: str
    max_tokens: int | None
    splits: list[SplitSummary]
    training: TrainingEstimate | None


class Report(BaseModel):
    """The result of a scan. `passed` is False when a finding is at or above `fail_on`."""

    schema_version: str = SCHEMA_VERSION
    dslint_version: str
    files: list[str]
    fail_on: Literal["info", "warning", "error"]
    counts: dict[str, int] = Field(description="Findings per severity: error, warning, info.")
    rules: list[RuleResult] = Field(description="Rules that found something, by code.")
    rules_run: list[str] = Field(description="Codes of every rule that ran.")
    summary: Summary
    passed: bool
    profile: dict[str, float] | None = Field(
        None, description="With --profile: seconds per rule code, `tokenize` and `read+normalise`."
    )

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def findings(self) -> list[FindingModel]:
        """Every sampled finding (each rule's first `sample-size`), in rule order."""
        return [f for rule in self.rules for f in rule.samples]

    def count(self, code: str) -> int:
        """Exact number of findings of one rule (by code or name)."""
        return sum(r.count for r in self.rules if code in (r.code, r.name))

    def to_pandas(self) -> pd.DataFrame:
        """The sampled findings as a DataFrame, one row per finding."""
        import pandas as pd

        columns = list(FindingModel.model_fields)
        return pd.DataFrame([f.model_dump() for f in self.findings()], columns=columns)

    def to_json(self, **kwargs: Any) -> str:
        return self.model_dump_json(indent=2, **kwargs)

    def _repr_html_(self) -> str:
        from dslint.report.html import render_html

        return render_html(self)

    def __str__(self) -> str:
        from dslint.report.text import render_text

        return render_text(self, color=False)
