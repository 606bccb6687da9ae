r"""Term lexicons: groups of words and phrases, matched as whole words in text (B002 identity-term-skew).

A lexicon is a TOML file (the shipped one is `rules/lexicons/identity-terms.toml`; its header documents the
format): groups of terms under axes, paired groups, word swaps for counterfactual copies and phrases to ignore.

Matching reads the words of `dslint.text.ngrams` (case folded; runs of letters, digits and `_`), so apostrophes
(curly ones too), hyphens and punctuation separate words, and a word with a digit glued to it ("2men") is not
the word. Terms are split the same way, so "non-binary" matches "non binary" and "Non-Binary". Words are
compared by their 64-bit hashes, which the duplicate and leakage rules compute for each record anyway (in numpy,
a batch at a time). A term is found by its first word (a dict keyed by first words); multi-word terms are tried
longest first, left to right, and the words a match covers are not matched again. A C-level `isdisjoint` skips
texts without a term, and only the words that start a term take a Python step.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from itertools import compress
from pathlib import Path
from typing import Any

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


class LexiconError(ValueError):
    """A lexicon file that does not have the expected shape."""


@dataclass(frozen=True)
class Lexicon:
    """Groups of terms, ready to match. `groups` maps each group to its axis, in file order; `pairs` names the
    paired groups; `swaps[pair]` holds the word swaps of a pair as two dicts, (first -> second, second -> first).
    """

    groups: dict[str, str]
    pairs: dict[str, tuple[str, str]]
    swaps: dict[str, tuple[dict[str, str], dict[str, str]]]
    index: dict[int, tuple[Entry, ...]]

    def count(self, text: str) -> dict[str, int]:
        """Mentions of each group in `text` (groups not mentioned are absent)."""
        return self.count_words(ngrams.text_word_hashes(text).tolist())

    def count_words(self, hashes: list[int]) -> dict[str, int]:
        """Mentions of each group among some words, given by their hashes (`dslint.text.ngrams`): each term is
        found by its first word, longest term first, left to right; the words a match covers are not matched
        again."""
        return _count(hashes, self.index)


def _count(tokens: list[int], index: dict[int, tuple[Entry, ...]]) -> dict[str, int]:
    found: dict[str, int] = {}
    if index.keys().isdisjoint(tokens):
        return found
    n = len(tokens)
    covered = -1
    # the positions of words that start a term, found in C; a Python step only for those
    for i in compress(range(n), map(index.__contains__, tokens)):
        if i <= covered:
            continue
        for rest, groups in index[tokens[i]]:
            k = len(rest)
            if k == 0 or (i + k < n and tuple(tokens[i + 1 : i + 1 + k]) == rest):
                for group in groups:
                    found[group] = found.get(group, 0) + 1
                covered = i + k
                break
    return found


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
