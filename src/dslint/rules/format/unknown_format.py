from collections.abc import Iterator

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule, excerpt


class UnknownFormat(RecordRule):
    """A record whose keys match no known dataset format.

    **What it does**: reports objects that have none of the keys that define a format: `messages` (OpenAI
    chat), `conversations` (ShareGPT), `instruction` + `output` (Alpaca), `prompt` + `completion`, `text`
    (+ `label` for classification). The message lists the keys the record has.

    **Why it matters**: a trainer reading this record finds no text and either fails or trains on nothing;
    often a typo in a key (`message`, `promt`) or a column renamed by an export.

    **Example**: `{"question": "...", "response": "..."}`.

    **Fix**: rename the keys to one format (e.g. `{"prompt": ..., "completion": ...}`), or map them in your
    loader.
    """

    code = "F006"
    name = "unknown-format"
    default_severity = Severity.ERROR

    def check(self, record: Record) -> Iterator[Finding]:
        if record.format == "unknown" and isinstance(record.raw, dict):
            keys = ", ".join(sorted(record.raw)) or "none"
            yield self.finding(f"record matches no known format (keys: {keys})", record.location, excerpt(record.raw))
