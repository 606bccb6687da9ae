r"""Term lexicons: groups of words and phrases, matched as whole words in text (B002 identity-term-skew).

A lexicon is a TOML file (the shipped one is `rules/lexicons/identity-terms.toml`; its header documents the
format): groups of terms under axes, paired groups, word swaps for counterfactual copies and phrases to ignore.

Matching reads the words of `dslint.text.ngrams` (case folded; runs of letters, digits and `_`), so apostrophes
(curly ones too), hyphens and punctuation separate words, and a word with a digit glued to it ("2men") is not
the word. Terms are split the same way, so "non-binary" matches "non binary" and "Non-Binary". Words are
compared by their 64-bit hashes, which the duplicate and leakage rules compute for each record anyway (in numpy,
a batch at a time). A term is found by its first word (a dict keyed by first words); multi-word terms are tried
longest first, left to right, and the words a match covers are not matched again.

Only the words that may start a term take a Python step: one walk (`_walk`) takes the candidate positions, each
with its window (the hashes of its word and the following ones, as many as the longest term has, cut at the end
of its turn), and matches them in order, checking each candidate exactly. Its candidates come from:
- `Lexicon.spots(words)`, for a batch of records in one numpy pass: a bitmap indexed by the low bits of a hash
  marks the first words of terms; a word that starts only longer terms ("in" of "in a wheelchair") is kept only
  if a second bitmap, of the first two words of terms, holds it and the next word. Few other words pass (a slot
  shared by chance). Only the candidates and their windows become Python ints; a window is padded past its
  turn's end with a filler hash that no word of a term has, so a match never runs across turns.
  `Lexicon.matches(spots)` walks them. B002 finds the spots of each batch in its `prepare`.
- `Lexicon.count_words(hashes)` (and `count(text)`), for one list of hashes: `isdisjoint` skips a text without
  a term, then `compress` over `dict.__contains__` finds the first words of terms in C; a word's window is the
  list from it on.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from dslint.packs import load_pack
from dslint.text import ngrams

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


#: The shipped identity-term lexicon, by its path under the packs folder.
IDENTITY_TERMS = "lexicons/identity-terms.toml"


def words(text: str) -> list[str]:
    """The words of `text`, as the lexicon matches them: `dslint.text.ngrams.words` (case folded; runs of
    letters, digits and `_`; punctuation, curly quotes and dashes included, separates them)."""
    return ngrams.words(text)


#: One term after its first word: the hashes of its remaining words and the groups it counts for (none: an
#: ignored phrase).
Entry = tuple[tuple[int, ...], tuple[str, ...]]
#: The words of a record that may start a term: their positions (in the record's words, ascending) and their
#: windows, end to end: for each, the hashes of the words from it on, `Lexicon.width` of them (padded with
#: `Lexicon.filler` past the end of its turn). Two lists a record, whatever its number of candidates: objects
#: that outlive a batch cost the garbage collector.
Spots = tuple[list[int], list[int]]
#: A match: the position of its first word and the groups it counts for (none: an ignored phrase).
Match = tuple[int, tuple[str, ...]]

#: Bits of a hash that index the bitmaps of `Lexicon` (2**18 entries, 256 KiB each): with the shipped lexicon's
#: 422 first words, about one word in 600 that starts no term passes the first (the walk checks it exactly).
FILTER_BITS = 18
_FILTER_MASK = np.uint64((1 << FILTER_BITS) - 1)
_SHIFT = np.uint64(32)


def _slots(hashes: ngrams.Hashes) -> npt.NDArray[np.intp]:
    """The slot of each hash in a bitmap: its low bits."""
    return (hashes & _FILTER_MASK).astype(np.intp)


def _pair_slots(first: ngrams.Hashes, second: ngrams.Hashes) -> npt.NDArray[np.intp]:
    """The slot of each pair of words in a bitmap: the low bits of the first's hash, mixed with other bits of
    the second's."""
    return _slots(first ^ (second >> _SHIFT))


class LexiconError(ValueError):
    """A lexicon file that does not have the expected shape."""


