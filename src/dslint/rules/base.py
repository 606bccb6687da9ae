"""Rule base classes: the contract between rules and the engine (see DESIGN.md, "The rule contract").

Four scopes, so one engine can stream, parallelise and distribute every rule:

- `InputRule`: problems met while reading bytes into rows (bad JSON, bad UTF-8). The readers detect them; the
  class carries the code, severity and documentation.
- `RecordRule`: `check(record) -> findings`, pure and stateless.
- `DatasetRule`: a mergeable accumulator, `new_state()`, `update(state, record)`, `merge(a, b)`,
  `finalize(state)`. State is small and picklable and `merge` is associative, so partial states from several
  processes combine to the same answer.
- `CrossSplitRule`: builds an index from the reference splits (validation/test), then probes train records.

The engine hands records over in batches: every rule's `prepare(records)` sees a batch before the rule sees
its records one by one, so work that vectorises (hashing all the words of a batch in one numpy pass) is done
once per batch and kept on the records (`Record.derived`); a rule that needs nothing of the kind ignores it.
A fix changes a record's texts only through `set_text` or `repair_message`, which forget what was derived from
them (the engine forgets it too after each fix that changed something), so derived data never needs to be
checked against the texts it came from.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from dslint.records import Finding, Fix, Location, Message, Record, Severity


class RuleOptions(BaseModel):
    """Typed options of a rule. Keys are written in kebab-case in TOML (`max-tokens`)."""

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, alias_generator=lambda name: name.replace("_", "-")
    )


class Rule:
    """A check with a stable code, a kebab-case name, a default severity and a docstring that documents it.

    The docstring is the rule's only documentation (shown by `dslint rule CODE` and in the README), written as
    "What it does / Why it matters / Example / Fix".
    """

    code: ClassVar[str]
    name: ClassVar[str]
    default_severity: ClassVar[Severity]
    fix_applicability: ClassVar[Fix] = Fix.NONE
    Options: ClassVar[type[RuleOptions]] = RuleOptions

    def __init__(self, options: RuleOptions | None = None, severity: Severity | None = None) -> None:
        self.options = options if options is not None else self.Options()
        self.severity = self.default_severity if severity is None else severity

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first line of the documentation."""
        return cls.documentation().splitlines()[0] if cls.__doc__ else ""

    def finding(self, message: str, location: Location, excerpt: str | None = None, fix: str | None = None) -> Finding:
        return Finding(self.code, self.name, self.severity, message, location, excerpt, fix)

    def begin(self, paths: Sequence[str]) -> None:
        """Called once before a scan with the paths of the dataset's files (reference files left out), before
        the rule goes to any worker process: for a rule whose work depends on the dataset's layout (B003 shares
        its budget of fully checked records among the files)."""

    def prepare(self, records: Sequence[Record]) -> None:
        """Work out, for a batch of records the rule is about to see, what is cheaper to do for many at once;
        keep it in each record's `derived`. The rule must still work on a record `prepare` has not seen (a
        single record, as `dslint clean` hands them over)."""


class InputRule(Rule):
    """A problem the readers meet before there is a record (the readers emit it by rule name)."""


class RecordRule(Rule):
    """A pure, stateless check of one record.

    A rule whose `fix_applicability` is SAFE or UNSAFE also implements `fix`, which `dslint clean` calls.
    """

    def check(self, record: Record) -> Iterable[Finding]:
        raise NotImplementedError

    def fix(self, record: Record) -> list[str]:
        """Fix the record in place (with `set_text` or `repair_message`: they forget the record's derived data)
        and return the field paths changed (empty: nothing).

        A fix must be idempotent: fixing a fixed record changes nothing.
        """
        return []


State = TypeVar("State")


class DatasetRule(Rule, Generic[State]):
    """A mergeable accumulator over the whole dataset."""

    def new_state(self) -> State:
        raise NotImplementedError

    def update(self, state: State, record: Record) -> State:
        raise NotImplementedError

    def merge(self, a: State, b: State) -> State:
        raise NotImplementedError

    def finalize(self, state: State) -> Iterable[Finding]:
        raise NotImplementedError

    def fix(self, record: Record, state: State) -> list[str]:
        """Fix one record in place, knowing the whole dataset's final `state` (e.g. normalise it to the majority
        convention); return the field paths changed. Called by `dslint clean` in its second pass."""
        return []

    def drop(self, record: Record, state: State) -> str | None:
        """Why `dslint clean` should leave this record out of the cleaned copy (e.g. it repeats an earlier
        one), or None. The record goes to the rejects file with this reason, under this rule's code."""
        return None

    def augment(self, record: Record, state: State) -> list[Any]:
        """New rows `dslint clean` writes right after this record (e.g. counterfactual copies)."""
        return []

    def group(self, record: Record, state: State) -> str | None:
        """A key shared by records that must stay on one side of the split `dslint clean --make-validation`
        makes (e.g. a near-duplicate cluster), or None."""
        return None


