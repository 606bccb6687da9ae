from collections.abc import Iterator

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule


class ConsecutiveSameRole(RecordRule):
    """Two user turns, or two assistant replies, in a row.

    **What it does**: in chat and ShareGPT records, reports a user turn that follows a user turn, and an
    assistant turn that follows an assistant turn when neither is a tool call (an assistant reply followed by
    its own tool call, or several tool results in a row, are normal).

    **Why it matters**: alternating templates (Llama 2, Mistral, Gemma) raise on it; others merge or drop a
    turn, so the model learns a conversation that never happened. It is often a role-mapping bug upstream.

    **Example**: `[user, user, assistant]`.

    **Fix**: merge the two turns, or fix the role of one.
    """

    code = "C003"
    name = "consecutive-same-role"
    default_severity = Severity.WARNING

    def check(self, record: Record) -> Iterator[Finding]:
        if not record.is_conversation:
            return
        prev = None
        for msg in record.messages:
            if (
                prev is not None
                and msg.role == prev.role
                and (
                    msg.role == "user" or (msg.role == "assistant" and not (msg.has_tool_calls or prev.has_tool_calls))
                )
            ):
                yield self.finding(f"two {msg.role} turns in a row", record.location.at(msg.role_field))
            prev = msg