@dataclass(frozen=True)
class Lexicon:
    """Groups of terms, ready to match. `groups` maps each group to its axis, in file order; `pairs` names the
    paired groups; `swaps[pair]` holds the word swaps of a pair as two dicts, (first -> second, second -> first);
    `index` maps the hash of each term's first word to its terms (`Entry`), longest first.

    Worked out from `index`, for `spots`: `width`, the words of the longest term; `filler`, a hash that no word
    of a term has after its first (it pads windows past a turn's end); three bitmaps, indexed by `FILTER_BITS`
    bits of a hash (false positives possible, false negatives not): `firsts` marks the first words of terms,
    `singles` those of one-word terms, `openings` the first two words of longer terms (a pair's slot).
    """

    groups: dict[str, str]
    pairs: dict[str, tuple[str, str]]
    swaps: dict[str, tuple[dict[str, str], dict[str, str]]]
    index: dict[int, tuple[Entry, ...]]
    width: int = field(init=False, repr=False, compare=False)
    filler: int = field(init=False, repr=False, compare=False)
    firsts: npt.NDArray[np.bool_] = field(init=False, repr=False, compare=False)
    singles: npt.NDArray[np.bool_] = field(init=False, repr=False, compare=False)
    openings: npt.NDArray[np.bool_] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rests = [rest for entries in self.index.values() for rest, _ in entries]
        later = {word for rest in rests for word in rest}
        filler = 0
        while filler in later:
            filler += 1
        singles = [first for first, entries in self.index.items() if any(not rest for rest, _ in entries)]
        pairs = [(first, rest[0]) for first, entries in self.index.items() for rest, _ in entries if rest]
        maps = {"firsts": list(self.index), "singles": singles}
        for name, words in maps.items():
            bitmap = np.zeros(1 << FILTER_BITS, dtype=bool)
            bitmap[_slots(np.array(words, dtype=np.uint64))] = True
            object.__setattr__(self, name, bitmap)
        openings = np.zeros(1 << FILTER_BITS, dtype=bool)
        if pairs:
            first, second = np.array(pairs, dtype=np.uint64).T
            openings[_pair_slots(first, second)] = True
        object.__setattr__(self, "openings", openings)
        object.__setattr__(self, "width", 1 + max(map(len, rests), default=0))
        object.__setattr__(self, "filler", filler)

    def count(self, text: str) -> dict[str, int]:
        """Mentions of each group in `text` (groups not mentioned are absent)."""
        return self.count_words(ngrams.text_word_hashes(text).tolist())

    def count_words(self, hashes: list[int]) -> dict[str, int]:
        """Mentions of each group among some words, given by their hashes (`dslint.text.ngrams`): each term is
        found by its first word, longest term first, left to right; the words a match covers are not matched
        again."""
        index = self.index
        if index.keys().isdisjoint(hashes):
            return {}
        # the positions of words that start a term, found in C; a Python step only for those
        positions = list(compress(range(len(hashes)), map(index.__contains__, hashes)))
        return tally(_walk(positions, positions, hashes, index))

    def spots(self, words: Sequence[ngrams.Words]) -> list[Spots]:
        """The `Spots` of each of some records' words, in one numpy pass over all their hashes."""
        # where each record's words start, and where each turn ends (all the records' turns, end to end)
        starts, ends = [0], []
        for w in words:
            start = starts[-1]
            ends += [start + i for i in w.turn_starts[1:]]
            starts.append(start + len(w.hashes))
            ends.append(starts[-1])
        hashes = np.concatenate([w.hashes for w in words]) if words else np.zeros(0, dtype=np.uint64)
        found = np.flatnonzero(self.firsts[_slots(hashes)])
        # each candidate's turn ends at the first turn end past it
        turn_ends = np.array(ends, dtype=np.intp)
        turn_end = turn_ends[np.searchsorted(turn_ends, found, side="right")]
        at = found[:, None] + np.arange(self.width)
        windows = np.where(at < turn_end[:, None], hashes[np.minimum(at, len(hashes) - 1)], np.uint64(self.filler))
        if self.width > 1:  # a word that starts only longer terms ("in a wheelchair") must be followed by one
            keep = self.singles[_slots(windows[:, 0])] | self.openings[_pair_slots(windows[:, 0], windows[:, 1])]
            found, windows = found[keep], windows[keep]
        cuts = np.searchsorted(found, starts)
        # each record's positions count from its first word
        positions = (found - np.repeat(starts[:-1], np.diff(cuts))).tolist()
        flat = windows.ravel().tolist()
        width = self.width
        return [(positions[lo:hi], flat[lo * width : hi * width]) for lo, hi in pairwise(cuts.tolist())]

    def matches(self, spots: Spots) -> list[Match]:
        """The terms found at some `Spots`, left to right."""
        positions, windows = spots
        return _walk(positions, range(0, len(windows), self.width), windows, self.index)


