"""Record text as the near-duplicate, leakage and identity-term rules (D002, X002, X003, B002) see it: word hashes,
hashed word n-grams and MinHash signatures.

- `leak_turns(record)` splits a record into its *prompt* (every non-system turn before the last assistant
  turn: the eval input) and its *response* (the last assistant turn and anything after it). System turns are
  left out everywhere: a system prompt shared by train and eval would make every pair look alike.
- Words are the case-folded text's runs of word characters: ASCII letters, digits and `_`, and any non-ASCII
  character except the common Unicode spaces and punctuation (U+2000-U+207F: General Punctuation such as U+2019 and
  U+2014, Latin-1 symbols such as U+00AB and the no-break space, U+00D7 and U+00F7, CJK punctuation such as U+3001).
  Everything else separates words: `"Hello, World-wide!"` -> `hello`, `world`, `wide` (the GPT-3 contamination
  convention). Each word is hashed to 64 bits and each word n-gram to a 64-bit hash of its words' hashes, all in
  numpy over the UTF-8 bytes, with no Python object per word or n-gram: the rules hash every train record, so this
  is their main cost. An n-gram index is then a sorted uint64 array (8 bytes an n-gram) that merges exactly.
- `prepare(records)` does a batch of records in one numpy pass (a few passes over all their bytes instead of a
  dozen small array operations per record, whose overhead would dominate) and keeps each record's `Words` on
  the record, where `record_words(record)` finds it: D002, X002, X003 and B002 read the same words. Each turn
  is read up to its first 256 KiB (`MAX_TURN_BYTES`).
- `minhash(hashes, num_perm, seed)`: the MinHash signature of a set of 64-bit hashes (rensa), a uint32 array;
  `minhash_many` signs several sets in one call; `similarity(a, b)` estimates the Jaccard similarity of two
  signatures (the share of equal slots). `signatures(records, ...)` signs records as D002 and X002 compare them
  (each turn shingled on its own), once for both rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import rensa

from dslint.records import Message, Record
from dslint.text.content import folded_texts

T = TypeVar("T")

#: Word hashes, n-gram hashes: 64-bit.
Hashes = npt.NDArray[np.uint64]
Indices = npt.NDArray[np.intp]
#: A MinHash signature: `num_perm` uint32 values.
Signature = npt.NDArray[np.uint32]
#: Where each set's hashes start in a flat array, plus the end.
Offsets = npt.NDArray[np.intp]

#: Multipliers of the two polynomial hashes (odd: invertible modulo 2**64): over a word's bytes, over an
#: n-gram's word hashes.
_BYTE_BASE = 0x100000001B3
_WORD_BASE = 0x9E3779B97F4A7C15
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_tables: dict[int, tuple[Hashes, Hashes]] = {}

#: Bytes that belong to words: ASCII letters, digits, `_` and every byte of a non-ASCII character (the few
#: Unicode spaces and punctuation marks listed in the module docstring are cleared separately).
_WORD_BYTE = np.zeros(256, dtype=bool)
for _c in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_":
    _WORD_BYTE[_c] = True
_WORD_BYTE[0x80:] = True
#: Latin-1 characters (second byte after 0xC2) that are letters or digits: ª ² ³ µ ¹ º ¼ ½ ¾.
_LATIN1_WORD = np.zeros(256, dtype=bool)
_LATIN1_WORD[[0xAA, 0xB2, 0xB3, 0xB5, 0xB9, 0xBA, 0xBC, 0xBD, 0xBE]] = True

#: The key under which a record keeps its `Words` (`Record.derived`).
_DERIVED_KEY = "words"
#: Bytes of a turn that are read (the hash tables grow with the bytes of a pass, 16 bytes per byte): a longer
#: turn's words past its first 256 KiB are not hashed.
MAX_TURN_BYTES = 1 << 18
#: Bytes hashed in one numpy pass: a batch holding more is done in several.
MAX_PASS_BYTES = 1 << 20


def _powers(base: int, size: int) -> tuple[Hashes, Hashes]:
    """The powers of `base` and of its inverse modulo 2**64, at least `size` of each (grown by doubling)."""
    found = _tables.get(base)
    if found is None or len(found[0]) < size:
        n = 1 << max(12, (size - 1).bit_length())
        p = np.full(n, base, dtype=np.uint64)
        p[0] = 1
        q = np.full(n, pow(base, -1, 1 << 64), dtype=np.uint64)
        q[0] = 1
        found = _tables[base] = (np.cumprod(p, dtype=np.uint64), np.cumprod(q, dtype=np.uint64))
    return found


def _mix(x: Hashes) -> Hashes:
    """splitmix64's finaliser: spreads a polynomial hash over all 64 bits."""
    x = x ^ (x >> np.uint64(30))
    x *= _MIX1
    x ^= x >> np.uint64(27)
    x *= _MIX2
    x ^= x >> np.uint64(31)
    return x


