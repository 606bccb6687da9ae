from collections.abc import Iterator

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule


class LastTurnNotAssistant(RecordRule):
    """A conversation that does not end with an assistant turn.

    **What it does**: in chat and ShareGPT records that have an assistant turn, reports a last turn that is a
    user or tool turn (a trailing turn nobody answers).

    **Why it matters**: the trailing turn is trained on nothing and, with some templates, the end-of-turn
    token after the last reply is never learned where it should be. It is usually a truncated export.

    **Example**: `[user, assistant, user]`.

    **Fix**: drop the trailing turn or add its reply. Select this rule out (`ignore = ["C006"]`) for data
    that ends on purpose with a user turn.
    """

    code = "C006"
    name = "last-turn-not-assistant"
    default_severity = Severity.WARNING

    def check(self, record: Record) -> Iterator[Finding]:
        if not record.is_conversation or not record.messages:
            return
        last = record.messages[-1]
        if last.role in ("user", "tool") and any(m.role == "assistant" for m in record.messages):
            yield self.finding(f"conversation ends with a {last.role} turn", record.location.at(last.role_field))
