import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field

from dslint.records import Finding, Fix, Location, Record, Severity
from dslint.rules.base import CrossSplitRule, RuleOptions
from dslint.rules.leakage.exact_leakage import Where, describe, exact_keys, where_of
from dslint.text.ngrams import Hashes, Words, from_words, ngram_hashes_many, record_words

Owners = npt.NDArray[np.uint32]
_EMPTY_H: Hashes = np.empty(0, dtype=np.uint64)
_EMPTY_O: Owners = np.empty(0, dtype=np.uint32)


@dataclass(eq=False)
class NgramIndex:
    """The eval examples' n-grams: `hashes` (xxh3_64, sorted) with `owners` beside them (the eval example each
    comes from), one entry per (n-gram, example) pair, ordered by (hash, example); so `np.unique(hashes)` is
    the set of eval n-grams and a run of equal hashes lists every example that has it. Per example: its
    location, its number of distinct n-grams, and its exact keys (to leave X001's pairs to X001).

    `add_reference` appends to `pending`; `flush` sorts it in. Merging concatenates (the second operand's
    examples numbered after the first's) and sorts stably, which is exact and associative.

    Probing first tests a train record's n-grams against `bitmap`, one bit per slot of the hash's top bits
    (>= 16 slots per entry, so <= 1/16 false candidates), and binary-searches only the candidates: a binary
    search in a large array costs a cache miss per step. The bitmap is built on first use in each process and is
    not pickled."""

    hashes: Hashes = field(default_factory=lambda: _EMPTY_H)
    owners: Owners = field(default_factory=lambda: _EMPTY_O)
    wheres: list[Where] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    keys: list[tuple[int | None, int | None]] = field(default_factory=list)
    #: Per example: the field its first n-gram starts in (where its finding points).
    fields: list[str | None] = field(default_factory=list)
    pending: list[Hashes] = field(default_factory=list)
    bitmap: npt.NDArray[np.uint8] | None = field(default=None, repr=False)
    shift: int = 64
    usable: tuple[int, Hashes] | None = field(default=None, repr=False)
    #: Which entries (an n-gram of an example) the probes found in train, X001's pairs left out; None until a
    #: probe finds one. It travels back from each scanning process (`notes`) and `finalize` adds them up.
    found: npt.NDArray[np.bool_] | None = field(default=None, repr=False)

    def __getstate__(self) -> dict[str, object]:
        self.flush()
        return {**self.__dict__, "bitmap": None, "usable": None}

    def distinct(self, template_examples: int) -> Hashes:
        """The distinct n-grams, sorted, without those found in `template_examples` or more examples (0: all).
        Kept until the index changes."""
        if self.usable is None or self.usable[0] != template_examples:
            self.flush()
            found, counts = np.unique(self.hashes, return_counts=True)
            if template_examples:
                found = found[counts < template_examples]
            self.usable = (template_examples, found)
        return self.usable[1]

    def flush(self) -> "NgramIndex":
        if self.pending:
            first = len(self.wheres) - len(self.pending)
            numbers = np.arange(first, len(self.wheres), dtype=np.uint32)
            ids = np.repeat(numbers, [len(h) for h in self.pending]).astype(np.uint32)
            self.hashes, self.owners = _sorted(
                np.concatenate([self.hashes, *self.pending]), np.concatenate([self.owners, ids])
            )
            self.pending = []
            self.bitmap = self.usable = self.found = None
        return self

    def candidates(self, query: Hashes) -> npt.NDArray[np.bool_]:
        """Which of `query` may be in the index (no false negatives)."""
        if self.bitmap is None:
            self.flush()
            bits = max(10, (16 * max(1, len(self.hashes)) - 1).bit_length())
            self.shift = 64 - bits
            slots = self.hashes >> np.uint64(self.shift)  # sorted, as the hashes are
            byte = slots >> np.uint64(3)
            bit = np.left_shift(np.uint8(1), (slots & np.uint64(7)).astype(np.uint8))
            bitmap = np.zeros(1 << (bits - 3), dtype=np.uint8)
            if len(slots):
                where, first = np.unique(byte, return_index=True)
                bitmap[where.astype(np.intp)] = np.bitwise_or.reduceat(bit, first)
            self.bitmap = bitmap
        slots = query >> np.uint64(self.shift)
        found = self.bitmap[(slots >> np.uint64(3)).astype(np.intp)] >> (slots & np.uint64(7)).astype(np.uint8)
        return (found & 1).astype(bool)

    @property
    def nbytes(self) -> int:
        """Memory of the n-gram arrays (and of the bitmap, once built)."""
        self.flush()
        extra = 0 if self.bitmap is None else self.bitmap.nbytes
        return int(self.hashes.nbytes + self.owners.nbytes + extra)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NgramIndex):
            return NotImplemented
        self.flush(), other.flush()
        return (
            self.wheres == other.wheres
            and self.sizes == other.sizes
            and self.keys == other.keys
            and self.fields == other.fields
            and np.array_equal(self.hashes, other.hashes)
            and np.array_equal(self.owners, other.owners)
        )


