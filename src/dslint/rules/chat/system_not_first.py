from collections.abc import Iterator

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule


class SystemNotFirst(RecordRule):
    """A system turn that is not the first turn of the conversation.

    **What it does**: in chat and ShareGPT records, reports every system turn after position 0.

    **Why it matters**: most chat templates (Llama, Mistral, ChatML as used by many trainers) accept the system
    prompt only first; a later one raises, is silently moved, or is rendered as user text.

    **Example**: `[user, system, assistant]`.

    **Fix**: move the system prompt to the start (merge several into one).
    """

    code = "C002"
    name = "system-not-first"
    default_severity = Severity.ERROR

    def check(self, record: Record) -> Iterator[Finding]:
        if not record.is_conversation:
            return
        for i, msg in enumerate(record.messages):
            if i > 0 and msg.role == "system":
                yield self.finding(f"system turn after {i} other turn(s)", record.location.at(msg.role_field))
