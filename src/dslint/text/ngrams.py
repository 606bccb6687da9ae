"""Record text as the leakage rules (X001-X003) see it: normalised keys, word tokens, hashed word n-grams.

- `leak_turns(record)` splits a record into its *prompt* (every non-system turn before the last assistant
  turn: the eval input) and its *response* (the last assistant turn and anything after it). System turns are
  left out everywhere: a system prompt shared by train and eval would make every pair look alike.
- `normalise_text` (whitespace collapsed, case folded) is the form exact keys are hashed in (xxh3_128).
- `words` are case-folded word tokens (runs of Unicode letters, digits and `_`; punctuation and whitespace
  separate them), the GPT-3 contamination convention; `ngram_hashes` is xxh3_64 of each word n-gram (its words
  joined by one space), so an n-gram index is a sorted uint64 numpy array (8 bytes an n-gram) that merges
  exactly. `shingles` are the word k-grams as strings, for MinHash.

Tokenising is the costly step (~50 us for a 400-word record), and two rules tokenise the same train record one
after the other, so `record_words` keeps the last result and hands it out again for the same text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xxhash

from dslint.records import Message, Record

WORD = re.compile(r"\w+")

#: A sorted (or not) array of 64-bit n-gram hashes.
Hashes = npt.NDArray[np.uint64]


def normalise_text(text: str) -> str:
    """`text` with runs of whitespace collapsed to one space, stripped, and case folded."""
    return " ".join(text.split()).casefold()


def words(text: str) -> list[str]:
    """The case-folded word tokens of `text`: `"Hello, World-wide!"` -> `["hello", "world", "wide"]`."""
    return WORD.findall(text.casefold())


def _starts(sizes: Iterable[int]) -> list[int]:
    """Where each token starts in `" ".join(tokens)`, given the tokens' sizes, and one past the end (+1)."""
    return list(itertools.accumulate(map((1).__add__, sizes), initial=0))


def ngram_hashes(tokens: Sequence[str], n: int) -> Hashes:
    """xxh3_64 of each word n-gram of `tokens` (its words joined by one space, UTF-8), in text order, duplicates
    kept; empty when there are fewer than `n` tokens.

    The n-grams are hashed as slices of the whole text joined once, not joined one by one (1.6x faster; the
    same bytes, so the same hashes)."""
    count = len(tokens) - n + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    text = " ".join(tokens)
    data = text.encode()
    sizes = map(len, tokens) if len(data) == len(text) else (len(t.encode()) for t in tokens)
    starts = _starts(sizes)
    ends = [s - 1 for s in starts[n:]]
    cuts = map(data.__getitem__, map(slice, starts[:count], ends))
    return np.fromiter(map(xxhash.xxh3_64_intdigest, cuts), dtype=np.uint64, count=count)


def unique_ngram_hashes(tokens: Sequence[str], n: int) -> Hashes:
    """The distinct n-gram hashes of `tokens`, sorted: a document's exact, mergeable n-gram set."""
    return np.unique(ngram_hashes(tokens, n))


def shingles(tokens: Sequence[str], k: int) -> list[str]:
    """The word k-grams of `tokens` joined by spaces; a text shorter than `k` words is one shingle."""
    text = " ".join(tokens)
    if len(tokens) <= k:
        return [text] if tokens else []
    count = len(tokens) - k + 1
    starts = _starts(map(len, tokens))
    return list(map(text.__getitem__, map(slice, starts[:count], [s - 1 for s in starts[k:]])))


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


@dataclass(frozen=True, slots=True)
class Words:
    """A text's word tokens, with where each message's tokens start (`starts[i]` is the first token of
    `fields[i]`), so a token position can be traced back to its field."""

    tokens: list[str]
    starts: tuple[int, ...]
    fields: tuple[str, ...]

    def field_at(self, position: int) -> str | None:
        """The field the token at `position` comes from."""
        found = None
        for start, field in zip(self.starts, self.fields, strict=True):
            if start > position:
                break
            found = field
        return found


_last: tuple[tuple[str, ...], tuple[str, ...], Words] | None = None


def messages_words(turns: Sequence[Message]) -> Words:
    """The word tokens of some turns, in order (tokens never run across turns). The last result is cached:
    X002 and X003 both tokenise each train record."""
    global _last
    texts = tuple(m.content for m in turns)
    fields = tuple(m.field for m in turns)
    if _last is not None and _last[0] == texts and _last[1] == fields:
        return _last[2]
    tokens: list[str] = []
    starts = []
    for text in texts:
        starts.append(len(tokens))
        tokens.extend(WORD.findall(text.casefold()))
    found = Words(tokens, tuple(starts), fields)
    _last = (texts, fields, found)
    return found


def record_words(record: Record, scope: str = "all") -> Words:
    """The word tokens of a record's prompt (`scope="prompt"`) or of all its non-system turns (`"all"`)."""
    prompt, response = leak_turns(record)
    return messages_words(prompt if scope == "prompt" else prompt + response)
