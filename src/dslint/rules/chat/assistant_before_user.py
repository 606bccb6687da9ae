from collections.abc import Iterator

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule


class AssistantBeforeUser(RecordRule):
    """A conversation whose first turn after the system prompt is not the user's, or that has no user turn.

    **What it does**: in chat and ShareGPT records, reports the first non-system turn when it is an assistant
    or tool turn; the message says whether the conversation has no user turn at all.

    **Why it matters**: the model learns to answer a question nobody asked; templates that require
    user/assistant alternation raise on it.

    **Example**: `[system, assistant]` (the OpenAI cookbook's toy set has one).

    **Fix**: add the missing user turn, or drop the record.
    """

    code = "C004"
    name = "assistant-before-user"
    default_severity = Severity.ERROR

    def check(self, record: Record) -> Iterator[Finding]:
        if not record.is_conversation:
            return
        turns = [m for m in record.messages if m.role != "system"]
        if not turns or turns[0].role in ("user",):
            return
        first = turns[0]
        if first.role not in ("assistant", "tool"):
            return  # an unknown role: unknown-role reports it
        if any(m.role == "user" for m in turns):
            article = "an" if first.role == "assistant" else "a"
            message = f"conversation starts with {article} {first.role} turn before any user turn"
        else:
            message = "conversation has no user turn"
        yield self.finding(message, record.location.at(first.role_field))