def _span_hashes(values: Hashes, first: Indices, last: Indices, base: int) -> Hashes:
    """For each span `values[first[i]:last[i]]`: sum of `values[j] * base**(j - first[i])`, mixed."""
    size = len(values)
    powers, inverse = _powers(base, size + 1)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(values * powers[:size], out=prefix[1:])
    out = prefix[last]
    out -= prefix[first]
    out *= inverse[first]
    return _mix(out)


def _word_spans(data: bytes) -> tuple[Indices, Indices]:
    """Where the words of `data` (UTF-8, case folded) start and end."""
    b = np.frombuffer(data, dtype=np.uint8)
    word = np.zeros(len(b) + 2, dtype=bool)  # padded with a non-word byte either side
    np.take(_WORD_BYTE, b, out=word[1:-1])
    if not data.isascii():
        _clear_unicode_separators(b, word[1:-1])
    edges = np.flatnonzero(word[1:] != word[:-1])
    return edges[0::2], edges[1::2]


#: First bytes of the UTF-8 sequences `_clear_unicode_separators` looks at.
_SEPARATOR_LEAD = np.zeros(256, dtype=bool)
_SEPARATOR_LEAD[[0xC2, 0xC3, 0xE2, 0xE3]] = True


def _clear_unicode_separators(b: npt.NDArray[np.uint8], word: npt.NDArray[np.bool_]) -> None:
    """Unmark the bytes of the Unicode spaces and punctuation that separate words (see the module docstring)."""
    at = np.flatnonzero(_SEPARATOR_LEAD[b[:-1]])
    if not len(at):
        return
    lead, second = b[at], b[at + 1]
    # U+2000-U+207F (E2 80 xx, E2 81 xx) and U+3000-U+303F (E3 80 xx): three bytes each
    three = at[((lead == 0xE2) & ((second == 0x80) | (second == 0x81))) | ((lead == 0xE3) & (second == 0x80))]
    if len(three):
        for k in range(3):
            word[np.minimum(three + k, len(word) - 1)] = False
    # U+00A0-U+00BF other than letters and digits (C2 xx), U+00D7 and U+00F7 (C3 97, C3 B7): two bytes each
    latin1 = (lead == 0xC2) & (second >= 0xA0) & (second <= 0xBF) & ~_LATIN1_WORD[second]
    two = at[latin1 | ((lead == 0xC3) & ((second == 0x97) | (second == 0xB7)))]
    if len(two):
        word[two] = False
        word[two + 1] = False


