from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator

from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions
from dslint.rules.duplicates.exact_duplicate import Indices, Table, key_groups, listing, place
from dslint.text.content import content_key
from dslint.text.ngrams import signatures, similarity

#: Candidate pairs whose similarity is estimated at once (bounds the finalize's working memory).
PAIR_CHUNK = 1 << 13
#: Share of the pairs at exactly the threshold that the default banding must bring up as candidates.
RECALL_AT_THRESHOLD = 0.9
_C1 = np.uint64(0x9E3779B97F4A7C15)
_C2 = np.uint64(0xD6E8FEB86659FD93)


def default_bands(threshold: float, num_perm: int) -> int:
    """The fewest bands (most rows per band, fewest candidate pairs) among the divisors of `num_perm` that still
    make a pair at exactly `threshold` a candidate with probability >= `RECALL_AT_THRESHOLD`: 1 - (1 - t^r)^b."""
    for rows in range(num_perm, 0, -1):
        if num_perm % rows == 0 and 1 - (1 - threshold**rows) ** (num_perm // rows) >= RECALL_AT_THRESHOLD:
            return num_perm // rows
    return num_perm


class NearDuplicateOptions(RuleOptions):
    threshold: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Estimated Jaccard similarity of word shingles at which two records are near-duplicates.",
    )
    shingle_words: int = Field(5, ge=1, description="Words per shingle; a shorter text is one shingle.")
    num_perm: int = Field(
        128,
        ge=8,
        le=1024,
        description="MinHash permutations (signature length); the state keeps 4 bytes of each per record.",
    )
    num_bands: int | None = Field(
        None,
        ge=1,
        description="LSH bands (must divide num-perm). By default the fewest that still find 90% of the pairs at "
        "exactly the threshold: 16 bands of 8 rows for 0.8 and 128 (95% at 0.8, 99.6% at 0.85, all but 1e-5 at 0.9).",
    )
    max_listed: int = Field(5, ge=1, description="Cluster members listed by place in a finding (the first ones).")

    @model_validator(mode="after")
    def _bands_divide_perms(self) -> NearDuplicateOptions:
        if self.num_bands is not None and self.num_perm % self.num_bands:
            raise ValueError(f"num-bands ({self.num_bands}) must divide num-perm ({self.num_perm})")
        return self

    @property
    def bands(self) -> int:
        return self.num_bands if self.num_bands is not None else default_bands(self.threshold, self.num_perm)


@dataclass
class Clusters:
    """The near-duplicate clusters of distinct contents, worked out once from the signatures.

    `members` lists each cluster's records (one per distinct content: its first occurrence) in file order; the
    first is kept. `second_similarity` is the estimated similarity of the second member to the first, `copies`
    the number of exact copies of the members beyond the members themselves. `drops` maps (split, content key)
    of every member but the first to (cluster, estimated similarity to the first); `groups` maps every member's
    (split, content key) to its cluster's group key."""

    members: list[Indices]
    second_similarity: list[float]
    copies: list[int]
    drops: dict[tuple[int, bytes], tuple[int, float]]
    groups: dict[tuple[int, bytes], str]
    split_names: list[str | None]


@dataclass
class NearState:
    """Per record (in file order): its position, its 16-byte content key (D001's) and its MinHash signature
    (`num-perm` uint32). Merging concatenates; the LSH table is built in `finalize`."""

    table: Table = field(default_factory=lambda: Table(("Q", "I")))
    clusters: Clusters | None = field(default=None, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "clusters"} | {"clusters": None}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NearState):
            return NotImplemented
        return self.table == other.table


