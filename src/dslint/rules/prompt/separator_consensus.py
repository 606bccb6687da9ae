"""P001 inconsistent-separator, and the trailing-marker machinery P002 and P003 share.

A prompt's *trailing marker* is the run at its end made of whitespace and marker chunks: symbol runs such as
`###`, `->`, `=>`, `:` or `-->`, and marker words such as `END`, `STOP`, `[END]`, `</s>` or `<|endoftext|>`.
A sentence's own closing punctuation (a final `.`, `?` or `!`, quotes, brackets) is not part of it, nor is a
symbol glued to a word that is not a separator (`C#`, `Li+`, `**bold**`): `"It rained.\\n\\n###\\n"` has the marker
`"\\n\\n###\\n"`, `"Sentiment:"` has `":"`, `"Q: 2 + 2 ->"` has `" ->"`; see `marker_start`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from pydantic import Field

from dslint.records import Finding, Fix, Location, Message, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions, set_text

#: Only this many characters at the end of a text are read for its marker (a longer marker is pathological).
TAIL = 512
#: Markers longer than this are counted under a shortened key ("…" + their end) and never used as a fix.
MAX_KEY = 64
#: Distinct markers kept per dataset; past it, the longest ones are counted together as "other endings".
MAX_MARKERS = 64
#: Locations kept per (file, marker) group, the first by row.
MAX_LOCATIONS = 3

_SPECIAL = r"\[[A-Z][A-Z_]+\]|<\|[A-Za-z0-9_]+\|>|</?s>|<(?:eos|EOS|end|END|sep|SEP|stop|STOP)>"
#: A whitespace-separated chunk made only of separator symbols, or a run of 3+ `$`, `&` or `!`.
_SYMBOL_CHUNK = re.compile(r"[#\-=>|*~:;/\\+<@%^_→⇒]+|([$&!])\1{2,}")
#: A whitespace-separated marker word (stop words are alphanumeric: `END`).
_WORD_CHUNK = re.compile(rf"(?:END|STOP|EOS|EOT|{_SPECIAL})+")
#: Marker pieces that may be glued to the last word (`Answer:`, `text->`, `done</s>`), but not `C#`, `Li+`, `**`.
_ATTACHED = re.compile(rf"(?:#{{2,}}|-+>|=+>|:+|\|+|>{{2,}}|={{2,}}|-{{2,}}|~{{3,}}|\*{{3,}}|→|⇒|{_SPECIAL})+\Z")


def marker_start(text: str) -> int:
    """Where the trailing marker of `text` begins (`len(text)` when there is none; 0 when it is all marker)."""
    lo = max(0, len(text) - TAIL)
    i = len(text)
    while i > lo:
        j = i
        while j > lo and text[j - 1].isspace():
            j -= 1
        if j == lo:
            return lo
        k = j - 1
        while k > lo and not text[k - 1].isspace():
            k -= 1
        chunk = text[k:j]
        if _SYMBOL_CHUNK.fullmatch(chunk) or _WORD_CHUNK.fullmatch(chunk):
            i = k
            continue
        m = _ATTACHED.search(chunk)
        if m is None:
            return j
        if m.start() == 0:  # the whole chunk is glued marker pieces, e.g. "[END]:"
            i = k
            continue
        return k + m.start()
    return lo


def trailing_marker(text: str) -> str:
    """The trailing marker of `text` ("" when there is none)."""
    return text[marker_start(text) :]


def marker_key(marker: str) -> str:
    """The marker as counted: itself, or "…" and its end when it is over MAX_KEY characters."""
    return marker if len(marker) <= MAX_KEY else "…" + marker[-(MAX_KEY - 1) :]


def show(marker: str) -> str:
    """A marker as a JSON string literal, so whitespace is visible: `"\\n\\n###\\n\\n"`."""
    return json.dumps(marker, ensure_ascii=False)


#: Where a record's marker is: (row, line, split, start, end) in its file; ordered by row.
Spot = tuple[int | None, int | None, str | None, int, int]
#: Per (file, marker key): (records, first spots by row).
Group = tuple[int, tuple[Spot, ...]]


def _pos(spot: Spot) -> tuple[bool, int, int]:
    row, line = spot[0], spot[1]
    return (row is None, row or 0, line or 0)


def _first(spots: tuple[Spot, ...]) -> tuple[Spot, ...]:
    return tuple(sorted(spots, key=_pos)[:MAX_LOCATIONS])


@dataclass(slots=True)
class EndingState:
    """The mergeable state of P001/P002: how the dataset's prompts (or completions) end.

    `markers` counts each marker key over the dataset, `groups` per (file, marker) with the first spots, so a
    deviating convention is reported per file with an exact count. `seen` is a bitmask of the candidate
    markers that occur inside some body (so a suggestion can avoid them), `newline` whether some body has a
    line break, `label_like` how many texts are a single short word (a classification set needs no stop).
    At most MAX_MARKERS markers are kept (the shortest, then by text: a rule independent of order, so merging
    stays associative); the records of the others are counted in `overflow`.
    """

    records: int = 0
    markers: dict[str, int] = field(default_factory=dict)
    groups: dict[tuple[str, str], Group] = field(default_factory=dict)
    overflow: int = 0
    overflow_first: tuple[str, Spot] | None = None
    seen: int = 0
    newline: bool = False
    label_like: int = 0


def _keep_order(key: str) -> tuple[int, str]:
    return (len(key), key)


def _trim(state: EndingState) -> None:
    if len(state.markers) <= MAX_MARKERS:
        return
    kept = set(sorted(state.markers, key=_keep_order)[:MAX_MARKERS])
    for key in [k for k in state.markers if k not in kept]:
        del state.markers[key]
    for gk in [gk for gk in state.groups if gk[1] not in kept]:
        count, spots = state.groups.pop(gk)
        state.overflow += count
        first = (gk[0], spots[0])
        if state.overflow_first is None or _where(first) < _where(state.overflow_first):
            state.overflow_first = first


def _where(item: tuple[str, Spot]) -> tuple[str, tuple[bool, int, int]]:
    return (item[0], _pos(item[1]))


class ConsensusOptions(RuleOptions):
    min_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="The share of records the most common marker needs to be the dataset's convention.",
    )


class TrailingConsensus(DatasetRule[EndingState]):
    """Shared body of P001 (prompt separators) and P002 (completion stop sequences)."""

    #: The field whose ending is checked, and the words used in messages.
    field: ClassVar[str]
    noun: ClassVar[str]
    what: ClassVar[str]
    #: Suggestions when there is no convention, in order of preference (the first that occurs in no body).
    candidates: ClassVar[tuple[str, ...]]
    #: Candidates that only suit single-line texts (a "\n" stop sequence).
    single_line: ClassVar[frozenset[str]] = frozenset()
    #: Stay silent about a missing convention when every text is a single short word (classification).
    skip_labels: ClassVar[bool] = False

    Options = ConsensusOptions
    options: ConsensusOptions

    def new_state(self) -> EndingState:
        return EndingState()

    def _message(self, record: Record) -> Message | None:
        if record.format != "prompt-completion":
            return None
        for msg in record.messages:
            if msg.field == self.field:
                return msg
        return None

    def update(self, state: EndingState, record: Record) -> EndingState:
        msg = self._message(record)
        if msg is None:
            return state
        text = msg.content
        if not isinstance(text, str) or not text.strip():
            return state
        start = marker_start(text)
        key = marker_key(text[start:])
        state.records += 1
        markers = state.markers
        markers[key] = markers.get(key, 0) + 1
        loc = record.location
        spot: Spot = (loc.row, loc.line, loc.split, start, len(text))
        gk = (loc.path, key)
        group = state.groups.get(gk)
        if group is None:
            state.groups[gk] = (1, (spot,))
        else:
            count, spots = group
            if len(spots) < MAX_LOCATIONS or _pos(spot) < _pos(spots[-1]):
                spots = _first((*spots, spot))
            state.groups[gk] = (count + 1, spots)
        if len(markers) > MAX_MARKERS:
            _trim(state)
        all_seen = (1 << len(self.candidates)) - 1
        if state.seen != all_seen:
            for i, cand in enumerate(self.candidates):
                if not state.seen >> i & 1 and text.find(cand, 0, start) != -1:
                    state.seen |= 1 << i
        if not state.newline and text.find("\n", 0, start) != -1:
            state.newline = True
        if self.skip_labels:
            body = text[:start].strip()
            if len(body) <= 32 and not any(c.isspace() for c in body):
                state.label_like += 1
        return state

    def merge(self, a: EndingState, b: EndingState) -> EndingState:
        out = EndingState(
            records=a.records + b.records,
            markers=dict(a.markers),
            groups=dict(a.groups),
            overflow=a.overflow + b.overflow,
            overflow_first=a.overflow_first,
            seen=a.seen | b.seen,
            newline=a.newline or b.newline,
            label_like=a.label_like + b.label_like,
        )
        if b.overflow_first is not None and (
            out.overflow_first is None or _where(b.overflow_first) < _where(out.overflow_first)
        ):
            out.overflow_first = b.overflow_first
        for key, count in b.markers.items():
            out.markers[key] = out.markers.get(key, 0) + count
        for gk, (count, spots) in b.groups.items():
            mine = out.groups.get(gk)
            out.groups[gk] = (count, spots) if mine is None else (mine[0] + count, _first((*mine[1], *spots)))
        _trim(out)
        return out

    # -- the convention --------------------------------------------------------------------------------

    def convention(self, state: EndingState) -> tuple[str, int] | None:
        """The dataset's marker and its count, or None when no non-empty marker is a clear majority."""
        if not state.markers:
            return None
        ranked = sorted(state.markers.items(), key=lambda kv: (-kv[1], kv[0]))
        key, count = ranked[0]
        if not key or key.startswith("…"):
            return None
        if len(ranked) > 1 and ranked[1][1] == count:
            return None  # a tie: no convention
        if count < self.options.min_share * state.records:
            return None
        return key, count

    def suggestion(self, state: EndingState) -> str | None:
        for i, cand in enumerate(self.candidates):
            if state.seen >> i & 1:
                continue
            if cand in self.single_line and state.newline:
                continue
            return cand
        return None

    # -- findings --------------------------------------------------------------------------------------

    def _location(self, path: str, spot: Spot) -> Location:
        row, line, split, start, end = spot
        span = (start, end) if end > start else None
        return Location(path, row=row, line=line, split=split, field=self.field, span=span)

    def _ending(self, key: str) -> str:
        return f"without a {self.what}" if not key else f"with {show(key)}"

    def finalize(self, state: EndingState) -> Iterator[Finding]:
        if not state.records:
            return
        conv = self.convention(state)
        if conv is None:
            if self.skip_labels and state.label_like == state.records:
                return
            yield self._no_convention(state)
            return
        major, major_count = conv
        n = state.records
        per_file: dict[str, int] = {}
        for (path, _), (count, _) in state.groups.items():
            per_file[path] = per_file.get(path, 0) + count
        deviating = [(gk, g) for gk, g in state.groups.items() if gk[1] != major]
        deviating.sort(key=lambda item: (item[0][0], _pos(item[1][1][0]), item[0][1]))
        fix = f"end every {self.noun} with {show(major)} (a safe fix: `dslint clean` applies it)"
        found: list[tuple[tuple[str, Spot], str]] = []
        for (path, key), (count, spots) in deviating:
            also = [s[0] for s in spots[1:] if s[0] is not None]
            rows = f" (also row{'s' if len(also) > 1 else ''} {', '.join(map(str, also))})" if also else ""
            plural = self.noun + ("s" if per_file[path] != 1 else "")
            message = (
                f"{count} of {per_file[path]} {plural} in this file end {self._ending(key)}; the dataset's "
                f"{self.what} is {show(major)} ({major_count} of {n} {self.noun}s); first here{rows}"
            )
            found.append(((path, spots[0]), message))
        if state.overflow and state.overflow_first is not None:
            message = (
                f"{state.overflow} more {self.noun}(s) end with one of many other markers (over {MAX_MARKERS} "
                f"distinct endings); the dataset's {self.what} is {show(major)}; first here"
            )
            found.append((state.overflow_first, message))
        found.sort(key=lambda item: _where(item[0]))  # findings in file and row order, as the engine expects
        for (path, spot), message in found:
            yield self.finding(message, self._location(path, spot), fix=fix)

    def _no_convention(self, state: EndingState) -> Finding:
        n = state.records
        ranked = sorted(state.markers.items(), key=lambda kv: (-kv[1], kv[0]))
        parts = [f"{count} end {self._ending(key)}" for key, count in ranked[:3]]
        if len(ranked) > 3 or state.overflow:
            parts.append(f"{n - sum(c for _, c in ranked[:3])} end otherwise")
        suggestion = self.suggestion(state)
        advice = (
            f"e.g. {show(suggestion)}, which occurs in none of them"
            if suggestion is not None
            else f"one that occurs in no {self.noun}"
        )
        message = (
            f"no common {self.what}: of {n} {self.noun}{'s' if n != 1 else ''}, {', '.join(parts)}; end every "
            f"{self.noun} with "
            f"one fixed {self.what}, {advice}"
        )
        firsts = [(gk[0], g[1][0]) for gk, g in state.groups.items()]
        if state.overflow_first is not None:
            firsts.append(state.overflow_first)
        path, spot = min(firsts, key=_where)
        fix = f"end every {self.noun} with {show(suggestion)}" if suggestion is not None else None
        finding = self.finding(message, self._location(path, spot), fix=fix)
        # Only a warning: trainers that append their own end-of-sequence token need no separator or stop.
        finding.severity = min(self.severity, Severity.WARNING)
        return finding

    # -- fix -------------------------------------------------------------------------------------------

    def fix(self, record: Record, state: EndingState) -> list[str]:
        found = self.convention(state)
        if found is None:
            return []
        major = found[0]
        msg = self._message(record)
        if msg is None:
            return []
        text = msg.content
        if not isinstance(text, str) or not text.strip():
            return []
        start = marker_start(text)
        if text[start:] == major:
            return []
        fixed = text[:start] + major
        if trailing_marker(fixed) != major:  # the body would swallow or extend it: leave the record alone
            return []
        set_text(record, msg, fixed)
        return [msg.field]


