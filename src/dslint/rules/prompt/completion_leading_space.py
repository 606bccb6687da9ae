from collections.abc import Iterator

from dslint.records import Finding, Fix, Message, Record, Severity
from dslint.rules.base import RecordRule, excerpt, set_text
from dslint.rules.prompt.separator_consensus import show


def _completion(record: Record) -> tuple[Message, str, int] | None:
    """The completion, its text and the length of its leading whitespace, when it needs fixing."""
    if record.format != "prompt-completion":
        return None
    for msg in record.messages:
        if msg.field != "completion":
            continue
        text = msg.content
        if not isinstance(text, str) or not text.strip():
            return None  # empty or not text: empty-content and wrong-type report it
        if text[0] == " " and not text[1].isspace():
            return None
        return msg, text, len(text) - len(text.lstrip())
    return None


class CompletionLeadingSpace(RecordRule):
    """A completion that does not start with exactly one space.

    **What it does**: for legacy prompt/completion records, reports completions that start without
    whitespace, with several spaces, or with other whitespace (a tab, a line break). Empty completions are
    left to empty-content.

    **Why it matters**: GPT-style tokenizers encode a word with its leading space (`" Paris"` is one token,
    `"Paris"` another), and at inference the model continues right after the prompt's separator. OpenAI's
    legacy fine-tuning guide asks for completions that start with one space so the first token is the common
    one; extra spaces or a missing one teach rare tokens and make outputs start oddly.

    **Example**: `{"prompt": "Capital of Kenya?\\n\\n###\\n\\n", "completion": "Nairobi END"}`.

    **Fix**: start every completion with exactly one space. `dslint clean` does it (safe): it replaces the
    leading whitespace with a single space.
    """

    code = "P004"
    name = "completion-leading-space"
    default_severity = Severity.WARNING
    fix_applicability = Fix.SAFE

    def check(self, record: Record) -> Iterator[Finding]:
        found = _completion(record)
        if found is None:
            return
        msg, text, lead = found
        if lead == 0:
            message = "completion does not start with a space"
        elif text[:lead].strip(" ") == "":
            message = f"completion starts with {lead} spaces"
        else:
            message = f"completion starts with {show(text[:lead])}"
        message += ", not exactly one space"
        prompt = next((m.content for m in record.messages if m.field == "prompt"), None)
        if isinstance(prompt, str) and prompt.endswith(" "):
            message += " (the prompt ends with the space: move it to the completion)"
        yield self.finding(
            message,
            record.location.at(msg.field, (0, lead) if lead else None),
            excerpt(text, 40),
            fix="start the completion with exactly one space (a safe fix: `dslint clean` applies it)",
        )

    def fix(self, record: Record) -> list[str]:
        found = _completion(record)
        if found is None:
            return []
        msg, text, lead = found
        set_text(record, msg, " " + text[lead:])
        return [msg.field]
