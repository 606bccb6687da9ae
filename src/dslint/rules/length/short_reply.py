from collections.abc import Iterator

from pydantic import Field

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule, RuleOptions


class ShortReplyOptions(RuleOptions):
    min_tokens: int = Field(1, ge=1, description="Fewest tokens of assistant text an example must train on.")


class ShortReply(RecordRule):
    """An example whose assistant replies add up to fewer than `min-tokens` tokens.

    **What it does**: sums the tokens of every assistant turn (the completion or output in instruction
    formats; tool calls excluded) and reports examples below `min-tokens` (default 1: nothing to learn from).
    Raise the minimum to catch one-word answers in data that should hold explanations.

    **Why it matters**: fine-tuning learns only from assistant tokens; an example with none wastes its context
    and, in trainers that average loss per example, divides by zero or gets a NaN.

    **Example**: `{"prompt": "Summarise ...", "completion": ""}`.

    **Fix**: write the reply, or drop the example.
    """

    code = "L002"
    name = "short-reply"
    default_severity = Severity.WARNING
    Options = ShortReplyOptions
    options: ShortReplyOptions

    def check(self, record: Record) -> Iterator[Finding]:
        replies = [m for m in record.messages if m.role == "assistant" and not m.has_tool_calls]
        if not replies:
            return  # no-assistant-turn reports conversations without one
        total = sum(m.n_tokens for m in replies)
        if total < self.options.min_tokens:
            yield self.finding(
                f"assistant text totals {total} token(s), below min-tokens {self.options.min_tokens}",
                record.location.at(replies[-1].field),
            )
