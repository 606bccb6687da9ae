from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import Field

from dslint.records import Finding, Fix, Location, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions
from dslint.text.content import content_key

Indices = npt.NDArray[np.intp]


# -- per-record columns, shared by the duplicate rules ------------------------------------------------------


@dataclass(slots=True)
class Part:
    """The records of one run of the same file and split, in row order: rows and lines (-1 for none), the rule's
    own columns, and for each record the index of its field path in `fields` (rules that point at a field)."""

    path: str
    split: str | None
    rows: array[int]
    lines: array[int]
    columns: list[array[int]]
    field_ids: array[int]
    fields: list[str]


class Table:
    """Per-record columns of a duplicate rule's state, in file and row order (the order the engine merges in).

    A compact store of machine numbers, not Python objects: a record costs 16 bytes of position plus the rule's
    columns (a 16-byte key is two `Q` entries). Records are kept in parts, one per run of file and split, so
    `concat` is a concatenation of part lists: associative, O(parts), and the first record in file order is simply
    the first index. `concat` shares the parts of its operands and closes them, so a later `add` to an operand
    starts a new part instead of growing a shared one."""

    def __init__(self, typecodes: tuple[str, ...], parts: list[Part] | None = None) -> None:
        self.typecodes = typecodes
        self.parts: list[Part] = parts if parts is not None else []
        self._open: Part | None = None
        self._starts: list[int] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"typecodes": self.typecodes, "parts": self.parts}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.typecodes, self.parts = state["typecodes"], state["parts"]
        self._open, self._starts = None, None

    def add(self, location: Location) -> Part:
        """Append a record's position; the part to append its columns to."""
        part = self._open
        if part is None or part.path != location.path or part.split != location.split:
            part = Part(
                location.path,
                location.split,
                array("q"),
                array("q"),
                [array(code) for code in self.typecodes],
                array("H"),
                [],
            )
            self.parts.append(part)
            self._open = part
            self._starts = None
        part.rows.append(-1 if location.row is None else location.row)
        part.lines.append(-1 if location.line is None else location.line)
        return part

    @staticmethod
    def field_id(part: Part, path: str) -> int:
        """The index of a field path in the part's list (added when new)."""
        fields = part.fields
        try:
            return fields.index(path)
        except ValueError:
            fields.append(path)
            return len(fields) - 1

    @classmethod
    def concat(cls, a: Table, b: Table) -> Table:
        """`a`'s records, then `b`'s."""
        a._open = b._open = None
        return cls(a.typecodes, a.parts + b.parts)

    def __len__(self) -> int:
        return sum(len(p.rows) for p in self.parts)

    def column(self, index: int, dtype: type[np.generic], width: int = 1, view: bool = False) -> npt.NDArray[Any]:
        """One of the rule's columns for every record, as an (n, width) array (n with width 1). With `view` and
        a single part, a read-only view instead of a copy: drop it before the table grows again (an array that
        exports its buffer cannot be resized)."""
        chunks = [np.frombuffer(p.columns[index], dtype=dtype) for p in self.parts]
        if view and len(chunks) == 1:
            values = chunks[0]
        elif chunks:
            values = np.concatenate(chunks)
        else:
            values = np.empty(0, dtype=dtype)
        return values if width == 1 else values.reshape(-1, width)

    def split_ids(self) -> tuple[npt.NDArray[np.int64], list[str | None]]:
        """Each record's split as an index into the list of splits (in order of appearance)."""
        names: list[str | None] = []
        ids = []
        for p in self.parts:
            if p.split not in names:
                names.append(p.split)
            ids.append(np.full(len(p.rows), names.index(p.split), dtype=np.int64))
        return (np.concatenate(ids) if ids else np.empty(0, dtype=np.int64)), names

    def location(self, i: int, with_field: bool = False) -> Location:
        """Where record `i` (in file order) is; with its field path when the rule stored one."""
        if self._starts is None:
            starts, n = [], 0
            for p in self.parts:
                starts.append(n)
                n += len(p.rows)
            self._starts = starts
        k = bisect.bisect_right(self._starts, i) - 1
        part = self.parts[k]
        j = i - self._starts[k]
        row, line = part.rows[j], part.lines[j]
        fld = part.fields[part.field_ids[j]] if with_field and len(part.field_ids) > j else None
        return Location(part.path, None if row < 0 else row, None if line < 0 else line, part.split, fld)

    def compact(self) -> list[tuple[Any, ...]]:
        """The content with adjacent parts of the same file and split joined: equal for equal records, however
        they were split into parts and merged."""
        out: list[tuple[Any, ...]] = []
        for p in self.parts:
            fields = [p.fields[i] for i in p.field_ids]
            if out and out[-1][0] == p.path and out[-1][1] == p.split:
                _, _, rows, lines, columns, names = out[-1]
                rows.extend(p.rows)
                lines.extend(p.lines)
                for mine, theirs in zip(columns, p.columns, strict=True):
                    mine.extend(theirs)
                names.extend(fields)
            else:
                out.append(
                    (
                        p.path,
                        p.split,
                        array("q", p.rows),
                        array("q", p.lines),
                        [array(c.typecode, c) for c in p.columns],
                        fields,
                    )
                )
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table) and self.compact() == other.compact()

    __hash__ = None  # type: ignore[assignment]