def tally(matches: list[Match]) -> dict[str, int]:
    """Mentions of each group among some matches."""
    found: dict[str, int] = {}
    for _, groups in matches:
        for group in groups:
            found[group] = found.get(group, 0) + 1
    return found


def _walk(
    positions: list[int], at: Iterable[int], tokens: list[int], index: dict[int, tuple[Entry, ...]]
) -> list[Match]:
    """The matches among some candidate positions (ascending), each with where its window starts in `tokens`
    (the hashes of its word and the following ones, as many as the longest term, or fewer or padded past the
    end of its turn): left to right, the longest term first, skipping the candidates that a match covers or
    whose word starts no term."""
    out: list[Match] = []
    covered = -1
    get = index.get
    for i, j in zip(positions, at, strict=True):
        if i <= covered:
            continue
        entries = get(tokens[j])
        if entries is None:
            continue
        for rest, groups in entries:
            k = len(rest)
            if k == 0 or tuple(tokens[j + 1 : j + 1 + k]) == rest:
                out.append((i, groups))
                covered = i + k
                break
    return out


def build(data: dict[str, Any], where: str = "lexicon") -> Lexicon:
    """A Lexicon from a parsed lexicon file."""
    axes = data.get("axes")
    if not isinstance(axes, dict) or not axes:
        raise LexiconError(f"{where}: no [axes.<axis>] tables of groups")
    groups: dict[str, str] = {}
    terms: dict[tuple[str, ...], list[str]] = {}
    for axis, table in axes.items():
        if not isinstance(table, dict):
            raise LexiconError(f"{where}: axes.{axis} must be a table of groups")
        for group, group_terms in table.items():
            if group in groups:
                raise LexiconError(f"{where}: group {group!r} is defined twice")
            if not isinstance(group_terms, list) or not all(isinstance(t, str) for t in group_terms):
                raise LexiconError(f"{where}: axes.{axis}.{group} must be a list of strings")
            groups[group] = axis
            for term in group_terms:
                key = tuple(words(term))
                if not key:
                    raise LexiconError(f"{where}: term {term!r} of {group} has no letters")
                owners = terms.setdefault(key, [])
                if group not in owners:
                    owners.append(group)
    for term in data.get("ignore", {}).get("phrases", []):
        terms.setdefault(tuple(words(term)), [])
    pairs: dict[str, tuple[str, str]] = {}
    for name, pair in data.get("pairs", {}).items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(g in groups for g in pair)):
            raise LexiconError(f"{where}: pairs.{name} must name two groups")
        pairs[name] = (pair[0], pair[1])
    swaps: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for name, table in data.get("swap", {}).items():
        if name not in pairs:
            raise LexiconError(f"{where}: swap.{name} is not one of the pairs")
        both, back = table.get("pairs", []), table.get("second-only", [])
        for part, items in (("pairs", both), ("second-only", back)):
            if not isinstance(items, list) or not all(isinstance(p, list) and len(p) == 2 for p in items):
                raise LexiconError(f"{where}: swap.{name}.{part} must be a list of [word, word] pairs")
        forward = {a.lower(): b.lower() for a, b in both}
        backward = {b.lower(): a.lower() for a, b in both}
        backward.update((a.lower(), b.lower()) for a, b in back)
        swaps[name] = (forward, backward)
    index: dict[int, list[Entry]] = {}
    for key, owners in terms.items():
        first, *rest = ngrams.word_hashes(list(key))
        index.setdefault(first, []).append((tuple(rest), tuple(owners)))
    ordered = {first: tuple(sorted(entries, key=lambda e: -len(e[0]))) for first, entries in index.items()}
    return Lexicon(groups, pairs, swaps, ordered)


@functools.cache
def load_lexicon(path: str | None = None) -> Lexicon:
    """A lexicon file (default: the shipped identity terms), parsed and indexed once per process."""
    if path is None:
        return build(load_pack(IDENTITY_TERMS), IDENTITY_TERMS)
    try:
        with Path(path).open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LexiconError(f"{path}: cannot read the lexicon ({exc})") from None
    return build(data, path)
