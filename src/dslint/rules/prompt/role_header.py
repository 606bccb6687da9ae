import re
from collections.abc import Iterator

from dslint.packs import load_pack
from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import RecordRule, RuleOptions, excerpt
from dslint.text.code import CodeSpans

PACK = "lexicons/role-headers.toml"
#: Formats whose trainer wraps each turn in a template of its own (chat templates, the Alpaca template).
TEMPLATED_FORMATS = frozenset({"openai-chat", "sharegpt", "alpaca"})
#: Headers quoted in a message, at most.
MAX_SHOWN = 3


def _lexicon() -> tuple[re.Pattern[str], dict[str, tuple[str, bool]]]:
    """The header regex and, per lower-cased name, (side, needs a markdown heading)."""
    pack = load_pack(PACK)
    names: dict[str, tuple[str, bool]] = {}
    for kind, needs_heading in (("template", True), ("transcript", False)):
        for side, words in pack.get(kind, {}).items():
            for word in words:
                names[word.lower()] = (side, needs_heading)
    alternation = "|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))
    regex = re.compile(
        rf"^[ \t]*(?P<hash>#{{1,6}}[ \t]*)?(?:\*\*)?(?P<name>{alternation})(?:\*\*)?[ \t]*:", re.M | re.I
    )
    return regex, names


def _line_matches(regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """`regex.finditer(text)`, trying only the starts of lines that hold a colon.

    A header match starts at a line start and ends at a colon on the same line (nothing in it matches a line
    break), so the matches are exactly those found by matching at the start of each line with a colon. Finding
    colons with `str.find` and matching there is ~4x faster than `finditer`, which tries the multiline `^` at
    every character of the text.
    """
    find = text.find
    match = regex.match
    colon = find(":")
    while colon >= 0:
        m = match(text, text.rfind("\n", 0, colon) + 1)
        if m is not None:
            yield m
        end = find("\n", colon)
        if end < 0:
            return
        colon = find(":", end)


class RoleHeader(RecordRule):
    """Hand-written role headers inside one turn: a conversation templated twice.

    **What it does**: in the user and assistant turns of chat, ShareGPT and Alpaca records (formats whose
    trainer adds a template itself), finds role headers at line starts: transcript headers such as `Human:`,
    `User:`, `Assistant:`, `AI:` (also in a markdown heading or bold), and template headers that count only in
    a heading, such as `### Instruction:`, `### Input:`, `### Response:`. A turn is reported when it holds a
    user-side and an assistant-side header (a transcript or template pasted into one turn), or when it starts
    with a heading-form header or with a header naming its own role (an assistant turn starting
    `Assistant:`). One header elsewhere is prose and passes: `User: enter your password` inside an answer.
    System turns are not checked (few-shot transcripts there are deliberate), nor prompt/completion and text
    records (their transcript *is* the template), nor headers inside code spans. Names are in the rule pack
    `rules/lexicons/role-headers.toml`.

    **Why it matters**: the chat template already marks the roles; headers inside a turn teach the model to
    write them itself (answers that begin `Assistant:` or invent the user's next turn), and a whole pasted
    transcript in one turn is trained as a single message.

    **Example**: `{"role": "assistant", "content": "### Response:\\nParis.\\n\\n### Instruction:\\nAnd Peru?"}`.

    **Fix**: split the transcript into real turns, or strip the headers and template remnants from the text.
    """

    code = "P006"
    name = "role-header"
    default_severity = Severity.WARNING
    fix_applicability = Fix.NONE

    def __init__(self, options: RuleOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self.regex, self.names = _lexicon()

    def check(self, record: Record) -> Iterator[Finding]:
        if record.format not in TEMPLATED_FORMATS:
            return
        regex = self.regex
        for msg in record.messages:
            if msg.role != "user" and msg.role != "assistant":
                continue
            text = msg.content
            if not isinstance(text, str) or ":" not in text:
                continue
            headers: list[tuple[re.Match[str], str]] = []
            for m in _line_matches(regex, text):
                side, needs_heading = self.names[m.group("name").lower()]
                if needs_heading and not m.group("hash"):
                    continue
                headers.append((m, side))
            if not headers:
                continue
            code = CodeSpans(text) if "`" in text or "~~~" in text else None
            if code:
                headers = [(m, side) for m, side in headers if not code.contains(m.start("name"))]
                if not headers:
                    continue
            sides = {side for _, side in headers}
            first, first_side = headers[0]
            at_start = not text[: first.start()].strip()
            if {"user", "assistant"} <= sides:
                why = "a transcript inside one turn"
            elif at_start and (first.group("hash") or first_side == msg.role):
                why = "the turn starts with a role header"
            else:
                continue
            shown = ", ".join(
                f'"{m.group().strip()}" (line {text.count(chr(10), 0, m.start()) + 1})' for m, _ in headers[:MAX_SHOWN]
            )
            more = f" and {len(headers) - MAX_SHOWN} more" if len(headers) > MAX_SHOWN else ""
            message = f"role header(s) in {msg.source_role} content, {why}: {shown}{more}"
            start = first.start("hash") if first.group("hash") else first.start("name")
            if start >= 2 and text[start - 2 : start] == "**":
                start -= 2
            context = excerpt(text[start : start + 60])
            yield self.finding(message, record.location.at(msg.field, (start, first.end())), context)
