"""The words of a list within a few edits of a word: SymSpell's symmetric-delete search, its index built in numpy.

SymSpell (Wolf Garbe) finds the words within `d` edits of a query (Damerau OSA distance: insertions, deletions,
substitutions and swaps of adjacent characters) through the strings that both reach by deleting at most `d`
characters: a word within `d` edits of the query shares one of them. Deleting within the first `PREFIX` (7)
characters only keeps the index small (SymSpell's prefix length); each candidate is then checked with the full
distance. symspellpy builds that index in Python, ~3 s for its 83k-word English list, which every scan that
reported a typo paid; here each (length, deleted positions) pattern hashes all the words of that length in one
numpy operation (~0.2 s), and the strings are kept as 64-bit hashes in one sorted array (a hash collision only
adds a candidate, which the distance check then drops).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

import numpy as np
import numpy.typing as npt

#: Characters of a word that deletes are taken from (SymSpell's prefix length).
PREFIX = 7
_SEED = np.uint64(0xCBF29CE484222325)
_PRIME = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _hash_rows(chars: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of each row of code points (rows of one length)."""
    h = np.full(len(chars), _SEED, dtype=np.uint64)
    for column in chars.T:
        h ^= column.astype(np.uint64) + np.uint64(1)
        h *= _PRIME
    h ^= h >> np.uint64(30)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(31)
    return h


def _delete_hashes(prefixes: Sequence[str], max_deletes: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]:
    """The hashes of every string made by deleting at most `max_deletes` characters of each prefix (at most
    `PREFIX` characters each), and the number of the prefix each came from."""
    hashes, owners = [], []
    by_length: dict[int, list[int]] = {}
    for number, prefix in enumerate(prefixes):
        by_length.setdefault(len(prefix), []).append(number)
    for length, numbers in by_length.items():
        chars = np.frombuffer("".join(prefixes[n] for n in numbers).encode("utf-32-le"), dtype=np.uint32)
        chars = chars.reshape(len(numbers), length)
        ids = np.array(numbers, dtype=np.int32)
        for k in range(min(max_deletes, length) + 1):
            # every way of keeping length - k of the characters, in order: one row of column numbers each
            kept = np.array(
                [[j for j in range(length) if j not in gone] for gone in combinations(range(length), k)], dtype=np.intp
            )
            strings = chars[:, kept].reshape(len(numbers) * len(kept), length - k)  # by prefix, then by pattern
            hashes.append(_hash_rows(strings))
            owners.append(np.repeat(ids, len(kept)))
    if not hashes:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int32)
    return np.concatenate(hashes), np.concatenate(owners)


def osa_distance(a: str, b: str, limit: int) -> int:
    """The optimal-string-alignment distance of `a` and `b` (edits: insert, delete, substitute, swap two adjacent
    characters), or `limit + 1` once it is known to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, before[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)


class NearbyWords:
    """The words of a list, indexed for `within`: the words within up to `max_distance` edits of a word."""

    def __init__(self, words: Iterable[str], max_distance: int) -> None:
        self.words = list(words)
        self.max_distance = max_distance
        hashes, owners = _delete_hashes([w[:PREFIX] for w in self.words], max_distance)
        order = np.argsort(hashes)
        self._hashes, self._owners = hashes[order], owners[order]

    def within(self, word: str, max_distance: int) -> list[tuple[str, int]]:
        """The list's words (other than `word`) within `max_distance` edits of `word`, with their distances,
        in list order."""
        limit = min(max_distance, self.max_distance)
        queries, _ = _delete_hashes([word[:PREFIX]], limit)
        first = np.searchsorted(self._hashes, queries, side="left")
        last = np.searchsorted(self._hashes, queries, side="right")
        candidates = np.unique(np.concatenate([self._owners[a:b] for a, b in zip(first, last, strict=True)]))
        out = []
        for number in candidates.tolist():
            other = self.words[number]
            if other != word and (distance := osa_distance(word, other, limit)) <= limit:
                out.append((other, distance))
        return out