class CrossSplitRule(Rule, Generic[State]):
    """Built from the reference splits first (validation, test, and `--reference` files), then probes the train
    split's records."""

    reference_splits: ClassVar[frozenset[str]] = frozenset({"validation", "test", "reference"})

    def new_index(self) -> State:
        raise NotImplementedError

    def add_reference(self, index: State, record: Record) -> State:
        raise NotImplementedError

    def merge(self, a: State, b: State) -> State:
        raise NotImplementedError

    def probe(self, index: State, record: Record) -> Iterable[Finding]:
        raise NotImplementedError

    def probe_many(self, index: State, records: Sequence[Record]) -> list[Iterable[Finding]]:
        """`probe` of each of a batch of train records (a rule can look them all up in its index at once)."""
        self.prepare(records)
        return [self.probe(index, record) for record in records]

    def notes(self, index: State) -> Any:
        """What the probes of one scanning process noted in the index (e.g. which eval n-grams occur in train),
        small and picklable: a process sends this back, not the index. None: nothing."""
        return None

    def finalize(self, index: State, notes: Sequence[Any]) -> Iterable[Finding]:
        """Findings about the reference splits once every train record is probed, from the `notes` of each
        scanning process (added up in an order that does not change the result)."""
        return []

    def drop(self, record: Record, index: State) -> str | None:
        """Why `dslint clean` should leave this train record out (e.g. it leaks into an eval split), or None.
        Reference splits are never changed."""
        return None


def set_text(record: Record, message: Message, text: str) -> None:
    """Replace a message's text, in the normalised record and in the raw row (so writers see it), and forget
    what was derived from the old texts (`Record.derived`)."""
    message.content = text
    set_path(record.raw, message.field, text)
    record.derived.clear()


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _keys(path: str) -> list[str | int]:
    return [int(i) if i else k for k, i in _PATH_PART.findall(path)]


def get_path(raw: Any, path: str) -> Any:
    """The value of `raw` at a field path such as `messages[2].content`, or None where there is none."""
    target = raw
    for key in _keys(path):
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            return None
    return target


def set_path(raw: Any, path: str, value: Any) -> None:
    """Set `raw` at a field path such as `messages[2].content` or `history[0][1]`."""
    keys = _keys(path)
    target = raw
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


def repair_message(record: Record, msg: Message, repair: Callable[[str], str | None]) -> bool:
    """Apply `repair` (text -> new text, or None to leave it) to one message's text, in the record and in its raw
    row; OpenAI content parts are repaired part by part, so the list and its images stay. Whether it changed."""
    raw = get_path(record.raw, msg.field)
    if isinstance(raw, str):
        new = repair(raw)
        if new is None or new == raw:
            return False
        set_text(record, msg, new)
        return True
    if not isinstance(raw, list):
        return False
    parts = [p for p in raw if isinstance(p, dict) and isinstance(p.get("text"), str)]
    done = False
    for part in parts:
        new = repair(part["text"])
        if new is not None and new != part["text"]:
            part["text"] = new
            done = True
    if done:
        msg.content = "\n".join(p["text"] for p in parts)  # as the normaliser joins them
        record.derived.clear()
    return done


def repair_messages(record: Record, repair: Callable[[str], str | None]) -> list[str]:
    """`repair_message` on every message with text; the fields changed."""
    return [m.field for m in record.messages if isinstance(m.content, str) and repair_message(record, m, repair)]


def around(
    text: str, start: int, end: int, width: int = 30, limit: int = 100, render: Callable[[str], str] | None = None
) -> str:
    """A one-line excerpt of `text` around `start:end`, with `…` where it is cut; `render` rewrites the cut
    (to make invisible characters visible) before whitespace is collapsed."""
    a, b = max(0, start - width), min(len(text), end + width)
    cut = text[a:b] if render is None else render(text[a:b])
    return excerpt(("…" if a else "") + cut + ("…" if b < len(text) else ""), limit)


def masked_excerpt(text: str, hits: Sequence[tuple[int, int, str]], after: int = 30) -> str:
    """A one-line excerpt around the first of `hits` (start, end, mask; in text order), with each hit in it
    replaced by its mask, so a secret or a person's details never reach a report. The excerpt reaches `after`
    characters past the last hit it shows (overlapping hits are masked once)."""
    start, end, _ = hits[0]
    a, b = max(0, start - 30), end + after
    parts = []
    pos = a
    for hs, he, mask in hits:
        if hs >= b:
            break
        if he <= pos:
            continue
        parts.append(text[pos:hs] if hs > pos else "")
        parts.append(mask)
        pos = he
        b = max(b, he + after)
    parts.append(text[pos:b])
    return excerpt(("…" if a else "") + "".join(parts) + ("…" if b < len(text) else ""), 100)


def excerpt(text: Any, limit: int = 80) -> str:
    """A one-line, bounded excerpt of a value for terminal output."""
    s = text if isinstance(text, str) else repr(text)
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"
