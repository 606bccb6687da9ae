from collections.abc import Iterator

from dslint.io.formats import json_type
from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule, excerpt


class NotAnObject(RecordRule):
    """A row that is valid JSON but not an object (`[...]`, a string, a number, `null`).

    **What it does**: reports rows whose top-level value is not a JSON object, with line and row.

    **Why it matters**: every training format is an object with named fields; a bare list or string is either a
    writing bug or a file in another layout, and no trainer reads it as you meant.

    **Example**: a JSONL line `["hello", "world"]`.

    **Fix**: wrap the value in the fields of your format, e.g. `{"text": "..."}`.
    """

    code = "F002"
    name = "not-an-object"
    default_severity = Severity.ERROR

    def check(self, record: Record) -> Iterator[Finding]:
        if not isinstance(record.raw, dict):
            yield self.finding(f"row is {json_type(record.raw)}, not an object", record.location, excerpt(record.raw))