class NearDuplicate(DatasetRule[NearState]):
    """Records that are almost the same: the same text with small edits, or filled from one template.

    **What it does**: builds a MinHash signature (rensa R-MinHash, `num-perm` 128, fixed seed) of each record's word
    `shingle-words`-grams (default 5; words are case folded and punctuation ignored, as X002 and X003 read them).
    System turns are left out (a shared system prompt does not make two examples alike); turns are shingled one by
    one, and a turn shorter than a shingle is one shingle, so a short turn that differs changes one shingle, not
    five. In `finalize` it bands the signatures (LSH: `num-bands` bands of `num-perm / num-bands` rows, 16 x 8 by
    default, chosen for the threshold), estimates the similarity of the candidate pairs from the signatures (within
    a bucket, each record against the previous one and the bucket's first), keeps the pairs at or above `threshold`
    (estimated Jaccard similarity, default 0.8) and joins them into clusters (connected components, as union-find
    does: members are linked by such pairs, so two of them can be less alike). Exact copies (same D001 content key)
    count once, as D001 reports them: a cluster is made of distinct contents. Records are compared within their
    split only (across splits it is leakage, X002). One finding per cluster, at its second record, with that
    record's estimated similarity to the first (kept) one, the cluster's size and its members (`max-listed`). State:
    `num-perm` x 4 + 32 bytes per record (544 with the defaults, ~110 MB for 200,000 records), and finalize needs
    about as much again while it clusters.

    **Why it matters**: templated or lightly edited copies over-weight one example as much as exact copies do,
    and make a model memorise the template; a random validation split then holds near-copies of training data.

    **Example**: conversations that differ only in one short question ("Who are you?", "What is your name?")
    before the same templated answer; a 300-word answer copied with two words changed.

    **Fix**: keep one record per cluster. The unsafe fix (`dslint clean --unsafe-fixes`) keeps the first and
    drops the others; unsafe, because a cluster can hold records that differ in a way that matters (a number, a
    negation): review the listed members first.
    """

    code = "D002"
    name = "near-duplicate"
    default_severity = Severity.WARNING
    fix_applicability = Fix.UNSAFE
    Options = NearDuplicateOptions
    options: NearDuplicateOptions

    def new_state(self) -> NearState:
        return NearState()

    def prepare(self, records: Sequence[Record]) -> None:
        """Sign the batch's records together (`ngrams.signatures`, shared with X002): numpy and rensa then pay
        their per-call overhead once per batch."""
        signatures(records, self.options.shingle_words, self.options.num_perm)

    def update(self, state: NearState, record: Record) -> NearState:
        key = content_key(record)
        if key is None:
            return state
        signature = signatures([record], self.options.shingle_words, self.options.num_perm)[0]
        if signature is not None:
            columns = state.table.add(record.location).columns
            columns[0].frombytes(key)
            columns[1].frombytes(signature.tobytes())
        return state

    def merge(self, a: NearState, b: NearState) -> NearState:
        return NearState(Table.concat(a.table, b.table))

    # -- clustering --------------------------------------------------------------------------------------

    def _clusters(self, state: NearState) -> Clusters:
        if state.clusters is not None:
            return state.clusters
        opts = self.options
        table = state.table
        keys = table.column(0, np.uint64, 2)
        sigs = table.column(1, np.uint32, opts.num_perm, view=True)  # released on return
        splits, names = table.split_ids()
        n = len(keys)
        # one record per distinct content (and split): its first occurrence
        order, bounds = key_groups(keys[:, 0], keys[:, 1], splits)
        firsts = np.sort(order[bounds[:-1]])
        group_of = np.empty(n, dtype=np.intp)
        group_of[order] = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
        a, b = self._candidates(sigs, splits, firsts)
        a, b = self._verified(sigs, a, b)
        labels = _components(n, a, b)
        state.clusters = clusters = self._collect(keys, splits, names, firsts, group_of, labels, sigs)
        return clusters

    def _candidates(
        self, sigs: npt.NDArray[np.uint32], splits: npt.NDArray[np.int64], firsts: Indices
    ) -> tuple[Indices, Indices]:
        """Pairs (a < b, record numbers) of distinct contents that share an LSH bucket in some band: each record
        with the previous one in its bucket and with the bucket's first, deduplicated."""
        bands = self.options.bands
        rows = self.options.num_perm // bands
        base = splits[firsts].astype(np.uint64) * _C2
        found: list[npt.NDArray[np.int64]] = []
        n = len(sigs)
        for band in range(bands):
            h = base.copy()
            for col in range(band * rows, (band + 1) * rows):
                h ^= sigs[firsts, col].astype(np.uint64)
                h *= _C1
                h ^= h >> np.uint64(29)
            o = np.argsort(h, kind="stable")
            hs = h[o]
            same = hs[1:] == hs[:-1]
            if not same.any():
                continue
            start = np.concatenate(([True], ~same))
            run_first = np.flatnonzero(start)[np.cumsum(start) - 1]  # for each sorted position, its run's first
            later = np.flatnonzero(same) + 1
            members = firsts[o]
            pairs_a = np.concatenate((members[later - 1], members[run_first[later]]))
            pairs_b = np.concatenate((members[later], members[later]))
            found.append(pairs_a.astype(np.int64) * n + pairs_b)
        if not found:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
        codes = np.unique(np.concatenate(found))
        return (codes // n).astype(np.intp), (codes % n).astype(np.intp)

    def _verified(self, sigs: npt.NDArray[np.uint32], a: Indices, b: Indices) -> tuple[Indices, Indices]:
        """The candidate pairs whose estimated similarity reaches the threshold."""
        need = self.options.threshold * self.options.num_perm - 1e-9
        keep = [
            np.flatnonzero(
                np.count_nonzero(sigs[a[lo : lo + PAIR_CHUNK]] == sigs[b[lo : lo + PAIR_CHUNK]], axis=1) >= need
            )
            + lo
            for lo in range(0, len(a), PAIR_CHUNK)
        ]
        if not keep:
            return a, b
        chosen = np.concatenate(keep)
        return a[chosen], b[chosen]

    def _collect(
        self,
        keys: npt.NDArray[np.uint64],
        splits: npt.NDArray[np.int64],
        names: list[str | None],
        firsts: Indices,
        group_of: Indices,
        labels: Indices,
        sigs: npt.NDArray[np.uint32],
    ) -> Clusters:
        """Clusters of two or more distinct contents, in the order of their second member."""
        order, bounds = key_groups(labels[firsts])
        members = [firsts[order[bounds[g] : bounds[g + 1]]] for g in np.flatnonzero(np.diff(bounds) > 1)]
        members.sort(key=lambda m: int(m[1]))
        sizes = np.bincount(group_of, minlength=int(group_of.max()) + 1) if len(group_of) else np.zeros(0, np.intp)
        second: list[float] = []
        copies: list[int] = []
        drops: dict[tuple[int, bytes], tuple[int, float]] = {}
        groups: dict[tuple[int, bytes], str] = {}
        for c, m in enumerate(members):
            copies.append(int(sizes[group_of[m]].sum()) - len(m))
            ids = [(int(splits[i]), keys[i].tobytes()) for i in m]
            group = min(k for _, k in ids).hex()
            for i, ident in zip(m, ids, strict=True):
                groups[ident] = group
                if i != m[0]:
                    drops[ident] = (c, similarity(sigs[i], sigs[m[0]]))
            second.append(drops[ids[1]][1])
        return Clusters(members, second, copies, drops, groups, names)

    # -- results -----------------------------------------------------------------------------------------

    def finalize(self, state: NearState) -> Iterator[Finding]:
        clusters = self._clusters(state)
        table = state.table
        opts = self.options
        for c, members in enumerate(clusters.members):
            kept = table.location(int(members[0]))
            here = table.location(int(members[1]))
            similar = clusters.second_similarity[c]
            linked = "" if similar >= opts.threshold else " (linked through other members)"
            listed = [place(table.location(int(i)), here.path) for i in members[: opts.max_listed]]
            copies = clusters.copies[c]
            exact = ""
            if copies:
                exact = f"; {copies} more {'is an exact copy' if copies == 1 else 'are exact copies'} of them (D001)"
            yield self.finding(
                f"near-duplicate of the record at {place(kept, here.path)}: estimated similarity {similar:.2f}"
                f"{linked} (Jaccard of word {opts.shingle_words}-grams, threshold {opts.threshold:g}); "
                f"{len(members)} near-duplicate records: {listing(listed, len(members))}{exact}",
                here,
            )

    def _ident(self, record: Record, clusters: Clusters) -> tuple[int, bytes] | None:
        split = record.location.split
        if split not in clusters.split_names:
            return None
        key = content_key(record)
        return None if key is None else (clusters.split_names.index(split), key)

    def drop(self, record: Record, state: NearState) -> str | None:
        """Every member of a cluster but its first record (and the exact copies of those members)."""
        clusters = self._clusters(state)
        if not clusters.drops:
            return None
        ident = self._ident(record, clusters)
        found = clusters.drops.get(ident) if ident is not None else None
        if found is None:
            return None
        c, similar = found
        kept = state.table.location(int(clusters.members[c][0]))
        return f"near-duplicate of the record at {kept.short()} (estimated similarity {similar:.2f})"

    def group(self, record: Record, state: NearState) -> str | None:
        """The cluster a record belongs to (for `--make-validation`: a cluster stays on one side)."""
        clusters = self._clusters(state)
        if not clusters.groups:
            return None
        ident = self._ident(record, clusters)
        return clusters.groups.get(ident) if ident is not None else None


def _components(n: int, a: Indices, b: Indices) -> Indices:
    """Connected components of the pairs: each record's label is the smallest record number in its component
    (the first in file order). Label propagation with pointer jumping, in numpy."""
    labels = np.arange(n)
    if not len(a):
        return labels
    while True:
        low = np.minimum(labels[a], labels[b])
        before = labels.copy()
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        labels = labels[labels]
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(labels, before):
            return labels
