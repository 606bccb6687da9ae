from collections.abc import Iterator

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule


class EmptyContent(RecordRule):
    """A turn or text field that is empty or only whitespace.

    **What it does**: reports every message content (and `prompt`, `completion`, `instruction`, `output`,
    `text`) that is `""`, whitespace only, or `null`. A tool-call turn with null or empty content is fine, so is
    a turn whose content parts are all images or audio, and Alpaca's optional `input` may be empty.

    **Why it matters**: an empty assistant turn teaches the model to say nothing; an empty user turn is a
    broken conversation. OpenAI's fine-tuning API rejects both.

    **Example**: `{"role": "assistant", "content": "  "}`.

    **Fix**: fill in the text, or drop the turn or record.
    """

    code = "C007"
    name = "empty-content"
    default_severity = Severity.ERROR

    def check(self, record: Record) -> Iterator[Finding]:
        for msg in record.messages:
            content = msg.content
            if isinstance(content, str):
                if content.strip() or msg.has_tool_calls or msg.non_text:
                    continue
                what = "empty" if not content else "whitespace only"
            elif content is None and not msg.has_tool_calls:
                what = "null"
            else:
                continue  # a tool call, or a wrong type (wrong-type reports it)
            yield self.finding(f"{msg.source_role} content is {what}", record.location.at(msg.field))
