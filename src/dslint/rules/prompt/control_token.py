import re
from collections.abc import Iterator

from pydantic import Field, field_validator

from dslint.packs import load_pack
from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import RecordRule, RuleOptions, excerpt
from dslint.text.code import CodeSpans

PACK = "lexicons/control-tokens.toml"
_REGEX_SPECIAL = frozenset(".^$*+?{}[]\\|()")


class ControlTokenOptions(RuleOptions):
    tokens: list[str] | None = Field(
        None, description=f"The control tokens to look for, replacing the built-in list (rules/{PACK})."
    )
    extend_tokens: list[str] = Field([], description="More control tokens, added to the list.")
    patterns: list[str] | None = Field(
        None, description="Regular expressions for more tokens, replacing the built-in ones (`<|name|>`)."
    )
    skip_code: bool = Field(True, description="Ignore tokens inside code spans (``` fences and `inline` code).")

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str] | None) -> list[str] | None:
        for pattern in patterns or []:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {pattern!r} ({exc})") from None
        return patterns


def _first_char(pattern: str) -> str | None:
    """The literal first character of a regular expression, or None when it is not a literal."""
    if not pattern:
        return None
    if pattern[0] == "\\" and len(pattern) > 1 and not pattern[1].isalnum():
        return pattern[1]
    return None if pattern[0] in _REGEX_SPECIAL else pattern[0]


class ControlToken(RecordRule):
    """A chat-template control token written as text inside a message.

    **What it does**: looks for the special tokens of chat templates and tokenizers inside message content
    (every format): `<|endoftext|>`, `<|im_start|>`, `<|im_end|>`, `<|eot_id|>`, `<|start_header_id|>`,
    `[INST]`, `[/INST]`, `<<SYS>>`, `<s>`, `</s>`, `<start_of_turn>`, `<end_of_turn>`, `<|user|>`,
    `<|assistant|>` and the others listed in the rule pack `rules/lexicons/control-tokens.toml`, plus any
    `<|name|>` token. One finding per message, at the first token, with the count and the tokens found. Tokens
    inside code spans (``` fences, `inline` code) are skipped, since a text about chat templates quotes them
    (`skip-code = false` reports them too). `tokens` replaces the list, `extend-tokens` adds to it, `patterns`
    replaces the regular expressions.

    **Why it matters**: the trainer applies the chat template itself. A control token inside the text is either
    encoded as the real special token (Hugging Face tokenizers do this by default), which forges a turn or ends
    the sequence early, or as ordinary text the model learns to print. Either way it usually means the data
    was templated twice.

    **Example**: `{"role": "assistant", "content": "Paris is the capital of France.<|im_end|>"}`.

    **Fix**: store plain text in each turn and let the trainer's chat template add the tokens; strip templated
    remnants from the data.
    """

    code = "P005"
    name = "control-token"
    default_severity = Severity.ERROR
    fix_applicability = Fix.NONE
    Options = ControlTokenOptions
    options: ControlTokenOptions

    def __init__(self, options: ControlTokenOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        opts = self.options
        pack = load_pack(PACK)
        tokens = list(pack["tokens"] if opts.tokens is None else opts.tokens) + list(opts.extend_tokens)
        patterns = list(pack.get("patterns", []) if opts.patterns is None else opts.patterns)
        tokens = sorted({t for t in tokens if t}, key=lambda t: (-len(t), t))  # longest first
        parts = [re.escape(t) for t in tokens] + [f"(?:{p})" for p in patterns]
        self.regex = re.compile("|".join(parts)) if parts else None
        firsts = {t[0] for t in tokens} | {_first_char(p) for p in patterns}
        #: Characters one of which every match starts with (None: no cheap precheck possible).
        self.firsts: tuple[str, ...] | None = None if None in firsts else tuple(sorted(c for c in firsts if c))

    def check(self, record: Record) -> Iterator[Finding]:
        regex = self.regex
        if regex is None:
            return
        firsts = self.firsts
        for msg in record.messages:
            text = msg.content
            if not isinstance(text, str) or not text:
                continue
            if firsts is not None:  # a loop, not any(generator): this runs on every text, and most miss
                for c in firsts:
                    if c in text:
                        break
                else:
                    continue
            matches = list(regex.finditer(text))
            if not matches:
                continue
            if self.options.skip_code:
                code = CodeSpans(text)
                if code:
                    matches = [m for m in matches if not code.contains(m.start())]
                    if not matches:
                        continue
            first = matches[0]
            names = list(dict.fromkeys(m.group() for m in matches))
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            count = f"{len(matches)} control tokens" if len(matches) > 1 else "control token"
            message = f"{count} in {msg.source_role} content: {shown}"
            context = excerpt(text[max(0, first.start() - 30) : first.end() + 30])
            yield self.finding(message, record.location.at(msg.field, first.span()), context)
