from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import xxhash
from pydantic import Field

from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions, excerpt
from dslint.rules.duplicates.exact_duplicate import Table, key_groups
from dslint.text.content import normalised_texts

#: Counters of the heavy-hitter summary that keeps the text of the most used prompts (Misra-Gries): every prompt
#: used by more than 1/(HEAVY + 1) of the records is in it, whatever the order of the records and merges.
HEAVY = 64
EXCERPT = 60

#: Heavy-hitter summary: prompt key -> (count lower bound, excerpt of the normalised prompt).
Heavy = dict[int, tuple[int, str]]


def first_prompt(record: Record) -> tuple[bytes, str | None]:
    """The record's opening prompt, normalised, and its field: its first run of user turns (a chat's first user
    message, `prompt`, `instruction` + `input`, a classification `text`); b"" when there is none."""
    texts = normalised_texts(record)
    run: list[bytes] = []
    first_field = None
    for msg, text in zip(record.messages, texts, strict=True):
        if msg.role == "user":
            if text:
                run.append(text)
                first_field = first_field or msg.field
        elif run:
            break
    return b"\x1e".join(run), first_field


def _heavy_add(heavy: Heavy, key: int, text: bytes) -> None:
    """Count one use of a prompt (Misra-Gries)."""
    entry = heavy.get(key)
    if entry is not None:
        heavy[key] = (entry[0] + 1, entry[1])
    elif len(heavy) < HEAVY:
        heavy[key] = (1, excerpt(text[: 4 * EXCERPT].decode("utf-8", "replace"), EXCERPT))
    else:  # the new prompt and every counter lose one
        for k, (count, shown) in list(heavy.items()):
            if count > 1:
                heavy[k] = (count - 1, shown)
            else:
                del heavy[k]


def _heavy_merge(a: Heavy, b: Heavy) -> Heavy:
    """Mergeable Misra-Gries: add the counters, then subtract the (HEAVY + 1)-th largest from all."""
    merged = dict(a)
    for k, (count, shown) in b.items():
        mine = merged.get(k)
        merged[k] = (count, shown) if mine is None else (mine[0] + count, mine[1])
    if len(merged) > HEAVY:
        cut = sorted((count for count, _ in merged.values()), reverse=True)[HEAVY]
        merged = {k: (count - cut, shown) for k, (count, shown) in merged.items() if count > cut}
    return merged


@dataclass
class OveruseState:
    """Per record with a prompt (in file order): its position, the prompt's field and an 8-byte key (xxh3_64 of
    its split and normalised opening prompt); plus a bounded summary that keeps the text of the most used
    prompts (for the message; the counts come from the keys)."""

    table: Table = field(default_factory=lambda: Table(("Q",)))
    heavy: Heavy = field(default_factory=dict, compare=False)


class PromptOveruseOptions(RuleOptions):
    max_share: float = Field(
        0.05, gt=0, le=1, description="A prompt used by more than this share of a split's records is reported..."
    )
    min_ratio: float = Field(
        10.0, ge=1, description="...when it is also used at least this many times as often as the median prompt."
    )
    min_records: int = Field(100, ge=1, description="Splits with fewer records with a prompt are not judged.")


class PromptOveruse(DatasetRule[OveruseState]):
    """One prompt opens far more records than any other: a template overused.

    **What it does**: keys each record's opening prompt (a chat's first user turn, or the first run of user
    turns; `prompt`; `instruction` + `input`; a classification `text`), normalised (whitespace collapsed, case
    folded), counts the records per prompt within each split, and reports a prompt that both opens more than
    `max-share` (default 5%) of the split's records and is used at least `min-ratio` (default 10) times as often
    as the median prompt (each distinct prompt counted once), in splits of at least `min-records` (default 100)
    records. The median keeps datasets that sample several answers per prompt by design quiet (every prompt is
    reused alike), and the share keeps a prompt that is merely repeated a few times in a large dataset quiet.
    On FastChat's dummy conversations "What is up?" opens 167 of 500 records (33%) against a median of 8; on
    glaive-toolcall one flight-booking request opens 16 of 300 (5.3%) against a median of 1. One finding per
    such prompt, at its first record and field. State: 24 bytes per record (key, row, line) and a field index,
    plus a 64-entry Misra-Gries summary that keeps the (normalised) text of the most used prompts for the
    message: any prompt used by more than 1/65 of the records is in it, however the data was split between
    processes.

    **Why it matters**: a prompt repeated across a large share of the data is learned as the way conversations
    start; the model over-fits to it, and the variety the dataset seems to have is smaller than its size.

    **Example**: 167 of 500 conversations open with "What is up?", while a typical opening is used 8 times.

    **Fix**: vary the opening prompt (rephrase, sample from several templates), or cut the repeated records down
    to a few.
    """

    code = "D004"
    name = "prompt-overuse"
    default_severity = Severity.INFO
    fix_applicability = Fix.NONE
    Options = PromptOveruseOptions
    options: PromptOveruseOptions

    def new_state(self) -> OveruseState:
        return OveruseState()

    def update(self, state: OveruseState, record: Record) -> OveruseState:
        prompt, prompt_field = first_prompt(record)
        if not prompt or prompt_field is None:
            return state
        split = (record.location.split or "").encode("utf-8", "surrogatepass")
        key = xxhash.xxh3_64_intdigest(split + b"\x1d" + prompt)
        part = state.table.add(record.location)
        part.columns[0].append(key)
        part.field_ids.append(Table.field_id(part, prompt_field))
        _heavy_add(state.heavy, key, prompt)
        return state

    def merge(self, a: OveruseState, b: OveruseState) -> OveruseState:
        return OveruseState(Table.concat(a.table, b.table), _heavy_merge(a.heavy, b.heavy))

    def finalize(self, state: OveruseState) -> Iterator[Finding]:
        opts = self.options
        table = state.table
        keys = table.column(0, np.uint64)
        splits, names = table.split_ids()
        found = []
        for s, split in enumerate(names):
            rows = np.flatnonzero(splits == s)
            n = len(rows)
            if n < opts.min_records:
                continue
            order, bounds = key_groups(keys[rows])
            counts = np.diff(bounds)
            median = float(np.median(counts))
            for g in np.flatnonzero((counts > opts.max_share * n) & (counts >= opts.min_ratio * median)):
                first = int(rows[order[bounds[g]]])
                found.append((first, int(counts[g]), n, median, split))
        found.sort()
        for first, count, n, median, split in found:
            entry = state.heavy.get(int(keys[first]))
            text = f' "{entry[1]}"' if entry is not None else ""
            records = f"{split} records" if split else "records"
            yield self.finding(
                f"the same opening prompt{text} is used by {count} of {n} {records} ({count / n:.1%}), "
                f"{count / median:.0f}x as often as the median prompt ({median:g}); first here",
                table.location(first, with_field=True),
            )