def _present(sorted_hashes: Hashes, query: Hashes) -> npt.NDArray[np.bool_]:
    """Which of `query` are in `sorted_hashes`."""
    if not len(sorted_hashes):
        return np.zeros(len(query), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_hashes, query), len(sorted_hashes) - 1)
    return np.asarray(sorted_hashes[at] == query)


def _sorted(hashes: Hashes, owners: Owners) -> tuple[Hashes, Owners]:
    """Sort by hash, keeping the given order of equal hashes (owners ascending where they came so)."""
    order = np.argsort(hashes, kind="stable")
    return hashes[order], owners[order]


class NgramContaminationOptions(RuleOptions):
    n: int = Field(13, ge=3, le=64, description="Words per n-gram (13: the GPT-3 convention).")
    scope: Literal["prompt", "all"] = Field(
        "prompt",
        description='Which part of an eval example is indexed: "prompt" (its input) or "all" (input and answer, '
        "as GPT-3 did).",
    )
    min_fraction: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Report an eval example when at least this fraction of its n-grams is in the train record "
        "(0: any shared n-gram, the GPT-3 convention)...",
    )
    min_ngrams: int = Field(
        10,
        ge=1,
        description="...or at least this many of them (a long eval example can be contaminated by a small part).",
    )
    template_examples: int = Field(
        3,
        ge=0,
        description="Ignore n-grams found in at least this many eval examples (shared instructions, "
        "boilerplate); 0 keeps all.",
    )
    max_listed: int = Field(3, ge=1, description="Eval examples named per finding (the most contaminated first).")


@dataclass(slots=True)
class _Hit:
    owner: int
    found: int
    first: int  # position of the first shared n-gram in the train record's words
    entries: list[int]  # the index entries (this example's n-grams) found


