from collections.abc import Iterator

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule


class WrongType(RecordRule):
    """A field of the wrong type: `messages` not a list, content not a string, a turn not an object.

    **What it does**: reports each field the format defines whose value has the wrong JSON type, or a required
    field that is missing, with the expected and the actual type. (OpenAI's list-of-parts content is accepted.)

    **Why it matters**: loaders either crash on it (hours into a job, in a dataloader worker) or coerce it,
    training on `"None"` or `"[object]"`.

    **Example**: `{"role": "user", "content": 42}` or `"messages": "hello"`.

    **Fix**: write the value as the type the format defines.
    """

    code = "C008"
    name = "wrong-type"
    default_severity = Severity.ERROR

    def check(self, record: Record) -> Iterator[Finding]:
        for field, expected, actual in record.type_errors:
            if actual == "missing":
                message = f"{field} is missing (expected {expected})"
            else:
                message = f"{field} is {actual}, expected {expected}"
            yield self.finding(message, record.location.at(field))
