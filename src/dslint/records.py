"""The data model every rule sees: Record, Message, Location, Finding, Severity.

These are plain slotted dataclasses, not pydantic models, because they sit on the per-record hot path
(pydantic validation costs ~50 us a record; these cost ~1 us). The report layer converts them to pydantic
models for JSON output.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any


class Severity(enum.IntEnum):
    """How bad a finding is. Ordered, so `--fail-on warning` means "warning or worse"."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        if isinstance(value, Severity):
            return value
        try:
            return cls[value.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of: {names})") from None

    def __str__(self) -> str:
        return self.name.lower()


class Fix(enum.Enum):
    """Whether a rule's fix may be applied automatically (as in ruff)."""

    NONE = "none"
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(slots=True, frozen=True)
class Location:
    """Where something is: file, 1-based line (JSON text formats), 0-based row in the file, field path.

    `field` is written in the input's own terms (`conversations[3].value`, `completion`), so a user can find
    it in their file. `span` is an optional (start, end) character range inside that field's text.
    """

    path: str
    row: int | None = None
    line: int | None = None
    split: str | None = None
    field: str | None = None
    span: tuple[int, int] | None = None

    def at(self, field: str | None, span: tuple[int, int] | None = None) -> Location:
        """The same record, pointing at one field (and optionally a span in it)."""
        return replace(self, field=field, span=span)

    def short(self) -> str:
        """`path:line` (or `path[row]` where there are no lines), for terminal output."""
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.row is not None:
            return f"{self.path}[row {self.row}]"
        return self.path


@dataclass(slots=True)
class Message:
    """One turn, normalised: `role` is the canonical role (system/user/assistant/tool) or, when the input's
    role is not known, the input's own role string. `content` is whatever the input held (not always a str:
    the wrong-type rule reports that). `field` is the path of the content in the input's terms, `role_field`
    the path of the role (`conversations[3].from`), or the content's own path where the format implies the role.
    """

    role: str
    content: Any
    field: str
    source_role: str
    role_field: str
    has_tool_calls: bool = False
    non_text: bool = False
    weight: float | None = None
    n_tokens: int = 0

    @property
    def text(self) -> str:
        """The content as text ("" when it is not a string)."""
        return self.content if isinstance(self.content, str) else ""


@dataclass(slots=True)
class Record:
    """One training example, normalised so every rule sees one shape whatever the input format.

    `problems` are shape errors the format adapter met while normalising (a field of the wrong type, an
    unexpected key); rules report them. `raw` is the input row itself, kept so fixes can be written back in
    the input's own format.
    """

    format: str
    messages: list[Message]
    raw: Any
    location: Location
    label: Any = None
    label_field: str | None = None
    type_errors: list[tuple[str, str, str]] = field(default_factory=list)
    unexpected_keys: list[str] = field(default_factory=list)
    n_tokens: int = 0
    #: What rules work out from the record and share (normalised texts, word hashes...), by a key of their
    #: choosing: worked out once, by whichever rule asks first (see `Rule.prepare`), and forgotten when a fix
    #: changes a text (`rules.base.set_text`).
    derived: dict[str, Any] = field(default_factory=dict)

    @property
    def is_conversation(self) -> bool:
        """True for formats whose turns carry roles the input wrote itself (chat, ShareGPT)."""
        return self.format in ("openai-chat", "sharegpt")


@dataclass(slots=True)
class Finding:
    """One problem found: which rule, how bad, what, and exactly where."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    excerpt: str | None = None
    fix: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.row if loc.row is not None else -1, loc.line or 0, self.code, loc.field or "")

    def to_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "message": self.message,
            "path": loc.path,
            "line": loc.line,
            "row": loc.row,
            "split": loc.split,
            "field": loc.field,
            "span": list(loc.span) if loc.span else None,
            "excerpt": self.excerpt,
            "fix": self.fix,
        }