class NgramContamination(CrossSplitRule[NgramIndex]):
    """An eval example whose word 13-grams appear in a train record (benchmark contamination).

    **What it does**: indexes every word `n`-gram (default 13, on case-folded words: the GPT-3 convention) of each
    eval example's input (`scope = "prompt"`; `"all"` adds its answer), as 64-bit hashes in a sorted uint64 array
    that merges exactly. Each train record's n-grams (all its turns but the system prompt) are looked up in it, a
    batch of records at a time. A train record is reported once, naming the most contaminated eval examples
    (`path:line`) with the fraction of each one's n-grams found in it, when it holds at least `min-fraction`
    (default 5%) or `min-ngrams` (default 10) of an eval example's n-grams; `min-fraction = 0` reports any shared
    n-gram (GPT-3). Then each contaminated eval example is reported at its own place (file, line, and the field its
    input starts in) with the fraction of its n-grams found anywhere in train (PaLM-style; its n-grams can be spread
    over many train records, none of them over the floors), with the same floors. Eval examples shorter than `n`
    words are skipped, n-grams shared by `template-examples` (default 3) or more eval examples are ignored as
    boilerplate, and pairs that are exact leaks are left to X001.

    **Why it matters**: a benchmark question pasted into training data (from a scraped page, a forum, a
    synthetic-data prompt) inflates the score on it without any exact copy of the record. The input is indexed
    by default because worked answers share generic steps (`2 weeks * 7 days/week = 14 days`) across unrelated
    problems, and the floors keep a shared copyright line (1 or 2 of an abstract's 193 13-grams) quiet.

    **Example**: GSM8K train has "Bella bought stamps at the post office. Some of the stamps had a snowflake
    design, some had a truck design..." and test the same problem about Max: 13 of the test question's
    13-grams are in the train record.

    **Fix**: review the pairs; remove or rewrite the train records that contain eval questions (a partial
    overlap is not always contamination, so there is no automatic fix).
    """

    code = "X003"
    name = "ngram-contamination"
    default_severity = Severity.WARNING
    fix_applicability = Fix.NONE
    Options = NgramContaminationOptions
    options: NgramContaminationOptions

    def new_index(self) -> NgramIndex:
        return NgramIndex()

    @functools.cached_property
    def _derived_key(self) -> str:
        """Where a record keeps what `prepare` worked out for this rule's options."""
        return f"X003-ngrams-{self.options.n}"

    def prepare(self, records: Sequence[Record]) -> None:
        """Hash the n-grams of the batch's records in one numpy pass."""
        self._ngrams(records)

    def _ngrams(self, records: Sequence[Record]) -> list[Hashes]:
        """Each record's n-gram hashes (all its words but the system prompt's), kept on the record with the
        `Words` they come from (`ngrams.from_words`); those not kept yet are hashed together."""

        def hash_ngrams(found: list[Words]) -> list[Hashes]:
            hashes, offsets = ngram_hashes_many([words.hashes for words in found], self.options.n)
            return [hashes[lo:hi] for lo, hi in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)]

        return from_words(records, self._derived_key, hash_ngrams)

    def probe_many(self, index: NgramIndex, records: Sequence[Record]) -> list[Iterable[Finding]]:
        """Look all the batch's n-grams up in the index at once; only the records holding one of its n-grams
        are then probed one by one (most hold none)."""
        queries = self._ngrams(records)
        if not index.wheres or not records:
            return [[] for _ in records]
        index.flush()
        every = np.concatenate(queries)
        maybe = np.flatnonzero(index.candidates(every))
        hits = maybe[_present(index.distinct(self.options.template_examples), every[maybe])]
        owners = set(np.searchsorted(np.cumsum([len(q) for q in queries]), hits, "right").tolist())
        return [self.probe(index, record) if i in owners else [] for i, record in enumerate(records)]

    def _query(self, record: Record) -> tuple[Hashes, Words]:
        """The n-gram hashes of all the record's words (its whole text but the system prompt), and its words."""
        return self._ngrams([record])[0], record_words(record)

    def add_reference(self, index: NgramIndex, record: Record) -> NgramIndex:
        n = self.options.n
        query, words = self._query(record)
        if self.options.scope == "prompt":  # the prompt's words are a prefix: so are its n-grams
            query = query[: max(0, words.prompt_words - n + 1)]
        if not len(query):
            return index
        grams = np.unique(query)
        content, prompt, _ = exact_keys(record)
        index.wheres.append(where_of(record))
        index.sizes.append(len(grams))
        index.keys.append((content, prompt))
        index.fields.append(words.field_at(0))
        index.pending.append(grams)
        return index

    def merge(self, a: NgramIndex, b: NgramIndex) -> NgramIndex:
        a.flush(), b.flush()
        hashes, owners = _sorted(
            np.concatenate([a.hashes, b.hashes]),
            np.concatenate([a.owners, (b.owners + np.uint32(len(a.wheres))).astype(np.uint32)]),
        )
        return NgramIndex(hashes, owners, a.wheres + b.wheres, a.sizes + b.sizes, a.keys + b.keys, a.fields + b.fields)

    def _hits(self, index: NgramIndex, record: Record) -> tuple[list[_Hit], Words | None]:
        """The eval examples this train record shares n-grams with (X001's pairs left out), the most
        contaminated first, and the record's words."""
        if not index.wheres:
            return [], None
        index.flush()
        query, words = self._query(record)
        if not len(query):
            return [], words
        maybe = np.flatnonzero(index.candidates(query))
        if not len(maybe):
            return [], words
        # each distinct n-gram once, at its first position in the record
        distinct, first = np.unique(query[maybe], return_index=True)
        left = np.searchsorted(index.hashes, distinct, "left")
        right = np.searchsorted(index.hashes, distinct, "right")
        shared = right - left  # eval examples that have the n-gram
        keep = shared > 0
        if self.options.template_examples:
            keep &= shared < self.options.template_examples
        if not keep.any():
            return [], words
        hits: dict[int, _Hit] = {}
        for pos, lo, hi in zip(maybe[first[keep]].tolist(), left[keep].tolist(), right[keep].tolist(), strict=True):
            for entry, owner in enumerate(index.owners[lo:hi].tolist(), start=lo):
                hit = hits.get(owner)
                if hit is None:
                    hits[owner] = _Hit(owner, 1, pos, [entry])
                else:
                    hit.found += 1
                    hit.first = min(hit.first, pos)
                    hit.entries.append(entry)
        content, prompt, _ = exact_keys(record)
        sizes, keys = index.sizes, index.keys
        hits = {
            owner: h
            for owner, h in hits.items()
            if keys[owner][0] != content and (prompt is None or keys[owner][1] != prompt)
        }
        if hits:  # noted for the eval side (`finalize`), however few this record holds
            if index.found is None:
                index.found = np.zeros(len(index.hashes), dtype=bool)
            index.found[[e for h in hits.values() for e in h.entries]] = True
        floor, least = self.options.min_fraction, self.options.min_ngrams
        found = [h for h in hits.values() if h.found >= least or h.found >= floor * sizes[h.owner]]
        found.sort(key=lambda h: (-h.found / sizes[h.owner], h.owner))
        return found, words

    def probe(self, index: NgramIndex, record: Record) -> Iterator[Finding]:
        hits, words = self._hits(index, record)
        if not hits or words is None:
            return
        n = self.options.n
        what = "input" if self.options.scope == "prompt" else "text"
        parts = []
        for h in hits[: self.options.max_listed]:
            size = index.sizes[h.owner]
            share = f"{h.found} of its {size} {n}-grams, {h.found / size:.1%}"
            parts.append(f"{describe(index.wheres[h.owner])} ({share})")
        top = hits[0]
        message = f"contains {n}-grams of the {what} of {parts[0]}"
        if len(parts) > 1:
            message += "; also of " + ", ".join(parts[1:])
        if len(hits) > len(parts):
            message += f"; and {len(hits) - len(parts)} more eval example(s)"
        location = record.location.at(words.field_at(top.first))
        shown = "…" + words.text(top.first, top.first + n) + "…"
        yield self.finding(message, location, shown)

    def notes(self, index: NgramIndex) -> npt.NDArray[np.bool_] | None:
        """Which index entries this process's probes found in train (`NgramIndex.found`)."""
        return index.found

    def finalize(self, index: NgramIndex, notes: Sequence[npt.NDArray[np.bool_] | None]) -> Iterator[Finding]:
        """Each contaminated eval example, at its own place: the fraction of its n-grams found anywhere in
        train (a train record's finding counts only the n-grams that record holds)."""
        index.flush()
        found = np.zeros(len(index.hashes), dtype=bool)
        for other in notes:
            if other is not None:
                found |= other
        if not found.any():
            return
        counts = np.bincount(index.owners[found], minlength=len(index.wheres)).tolist()
        n, floor, least = self.options.n, self.options.min_fraction, self.options.min_ngrams
        what = "input" if self.options.scope == "prompt" else "text"
        for count, size, where, at in zip(counts, index.sizes, index.wheres, index.fields, strict=True):
            if count and (count >= least or count >= floor * size):
                path, row, line, split = where
                yield self.finding(
                    f"{count} of the {size} {n}-grams of this {split or 'eval'} example's {what} "
                    f"({count / size:.1%}) occur in train records",
                    Location(path, row, line, split, at),
                )
