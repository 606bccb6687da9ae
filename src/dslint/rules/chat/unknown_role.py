from collections.abc import Iterator

from dslint.io.formats import CANONICAL_ROLES
from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule


class UnknownRole(RecordRule):
    """A turn whose role the format does not define.

    **What it does**: in chat (`messages[].role`) and ShareGPT (`conversations[].from`) records, reports roles
    that map to none of system/user/assistant/tool. Each format's own names are known (ShareGPT's `human`,
    `gpt`, `function_call`, `observation`; OpenAI's `developer`, `function`); add your own with the top-level
    `role-map` setting, e.g. `role-map = { bot = "assistant" }`.

    **Why it matters**: chat templates raise on an unknown role, or (worse) some trainers drop the turn
    silently and the conversation no longer makes sense.

    **Example**: `{"role": "Assistant", ...}` or `{"from": "chatbot", ...}`.

    **Fix**: rename the role, or map it with `role-map`.
    """

    code = "C001"
    name = "unknown-role"
    default_severity = Severity.ERROR

    def check(self, record: Record) -> Iterator[Finding]:
        if not record.is_conversation:
            return
        for msg in record.messages:
            if msg.role not in CANONICAL_ROLES and msg.source_role:  # a missing role is wrong-type's
                yield self.finding(
                    f"unknown role {msg.source_role!r} (known: system, user, assistant, tool; "
                    "map others with `role-map`)",
                    record.location.at(msg.role_field),
                )