@dataclass(frozen=True, slots=True)
class Words:
    """A record's words (its non-system turns, in order; they never run across turns): their hashes, where each
    is in `data` (the case-folded turns as UTF-8, joined by NUL; `starts` and `ends` count from `offset`, where
    `data` begins in the batch it was split with), the first word of each turn and the turns' fields, roles and
    texts, and how many words its prompt turns hold (a prefix: see `leak_turns`)."""

    hashes: Hashes
    data: bytes
    starts: Indices
    ends: Indices
    offset: int
    turn_starts: tuple[int, ...]
    fields: tuple[str, ...]
    roles: tuple[str, ...]
    turn_texts: tuple[str, ...]
    prompt_words: int

    def __len__(self) -> int:
        return len(self.hashes)

    def field_at(self, position: int) -> str | None:
        """The field the word at `position` comes from."""
        found = None
        for start, field in zip(self.turn_starts, self.fields, strict=True):
            if start > position:
                break
            found = field
        return found

    def text(self, lo: int, hi: int) -> str:
        """Words `lo` to `hi` (exclusive), joined by single spaces."""
        cut, at = self.data.__getitem__, self.offset
        spans = zip(self.starts[lo:hi].tolist(), self.ends[lo:hi].tolist(), strict=True)
        parts = [cut(slice(s - at, e - at)) for s, e in spans]
        return b" ".join(parts).decode("utf-8", "replace")