class SeparatorConsensus(TrailingConsensus):
    """Prompts that do not end with the dataset's common separator, or a dataset without one.

    **What it does**: for legacy prompt/completion records, reads each prompt's trailing marker (the whitespace
    and separator tokens at its end, such as `"\\n\\n###\\n\\n"`, `" ->"` or `"\\n\\n"`, never a sentence's own
    `.` or `?`) and finds the dataset's separator by consensus: the marker that ends more prompts than any
    other, and at least `min-share` (default half) of them. Each file's prompts that end otherwise are
    reported as one finding per file and marker, with the exact count and the first rows. When no separator is
    common (most prompts end with none, or none is a majority), one finding says so and suggests a separator
    that occurs in no prompt (`"\\n\\n###\\n\\n"`, else `"\\n\\n===\\n\\n"`, `"\\n\\n---\\n\\n"`...).
    That finding is a warning: trainers that append their own end-of-sequence token need no separator.

    **Why it matters**: a fine-tuned base model learns where the prompt ends from the separator; at inference
    you append it to tell the model to start its answer. Prompts that end differently teach it two
    conventions, and without one the model may continue the prompt instead of answering (OpenAI's legacy
    fine-tuning guide).

    **Example**: 549 prompts end with `"\\n\\n###\\n\\n"` and 413 from another file with `"\\n\\n###\\n"`.

    **Fix**: end every prompt with the dataset's separator. `dslint clean` does it (safe): it replaces the
    deviating prompt's trailing marker with the common one, and leaves records it cannot fix cleanly alone.
    """

    code = "P001"
    name = "inconsistent-separator"
    default_severity = Severity.ERROR
    fix_applicability = Fix.SAFE

    field = "prompt"
    noun = "prompt"
    what = "separator"
    candidates = ("\n\n###\n\n", "\n\n===\n\n", "\n\n---\n\n", "\n\n===>\n\n", "\n\n--->\n\n")
