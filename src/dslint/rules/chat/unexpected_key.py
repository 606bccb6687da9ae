from collections.abc import Iterator

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule


class UnexpectedKey(RecordRule):
    """A key the record's format does not define.

    **What it does**: reports keys outside the format's own (e.g. anything but `role`, `content`, `name`,
    `tool_calls`, `tool_call_id`, `weight` in an OpenAI message); `id`, `split`, `metadata` and `source` are
    allowed everywhere. Information only.

    **Why it matters**: strict APIs reject unknown keys; and a key like `Content` or `respone` is usually a
    typo whose value the trainer never sees.

    **Example**: `{"role": "user", "contnet": "Hi"}`.

    **Fix**: rename the key, or remove it before upload.
    """

    code = "C009"
    name = "unexpected-key"
    default_severity = Severity.INFO

    def check(self, record: Record) -> Iterator[Finding]:
        for key in record.unexpected_keys:
            yield self.finding(f"unexpected key {key!r} for {record.format} format", record.location.at(key))