def words(text: str) -> list[str]:
    """The words of one text: `"Hello, World-wide!"` -> `["hello", "world", "wide"]`."""
    data = text.casefold().encode("utf-8", "surrogatepass")
    starts, ends = _word_spans(data)
    return [data[s:e].decode("utf-8", "replace") for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def _turns(record: Record) -> tuple[list[Message], int]:
    """The record's non-system text turns and how many of them are its prompt."""
    prompt, response = leak_turns(record)
    return prompt + response, len(prompt)


def prepare(records: Sequence[Record]) -> list[Words]:
    """The `Words` of each record: kept on the record, or worked out now for all those not done yet in one
    numpy pass (and kept on them)."""
    out: list[Words | None] = [record.derived.get(_DERIVED_KEY) for record in records]
    todo = [(position, record) for position, record in enumerate(records) if out[position] is None]
    if not todo:
        return out  # type: ignore[return-value]
    turns = [_turns(record) for _, record in todo]
    encoded = []
    for (_, record), (mine, _) in zip(todo, turns, strict=True):
        folded = dict(zip(map(id, record.messages), folded_texts(record), strict=True))
        encoded.append([folded[id(m)][:MAX_TURN_BYTES] for m in mine])
    # passes of at most MAX_PASS_BYTES (one record at least), so the hash tables stay small
    group: list[int] = []
    size = 0
    for i, parts in enumerate(encoded):
        size += sum(map(len, parts)) + len(parts)
        group.append(i)
        if size >= MAX_PASS_BYTES or i == len(encoded) - 1:
            for i_, found in zip(group, _pass([encoded[k] for k in group], [turns[k] for k in group]), strict=True):
                position, record = todo[i_]
                out[position] = record.derived[_DERIVED_KEY] = found
            group, size = [], 0
    return out  # type: ignore[return-value]


def _pass(encoded: list[list[bytes]], turns: list[tuple[list[Message], int]]) -> list[Words]:
    """The `Words` of some records, given their turns' case-folded UTF-8 bytes, in one numpy pass."""
    datas = [b"\x00".join(parts) for parts in encoded]
    joined = b"\x00".join(datas)
    starts, ends = _word_spans(joined)
    values = np.frombuffer(joined, dtype=np.uint8).astype(np.uint64) + np.uint64(1)
    hashes = _span_hashes(values, starts, ends, _BYTE_BASE)
    begins = list(accumulate((len(d) + 1 for d in datas), initial=0))
    cuts = np.searchsorted(starts, begins).tolist()
    # each turn's first word, for all the turns in one search
    turn_begins = [
        begin
        for i, parts in enumerate(encoded)
        if parts  # a record without turns (system prompt only) has no turn to start
        for begin in accumulate((len(p) + 1 for p in parts[:-1]), initial=begins[i])
    ]
    turn_words = np.searchsorted(starts, turn_begins).tolist()
    out = []
    t = 0
    for i, (mine, n_prompt) in enumerate(turns):
        texts = tuple([m.content for m in mine])
        lo, hi = cuts[i], cuts[i + 1]
        turn_starts = tuple([w - lo for w in turn_words[t : t + len(texts)]])
        t += len(texts)
        prompt_words = turn_starts[n_prompt] if n_prompt < len(turn_starts) else hi - lo
        fields, roles = tuple([m.field for m in mine]), tuple([m.role for m in mine])
        out.append(
            Words(
                hashes[lo:hi],
                datas[i],
                starts[lo:hi],
                ends[lo:hi],
                begins[i],
                turn_starts,
                fields,
                roles,
                texts,
                prompt_words,
            )
        )
    return out


def record_words(record: Record) -> Words:
    """The record's `Words` (worked out now unless `prepare` did it for its batch)."""
    return prepare([record])[0]


def from_words(records: Sequence[Record], key: str, work: Callable[[list[Words]], Sequence[T]]) -> list[T]:
    """Something worked out from each record's `Words` (n-grams, a signature), kept on the record under `key`.
    `work` gets the `Words` of all the records that have nothing kept yet, in one call (one numpy or rensa pass
    for a batch)."""
    todo = [record for record in records if key not in record.derived]
    if todo:
        for record, value in zip(todo, work(prepare(todo)), strict=True):
            record.derived[key] = value
    return [record.derived[key] for record in records]


def ngram_hashes_many(word_hashes: Sequence[Hashes], n: int, whole_if_short: bool = False) -> tuple[Hashes, Indices]:
    """The word n-gram hashes of several word sequences in one numpy pass, in order (repeats kept): all of them,
    and offsets such that sequence `i`'s are `hashes[offsets[i]:offsets[i + 1]]`. A sequence of fewer than `n`
    words has none, or with `whole_if_short` one n-gram of all its words (none when it has no word)."""
    sizes = np.fromiter(map(len, word_hashes), dtype=np.intp, count=len(word_hashes))
    begins = np.zeros(len(sizes) + 1, dtype=np.intp)
    np.cumsum(sizes, out=begins[1:])
    counts = np.maximum(sizes - n + 1, 0)
    if whole_if_short:
        counts = np.where((sizes > 0) & (sizes < n), 1, counts)
    offsets = np.zeros(len(sizes) + 1, dtype=np.intp)
    np.cumsum(counts, out=offsets[1:])
    if not offsets[-1]:
        return np.empty(0, dtype=np.uint64), offsets
    values = np.concatenate(word_hashes) if len(word_hashes) > 1 else np.asarray(word_hashes[0], dtype=np.uint64)
    # n-gram j of sequence i starts at word begins[i] + j and ends n words later (or at the sequence's end)
    owner = np.repeat(np.arange(len(sizes)), counts)
    first = (begins[owner] + (np.arange(offsets[-1]) - offsets[owner])).astype(np.intp, copy=False)
    last = np.minimum(first + n, begins[owner + 1])
    return _span_hashes(values, first, last, _WORD_BASE), offsets


def ngram_hashes(word_hashes: Hashes, n: int, whole_if_short: bool = False) -> Hashes:
    """The word n-gram hashes of one word sequence (see `ngram_hashes_many`)."""
    return ngram_hashes_many([word_hashes], n, whole_if_short)[0]


def text_word_hashes(text: str) -> Hashes:
    """The hashes of the words of one text (as a record holding that text as its only turn gets them)."""
    data = text.casefold().encode("utf-8", "surrogatepass")
    starts, ends = _word_spans(data)
    values = np.frombuffer(data, dtype=np.uint8).astype(np.uint64) + np.uint64(1)
    return _span_hashes(values, starts, ends, _BYTE_BASE)


def word_hashes(words: Sequence[str]) -> list[int]:
    """The hash of each of some words (as found in a text; each is case folded)."""
    return text_word_hashes(" ".join(words)).tolist() if words else []


def text_ngram_hashes(text: str, n: int) -> Hashes:
    """The word n-gram hashes of one text (as a record holding that text as its only turn gets them)."""
    return ngram_hashes(text_word_hashes(text), n)


# -- MinHash -----------------------------------------------------------------------------------------------

_FLAT = getattr(rensa.RMinHash, "digest_matrix_from_flat_token_hashes", None)


def minhash(hashes: Hashes, num_perm: int = 128, seed: int = 42) -> Signature:
    """The MinHash signature (rensa's R-MinHash) of a set of 64-bit token hashes: `num_perm` uint32 values.

    Signatures compare only with signatures of the same `num_perm`, `seed` and rensa version."""
    row: Signature = minhash_many(hashes, np.array([0, len(hashes)]), num_perm, seed)[0]
    return row


def minhash_many(hashes: Hashes, offsets: Offsets, num_perm: int = 128, seed: int = 42) -> npt.NDArray[np.uint32]:
    """The signatures of several sets at once (set `i` is `hashes[offsets[i]:offsets[i + 1]]`), one row each."""
    hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
    if len(offsets) < 2:
        return np.empty((0, num_perm), dtype=np.uint32)
    if _FLAT is not None:  # rensa >= 0.5: one call reads the hashes from the buffer
        rows = _FLAT(hashes, np.ascontiguousarray(offsets, dtype=np.uint64), num_perm, seed).to_rows()
    else:  # older rensa: each set's hashes as 8-byte tokens
        raw = hashes.tobytes()
        rows = []
        for lo, hi in pairwise(offsets):
            sketch = rensa.RMinHash(num_perm, seed)
            sketch.update([raw[i : i + 8] for i in range(8 * int(lo), 8 * int(hi), 8)])
            rows.append(sketch.digest())
    return np.array(rows, dtype=np.uint32).reshape(-1, num_perm)


#: The seed of the record signatures (`signatures`) that D002 and X002 share.
SEED = 42


def signatures(records: Sequence[Record], shingle_words: int, num_perm: int) -> list[Signature | None]:
    """Each record's MinHash signature (`num_perm` slots, `SEED`) over the word `shingle_words`-grams of its
    turns, each turn shingled on its own (a turn shorter than a shingle is one shingle); None for a record
    without words. D002 and X002 compare records by these, so a record is signed once for both: the signatures
    are kept on the records, and the batch's unsigned records are signed in one rensa call."""

    def sign(found: list[Words]) -> list[Signature | None]:
        turns: list[Hashes] = []
        per_record = []
        for words in found:
            bounds = [*words.turn_starts, len(words)]
            mine = [words.hashes[a:b] for a, b in pairwise(bounds) if b > a]
            turns.extend(mine)
            per_record.append(len(mine))
        hashes, offsets = ngram_hashes_many(turns, shingle_words, whole_if_short=True)
        first_turn = np.zeros(len(found) + 1, dtype=np.intp)
        np.cumsum(per_record, out=first_turn[1:])
        record_bounds = offsets[first_turn]
        rows = minhash_many(hashes, record_bounds, num_perm, SEED)
        return [row if size else None for size, row in zip(np.diff(record_bounds).tolist(), rows, strict=True)]

    return from_words(records, f"signature-{shingle_words}-{num_perm}", sign)


def similarity(a: Signature, b: Signature) -> float:
    """The estimated Jaccard similarity of the sets behind two signatures: the share of equal slots."""
    return float(np.count_nonzero(a == b)) / len(a)


# -- records -------------------------------------------------------------------------------------------


def leak_turns(record: Record) -> tuple[list[Message], list[Message]]:
    """(prompt turns, response turns) of a record, system turns left out.

    The response is the last assistant turn and any turn after it; the prompt is every other non-system turn
    before it. A record without an assistant turn (plain text, a classification text, a prompt-only eval item)
    is all prompt."""
    turns = [m for m in record.messages if m.role != "system" and isinstance(m.content, str)]
    last = next((i for i in range(len(turns) - 1, -1, -1) if turns[i].role == "assistant"), None)
    if last is None:
        return turns, []
    return turns[:last], turns[last:]


def label_text(record: Record) -> str:
    """A classification record's label as text ("" when it has none): part of its response for exact keys."""
    label = record.label
    if label is None or isinstance(label, (dict, list)):
        return "" if label is None else repr(label)
    return str(label)