def key_groups(*keys: npt.NDArray[Any]) -> tuple[Indices, Indices]:
    """Group record indices by equal keys (one value per record in each key array): `(order, bounds)`, where
    `order[bounds[g]:bounds[g + 1]]` are the records of group `g`, in file order (the sort is stable)."""
    n = len(keys[0])
    if not n:
        return np.empty(0, dtype=np.intp), np.zeros(1, dtype=np.intp)
    order = np.lexsort(keys[::-1])
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for key in keys:
        k = key[order]
        change[1:] |= k[1:] != k[:-1]
    return order, np.append(np.flatnonzero(change), n)


def place(location: Location, relative_to: str) -> str:
    """`line 12` (or `row 11`) in the same file, else `path:12`."""
    if location.path != relative_to:
        return location.short()
    return f"line {location.line}" if location.line is not None else f"row {location.row}"


def listing(places: Sequence[str], total: int) -> str:
    """A bounded list of places: `line 3, line 9 and 4 more`."""
    more = total - len(places)
    return ", ".join(places) + (f" and {more} more" if more > 0 else "")


# -- the rule ----------------------------------------------------------------------------------------------


@dataclass
class ExactState:
    """Per record (in file order): its position and its 16-byte content key. The groups of copies are worked out
    once, when first needed (`finalize`, `drop`), and kept."""

    table: Table = field(default_factory=lambda: Table(("Q",)))
    groups: dict[tuple[int, bytes], int] | None = field(default=None, compare=False, repr=False)
    split_names: list[str | None] = field(default_factory=list, compare=False, repr=False)


class ExactDuplicateOptions(RuleOptions):
    max_listed: int = Field(
        5, ge=1, description="Copies listed by place in a finding (the first ones, the reported one included)."
    )


class ExactDuplicate(DatasetRule[ExactState]):
    """The same record more than once (whitespace, case, ids and metadata aside).

    **What it does**: hashes each record's content (its messages' roles and texts with whitespace runs collapsed
    and case folded, plus tool definitions, tool calls and a classification label; not ids or metadata) to a
    16-byte xxh3_128 key, and groups records with equal keys within each split (a copy in another split is
    leakage, reported by the leakage rules). One finding per group, at the first copy (the second occurrence),
    with the number of copies, where the first occurrence is and where the other copies are (`max-listed`).
    State: like any exact deduplication it grows with the data: 32 bytes per record (its key, row and line, in
    flat arrays), about 6.4 MB for 200,000 records; a dict entry per distinct record would cost ~230 bytes, and
    merging the arrays of several processes is a concatenation that keeps the first occurrence first.

    **Why it matters**: a repeated example is trained on several times per epoch: it is over-weighted, the model
    memorises it, and an evaluation that samples from the same data overestimates quality.

    **Example**: `{"messages": [{"role": "user", "content": "Hi"}, ...]}` on lines 4 and 97, the second with an
    `id` field and a trailing space: line 97 is reported as a copy of line 4.

    **Fix**: keep the first occurrence and drop the copies; the safe fix (`dslint clean`) does exactly that.
    """

    code = "D001"
    name = "exact-duplicate"
    default_severity = Severity.WARNING
    fix_applicability = Fix.SAFE
    Options = ExactDuplicateOptions
    options: ExactDuplicateOptions

    def new_state(self) -> ExactState:
        return ExactState()

    def update(self, state: ExactState, record: Record) -> ExactState:
        key = content_key(record)
        if key is not None:
            state.table.add(record.location).columns[0].frombytes(key)
        return state

    def merge(self, a: ExactState, b: ExactState) -> ExactState:
        return ExactState(Table.concat(a.table, b.table))

    def _groups(self, state: ExactState) -> list[Indices]:
        """The groups of two or more records with the same key and split, each in file order, in the order of
        their second record."""
        table = state.table
        keys = table.column(0, np.uint64, 2)
        splits, state.split_names = table.split_ids()
        if not len(keys):
            state.groups = {}
            return []
        order, bounds = key_groups(keys[:, 0], keys[:, 1], splits)
        sizes = np.diff(bounds)
        groups = [order[bounds[g] : bounds[g + 1]] for g in np.flatnonzero(sizes > 1)]
        groups.sort(key=lambda members: int(members[1]))
        state.groups = {(int(splits[m[0]]), keys[m[0]].tobytes()): int(m[0]) for m in groups}
        return groups

    def finalize(self, state: ExactState) -> Iterator[Finding]:
        table = state.table
        for members in self._groups(state):
            here = table.location(int(members[1]))
            first = place(table.location(int(members[0])), here.path)
            copies = len(members) - 1
            listed = ["here"] + [
                place(table.location(int(i)), here.path) for i in members[2 : 1 + self.options.max_listed]
            ]
            noun = "copy" if copies == 1 else "copies"
            yield self.finding(
                f"exact duplicate of the record at {first} (ignoring whitespace, case, ids and metadata); "
                f"{copies} {noun} of it: {listing(listed, copies)}",
                here,
            )

    def drop(self, record: Record, state: ExactState) -> str | None:
        """Every copy after the first occurrence."""
        if state.groups is None:
            self._groups(state)
        assert state.groups is not None
        if not state.groups:
            return None
        key = content_key(record)
        split = record.location.split
        if key is None or split not in state.split_names:
            return None
        first = state.groups.get((state.split_names.index(split), key))
        if first is None:
            return None
        loc = state.table.location(first)
        if (loc.path, loc.row, loc.line) == (record.location.path, record.location.row, record.location.line):
            return None
        return f"exact duplicate of the record at {loc.short()}"
