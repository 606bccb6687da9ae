from collections.abc import Iterator

from pydantic import Field

from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import RecordRule, RuleOptions, excerpt
from dslint.rules.prompt.separator_consensus import marker_start, show

#: Occurrences counted per field at most (the message says "N+" past it).
MAX_COUNTED = 100


class MarkerInsideTextOptions(RuleOptions):
    whitespace_markers: bool = Field(
        False,
        description=(
            'Also check markers that are only whitespace with a line break (a "\\n" stop sequence): every line '
            "break inside such a completion is reported."
        ),
    )


def _occurrences(text: str, needle: str, end: int) -> list[int]:
    """Where `needle` occurs in `text[:end]`; an alphanumeric edge must not touch a letter or digit (so the
    stop word `END` is not found in `LEGEND`)."""
    left = needle[0].isalnum()
    right = needle[-1].isalnum()
    found: list[int] = []
    i = text.find(needle, 0, end)
    while i != -1 and len(found) <= MAX_COUNTED:
        j = i + len(needle)
        if not (left and i > 0 and text[i - 1].isalnum()) and not (right and j < len(text) and text[j].isalnum()):
            found.append(i)
        i = text.find(needle, i + 1, end)
    return found


class MarkerInsideText(RecordRule):
    """A prompt that contains its own separator, or a completion that contains its own stop sequence.

    **What it does**: for legacy prompt/completion records, takes the record's own trailing marker (the
    separator ending its prompt, the stop sequence ending its completion, read as P001/P002 read them) and
    reports the field when the marker's text (without its surrounding whitespace: `###` for `"\\n\\n###\\n\\n"`,
    `END` for `" END"`) occurs earlier in the same field. Only distinctive markers are checked: at least two
    characters besides whitespace, so `":"` or `"\\n\\n"` are not (paragraph breaks are normal text); set
    `whitespace-markers = true` to also check newline-only markers (a `"\\n"` stop sequence). Marker words are
    matched as words (`END` is not found in `LEGEND`).

    **Why it matters**: the stop sequence inside a completion makes generation stop there at inference, so the
    model never produces the rest; the separator inside a prompt shows the model the prompt/answer boundary too
    early. OpenAI's legacy data tool warned about both.

    **Example**: `{"prompt": "### Task\\nSummarise.\\n\\n###\\n\\n", "completion": " Done. END of part one. END"}`.

    **Fix**: pick a separator and stop sequence that occur nowhere in the texts (`"\\n\\n###\\n\\n"`,
    `" END"`), or rewrite the texts that contain them.
    """

    code = "P003"
    name = "marker-inside-text"
    default_severity = Severity.ERROR
    fix_applicability = Fix.NONE
    Options = MarkerInsideTextOptions
    options: MarkerInsideTextOptions

    def check(self, record: Record) -> Iterator[Finding]:
        if record.format != "prompt-completion":
            return
        for msg in record.messages:
            if msg.field not in ("prompt", "completion"):
                continue
            text = msg.content
            if not isinstance(text, str) or not text.strip():
                continue
            start = marker_start(text)
            if start == 0:
                continue  # the whole field is marker: nothing before it
            marker = text[start:]
            core = marker.strip()
            if len(core) < 2 and not (not core and "\n" in marker and self.options.whitespace_markers):
                continue
            needle = core or marker
            found = _occurrences(text, needle, start)
            if not found:
                continue
            pos = found[0]
            n = f"{MAX_COUNTED}+" if len(found) > MAX_COUNTED else str(len(found))
            times = "once" if n == "1" else f"{n} times"
            if msg.field == "prompt":
                what, effect = "separator", "the model sees the prompt's end early"
            else:
                what, effect = "stop sequence", "generation would stop there"
            shown = show(marker) if needle == marker else f"{show(marker)} ({show(needle)})"
            message = f"the {msg.field}'s {what} {shown} occurs inside it {times}, first at character {pos}: {effect}"
            context = excerpt(text[max(0, pos - 30) : pos + len(needle) + 30])
            yield self.finding(message, record.location.at(msg.field, (pos, pos + len(needle))), context)
