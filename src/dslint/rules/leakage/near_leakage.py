from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator

from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import CrossSplitRule, RuleOptions, excerpt
from dslint.rules.leakage.exact_leakage import Where, describe, exact_keys, where_of
from dslint.text.ngrams import Signature, leak_turns, prepare, signatures, similarity

#: Multiplier of the band hashes (odd, so invertible modulo 2**64).
_MIX = np.uint64(0x9E3779B97F4A7C15)
#: Eval signatures put in buckets at once (bounds the memory of building the buckets of a large reference).
BUCKET_CHUNK = 1 << 16
#: Per band, the eval records sorted by their key in that band (a column of record numbers) and those keys:
#: a band's bucket is a run of equal keys.
Buckets = tuple[npt.NDArray[np.intp], npt.NDArray[np.uint64]]


class NearLeakageOptions(RuleOptions):
    threshold: float = Field(
        0.8, gt=0, le=1, description="Estimated Jaccard similarity of word shingles at which a pair is reported."
    )
    shingle_words: int = Field(5, ge=1, description="Words per shingle.")
    min_words: int = Field(5, ge=1, description="Records with fewer words are skipped (X001 covers them).")
    num_perm: int = Field(128, ge=8, le=1024, description="MinHash permutations (signature length).")
    num_bands: int | None = Field(
        None,
        ge=1,
        description="LSH bands (a divisor of num-perm); by default the fewest that find 99% of the pairs at the "
        "threshold.",
    )

    @model_validator(mode="after")
    def _bands_divide_perms(self) -> "NearLeakageOptions":
        if self.num_bands is not None and self.num_perm % self.num_bands:
            raise ValueError(f"num-bands ({self.num_bands}) must divide num-perm ({self.num_perm})")
        return self

    def bands(self) -> int:
        """`num-bands`, or the fewest bands (longest rows, fewest chance candidates) for which a pair at the
        threshold shares a band with probability >= 0.99: 1 - (1 - t^r)^b, b bands of r rows."""
        if self.num_bands is not None:
            return self.num_bands
        t, perms = self.threshold, self.num_perm
        for b in (b for b in range(1, perms + 1) if perms % b == 0):
            if 1 - (1 - t ** (perms // b)) ** b >= 0.99:
                return b
        return perms


@dataclass
class NearIndex:
    """Each eval record's MinHash signature (`num-perm` uint32), location and exact keys (to leave X001's pairs
    to X001), in merge order.

    The LSH buckets (per band, the eval records whose signatures agree on all of the band's rows: `Buckets`) are
    built on first probe, in each process, and are not pickled."""

    signatures: list[Signature] = field(default_factory=list)
    wheres: list[Where] = field(default_factory=list)
    keys: list[tuple[int | None, int | None]] = field(default_factory=list)
    buckets: Buckets | None = field(default=None, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        return {"signatures": self.signatures, "wheres": self.wheres, "keys": self.keys, "buckets": None}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NearIndex):
            return NotImplemented
        return (
            self.wheres == other.wheres
            and self.keys == other.keys
            and len(self.signatures) == len(other.signatures)
            and all(np.array_equal(a, b) for a, b in zip(self.signatures, other.signatures, strict=True))
        )


class NearLeakage(CrossSplitRule[NearIndex]):
    """A train record that is nearly the same as an eval record.

    **What it does**: builds a MinHash signature (rensa, `num-perm` 128) of each eval record's word
    `shingle-words`-grams (default 5; words are case-folded, punctuation ignored, system prompts left out; each turn
    is shingled on its own, and a turn shorter than a shingle is one shingle: D002's signatures) and puts them in
    LSH buckets (by default with the fewest bands that find 99% of the pairs at the threshold). Each train record is
    looked up in them, and the candidates' similarity estimated from the signatures; a train record whose most
    similar eval record reaches `threshold` (estimated Jaccard similarity, default 0.8) is reported, with that eval
    record (`path:line`) and the estimate. Pairs that are exact leaks (same content or same prompt, X001) are left
    to X001; records under `min-words` (default 5) words are skipped.

    **Why it matters**: a reworded, re-punctuated or lightly edited copy of an eval item leaks its answer as
    surely as an exact copy, and exact matching misses it. Such copies come from scraping the same source
    twice, from templated generation, and from augmentation done before the split.

    **Example**: a train record that is a test record with "colour" spelled "color" and one sentence added.

    **Fix**: drop the train record (`dslint clean --unsafe-fixes`); unsafe, since a similarity estimate can be
    wrong near the threshold: review the listed pairs first. Eval splits are never changed.
    """

    code = "X002"
    name = "near-leakage"
    default_severity = Severity.WARNING
    fix_applicability = Fix.UNSAFE
    Options = NearLeakageOptions
    options: NearLeakageOptions

    def new_index(self) -> NearIndex:
        return NearIndex()

    def prepare(self, records: Sequence[Record]) -> None:
        """Sign the batch's records together (`ngrams.signatures`, shared with D002)."""
        signatures(records, self.options.shingle_words, self.options.num_perm)

    def _signatures(self, records: Sequence[Record]) -> list[Signature | None]:
        """Each record's signature; None for a record of fewer than `min-words` words (X001 covers those)."""
        opts = self.options
        found = signatures(records, opts.shingle_words, opts.num_perm)
        return [s if len(w) >= opts.min_words else None for s, w in zip(found, prepare(records), strict=True)]

    def add_reference(self, index: NearIndex, record: Record) -> NearIndex:
        signature = self._signatures([record])[0]
        if signature is not None:
            content, prompt, _ = exact_keys(record)
            index.signatures.append(signature)
            index.wheres.append(where_of(record))
            index.keys.append((content, prompt))
        return index

    def merge(self, a: NearIndex, b: NearIndex) -> NearIndex:
        return NearIndex(a.signatures + b.signatures, a.wheres + b.wheres, a.keys + b.keys)

    def _band_hashes(self, signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        """For each signature (a row), a 64-bit hash of each of its bands (a column): its LSH bucket keys.
        Signatures that agree on a band's rows share that band's key; a 64-bit collision only adds a candidate,
        whose similarity is then estimated like any other."""
        bands = self.options.bands()
        grouped = signatures.reshape(len(signatures), bands, -1)
        keys = np.zeros((len(signatures), bands), dtype=np.uint64)
        for row in range(grouped.shape[2]):
            keys ^= grouped[:, :, row]
            keys *= _MIX
            keys ^= keys >> np.uint64(29)
        return keys

    def _buckets(self, index: NearIndex) -> Buckets:
        """The eval records' LSH buckets (`Buckets`); built on first probe, in each process."""
        if index.buckets is None:
            chunks = range(0, len(index.signatures), BUCKET_CHUNK)
            keys = np.concatenate([self._band_hashes(np.stack(index.signatures[i : i + BUCKET_CHUNK])) for i in chunks])
            order = np.argsort(keys, axis=0)
            index.buckets = order, np.take_along_axis(keys, order, axis=0)
        return index.buckets

    def _matches_many(self, index: NearIndex, records: Sequence[Record]) -> list[list[tuple[float, int]]]:
        """For each record, (estimated similarity, eval record number) of the eval records at or above the
        threshold, the most similar first (then in eval order), X001's pairs left out. The batch's bucket keys
        are worked out in one numpy pass; most records share no bucket with any eval record."""
        out: list[list[tuple[float, int]]] = [[] for _ in records]
        if not index.signatures:
            return out
        signed = [(i, sig) for i, sig in enumerate(self._signatures(records)) if sig is not None]
        if not signed:
            return out
        order, sorted_keys = self._buckets(index)
        keys = self._band_hashes(np.stack([s for _, s in signed]))
        # per band, where each record's key starts and ends among the eval keys: most records share no bucket
        firsts = np.empty(keys.shape, dtype=np.intp)
        lasts = np.empty(keys.shape, dtype=np.intp)
        for band in range(keys.shape[1]):
            firsts[:, band] = np.searchsorted(sorted_keys[:, band], keys[:, band], side="left")
            lasts[:, band] = np.searchsorted(sorted_keys[:, band], keys[:, band], side="right")
        threshold = self.options.threshold
        for row in np.flatnonzero((lasts > firsts).any(axis=1)).tolist():
            i, signature = signed[row]
            candidates = {
                k
                for band, (lo, hi) in enumerate(zip(firsts[row].tolist(), lasts[row].tolist(), strict=True))
                for k in order[lo:hi, band].tolist()
            }
            found = []
            for k in candidates:
                estimate = similarity(index.signatures[k], signature)
                if estimate >= threshold:
                    found.append((estimate, k))
            if not found:
                continue
            content, prompt, _ = exact_keys(records[i])
            found = [
                (s, k)
                for s, k in found
                if index.keys[k][0] != content and (prompt is None or index.keys[k][1] != prompt)
            ]
            found.sort(key=lambda m: (-m[0], m[1]))
            out[i] = found
        return out

    def probe_many(self, index: NearIndex, records: Sequence[Record]) -> list[Iterable[Finding]]:
        return [
            self._report(index, r, found) for r, found in zip(records, self._matches_many(index, records), strict=True)
        ]

    def probe(self, index: NearIndex, record: Record) -> Iterable[Finding]:
        return self.probe_many(index, [record])[0]

    def _report(self, index: NearIndex, record: Record, found: list[tuple[float, int]]) -> list[Finding]:
        if not found:
            return []
        estimate, key = found[0]
        message = (
            f"near copy of {describe(index.wheres[key])}: estimated Jaccard similarity {estimate:.2f} of word "
            f"{self.options.shingle_words}-grams (threshold {self.options.threshold:g})"
        )
        if len(found) > 1:
            message += f"; {len(found) - 1} more eval record(s) are above the threshold"
        prompt, response = leak_turns(record)
        shown = excerpt(" ".join(m.content for m in prompt or response))
        return [self.finding(message, record.location, shown)]

    def drop(self, record: Record, index: NearIndex) -> str | None:
        found = self._matches_many(index, [record])[0]
        if not found:
            return None
        estimate, key = found[0]
        return f"near copy of {describe(index.wheres[key])} (estimated similarity {estimate:.2f})"
