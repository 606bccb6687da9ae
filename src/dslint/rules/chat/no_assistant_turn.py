from collections.abc import Iterator

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule


class NoAssistantTurn(RecordRule):
    """A conversation with no assistant turn.

    **What it does**: in chat and ShareGPT records, reports conversations in which no turn is the assistant's,
    including an empty conversation.

    **Why it matters**: supervised fine-tuning trains on assistant turns only; this record contributes no
    training signal (its loss is fully masked), and OpenAI's fine-tuning API rejects it.

    **Example**: `{"messages": [{"role": "user", "content": "Hi"}]}`.

    **Fix**: add the reply, or drop the record.
    """

    code = "C005"
    name = "no-assistant-turn"
    default_severity = Severity.ERROR

    def check(self, record: Record) -> Iterator[Finding]:
        if not record.is_conversation or any(err[0] in ("messages", "conversations") for err in record.type_errors):
            return  # not a list: wrong-type reports it
        if not any(m.role == "assistant" for m in record.messages):
            field = "conversations" if record.format == "sharegpt" else "messages"
            yield self.finding("conversation has no assistant turn", record.location.at(field))
