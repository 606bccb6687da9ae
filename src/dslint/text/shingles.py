"""Record text as the duplicate rules (D001-D004) see it: normalised text, exact content keys, word shingles and
MinHash signatures.

- `normalise_text(text)`: whitespace runs collapsed to one space, stripped, case folded (the same form as
  `dslint.text.ngrams.normalise_text`). `normalised_texts(record)` is every message's normalised text as UTF-8
  bytes; the duplicate rules all read it, so it is kept on the record.
- `content_key(record)`: the exact-duplicate key, a 16-byte xxh3_128 of the record's roles and normalised texts,
  plus what else the model is trained on: `tool_definitions(record)`, each message's `message_extra` (tool
  calls, non-text content parts) and `label_bytes(record)`. Ids, metadata and the record's format are left
  out, so a ShareGPT and an OpenAI record with the same turns are the same content.
- `shingles(words, n)`: the word n-grams of a text as strings, the readable definition. `shingle_hashes(text, n)`
  gives the same n-grams as 64-bit hashes computed in numpy over the text's UTF-8 bytes (a polynomial hash of
  each n-gram's bytes, then a 64-bit mixer), with no Python object per word: several times cheaper than joining
  strings, which is what dominates MinHash cost. A text with fewer than `n` words is one shingle (the whole
  text); NUL-separated segments (a record's turns) are shingled one by one.
  `shingle_hashes_many` does several texts in one numpy pass (what D002 uses, in batches).
- `minhash(hashes, num_perm, seed)`: the MinHash signature of a set of 64-bit hashes (rensa), a uint32 array;
  `minhash_many` signs several sets in one call; `similarity(a, b)` estimates the Jaccard similarity of two
  signatures (the share of equal slots).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import rensa
import xxhash

from dslint.records import Message, Record

#: 64-bit n-gram hashes.
Hashes = npt.NDArray[np.uint64]
#: A MinHash signature: `num_perm` uint32 values.
Signature = npt.NDArray[np.uint32]
#: Where each text's (or set's) hashes start in a flat array, plus the end.
Offsets = npt.NDArray[np.intp]

#: Bytes of a text that `shingle_hashes` reads; longer texts are shingled on their first 256 KiB (the power
#: tables the rolling hash needs grow to the longest text seen, 16 bytes per byte).
MAX_SHINGLE_BYTES = 1 << 18
#: Word separators in a normalised text: the space, and NUL, which joins the messages of one record.
_SEPARATORS = (0x20, 0x00)
#: Multiplier of the polynomial hash (odd, so it is invertible modulo 2**64) and its inverse.
_BASE = 0x100000001B3
_BASE_INV = pow(_BASE, -1, 1 << 64)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_MASK64 = (1 << 64) - 1

_pow: Hashes = np.ones(1, dtype=np.uint64)
_inv: Hashes = np.ones(1, dtype=np.uint64)


def normalise_text(text: str) -> str:
    """`text` with runs of whitespace collapsed to one space, stripped, and case folded."""
    return " ".join(text.split()).casefold()


def normalised_texts(record: Record) -> list[bytes]:
    """Each message's `normalise_text` as UTF-8 bytes, in message order; b"" for a message without text.

    Kept on the record (`Record.derived`: the duplicate rules all read it) while its texts stay the same; a
    fixed record has new texts, so it is normalised again."""
    texts = tuple([m.content if type(m.content) is str else "" for m in record.messages])
    found = record.derived.get("normalised-texts")
    if found is not None and found[0] == texts:
        return found[1]  # type: ignore[no-any-return]
    out = [" ".join(t.split()).casefold().encode("utf-8", "surrogatepass") if t else b"" for t in texts]
    record.derived["normalised-texts"] = (texts, out)
    return out


def _dump(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return repr(value).encode("utf-8", "surrogatepass")


def tool_definitions(record: Record) -> bytes:
    """The tools (or legacy functions) a record offers the model, canonically serialised; b"" when none."""
    raw = record.raw
    if not isinstance(raw, dict) or ("tools" not in raw and "functions" not in raw):
        return b""
    out = []
    for name in ("tools", "functions"):
        value = raw.get(name)
        if isinstance(value, str):
            value = normalise_text(value)
        if value not in (None, "", "[]", [], {}):
            out.append(name.encode() + b"=" + _dump(value))
    return b"\x1e".join(out)


def message_extra(record: Record, msg: Message) -> bytes:
    """What a message holds besides its text, canonically serialised: its tool calls (OpenAI format) and its
    non-text content parts; b"" when nothing."""
    if not (msg.non_text or (msg.has_tool_calls and record.format == "openai-chat")):
        return b""
    from dslint.rules.base import get_path  # here, not at the top: dslint.rules imports this module

    out = []
    if msg.has_tool_calls and record.format == "openai-chat":
        turn = get_path(record.raw, msg.field.rpartition(".")[0])
        if isinstance(turn, dict):
            out.append(b"calls=" + _dump({k: turn[k] for k in ("tool_calls", "function_call") if k in turn}))
    if msg.non_text:
        out.append(b"parts=" + _dump(get_path(record.raw, msg.field)))
    return b"\x1e".join(out)


def label_bytes(record: Record) -> bytes:
    """A classification record's label, serialised; b"" for other formats."""
    return b"" if record.label_field is None else b"label=" + _dump(record.label)


def content_key(record: Record) -> bytes | None:
    """The record's exact-duplicate key: xxh3_128 (16 bytes) of its messages' roles and normalised texts, its
    tool definitions and tool calls, non-text content parts and label. None for a record with nothing in it.

    Kept on the record while its normalised texts are the same (D001 to D004 all key each record)."""
    texts = normalised_texts(record)
    found = record.derived.get("content-key")
    if found is not None and found[0] is texts:
        return found[1]  # type: ignore[no-any-return]
    key = _content_key(record, texts)
    record.derived["content-key"] = (texts, key)
    return key


def _content_key(record: Record, texts: list[bytes]) -> bytes | None:
    extras = [message_extra(record, m) for m in record.messages]
    tools, label = tool_definitions(record), label_bytes(record)
    if not (tools or label or any(texts) or any(extras)):
        return None
    parts = [
        b"%s\x1f%d\x1f%s\x1f%s" % (m.role.encode("utf-8", "surrogatepass"), len(t), t, extra)
        for m, t, extra in zip(record.messages, texts, extras, strict=True)
    ]
    parts.append(b"\x1d" + tools + b"\x1d" + label)
    return xxhash.xxh3_128_digest(b"\x1e".join(parts))


# -- shingles ----------------------------------------------------------------------------------------------


def shingles(words: Sequence[str], n: int) -> list[str]:
    """The word n-grams of `words`, each joined by one space; fewer than `n` words are one shingle (all of them),
    none are none."""
    if len(words) <= n:
        return [" ".join(words)] if words else []
    return list(map(" ".join, zip(*(words[i:] for i in range(n)), strict=False)))


def _tables(size: int) -> tuple[Hashes, Hashes]:
    """The powers of the hash base and of its inverse modulo 2**64, at least `size` of each."""
    global _pow, _inv
    if len(_pow) < size:
        n = 1 << max(12, (size - 1).bit_length())
        p = np.full(n, _BASE, dtype=np.uint64)
        p[0] = 1
        q = np.full(n, _BASE_INV, dtype=np.uint64)
        q[0] = 1
        _pow, _inv = np.cumprod(p, dtype=np.uint64), np.cumprod(q, dtype=np.uint64)
    return _pow, _inv


def _mix(x: Hashes) -> Hashes:
    """splitmix64's finaliser: spreads the polynomial hash over all 64 bits."""
    x = x ^ (x >> np.uint64(30))
    x *= _MIX1
    x ^= x >> np.uint64(27)
    x *= _MIX2
    x ^= x >> np.uint64(31)
    return x


def shingle_hash(data: bytes) -> int:
    """The hash `shingle_hashes` gives the n-gram whose UTF-8 bytes are `data` (the plain-Python definition)."""
    h = 0
    power = 1
    for byte in data:
        h = (h + (byte + 1) * power) & _MASK64
        power = (power * _BASE) & _MASK64
    x = np.array([h], dtype=np.uint64)
    return int(_mix(x)[0])


def shingle_hashes(text: bytes | str, n: int = 5) -> Hashes:
    """64-bit hashes of the word n-grams of a normalised text, in text order (repeats kept).

    Words are runs of bytes other than the space and NUL. NUL separates segments (a record's messages): n-grams
    never cross one, and a segment with fewer than `n` words is one shingle, the whole segment. So turns are
    shingled one by one, and a short turn that differs (a greeting, a question) changes one shingle, not `n`.
    On one segment with single spaces this equals `[shingle_hash(s.encode()) for s in shingles(text.split(" "),
    n)]`. Texts longer than `MAX_SHINGLE_BYTES` are shingled on their first `MAX_SHINGLE_BYTES` bytes."""
    return shingle_hashes_many([text], n)[0]


def shingle_hashes_many(texts: Sequence[bytes | str], n: int = 5) -> tuple[Hashes, Offsets]:
    """`shingle_hashes` of several texts in one numpy pass (a few passes over all their bytes instead of a dozen
    small array operations per text, whose overhead dominates for texts of a few KB): all the hashes, text after
    text, and offsets such that text `i`'s are `hashes[offsets[i]:offsets[i + 1]]`."""
    datas = [t.encode("utf-8", "surrogatepass") if isinstance(t, str) else t for t in texts]
    datas = [d[:MAX_SHINGLE_BYTES] if len(d) > MAX_SHINGLE_BYTES else d for d in datas]
    k = len(datas)
    # texts are joined by NUL, a segment boundary: no n-gram crosses from one text into the next
    begins = np.zeros(k + 1, dtype=np.intp)
    np.cumsum([len(d) + 1 for d in datas], out=begins[1:])
    joined = b"\x00".join(datas)
    size = len(joined)
    b = np.frombuffer(joined, dtype=np.uint8)
    nuls = np.flatnonzero(b == 0)
    if len(nuls):  # no n-gram crosses a NUL, so hashing NULs as spaces changes no hash
        b = np.frombuffer(joined.replace(b"\x00", b" "), dtype=np.uint8)
    spaces = np.flatnonzero(b == 0x20)
    starts = np.empty(len(spaces) + 1, dtype=np.intp)
    starts[0] = 0
    starts[1:] = spaces + 1
    ends = np.empty(len(spaces) + 1, dtype=np.intp)
    ends[:-1] = spaces
    ends[-1] = size
    nonempty = ends > starts
    if not nonempty.all():  # runs of separators, or one at either end
        starts, ends = starts[nonempty], ends[nonempty]
    words = len(starts)
    if not words:
        return np.empty(0, dtype=np.uint64), np.zeros(k + 1, dtype=np.intp)
    segment = np.searchsorted(nuls, starts)  # each word's segment: the number of NULs before it
    grams = np.flatnonzero(segment[: words - n + 1] == segment[n - 1 :]) if words >= n else starts[:0]
    counts = np.bincount(segment)
    short = np.flatnonzero((counts > 0) & (counts < n))  # segments of fewer than n words: one shingle each
    first, last = starts[grams], ends[grams + n - 1]
    if len(short):
        first = np.concatenate((first, starts[np.searchsorted(segment, short, "left")]))
        last = np.concatenate((last, ends[np.searchsorted(segment, short, "right") - 1]))
        order = np.argsort(first, kind="stable")
        first, last = first[order], last[order]
    powers, inverse = _tables(size + 1)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    values = b.astype(np.uint64)
    values += np.uint64(1)  # so that a NUL byte still counts
    values *= powers[:size]
    np.cumsum(values, out=prefix[1:])
    hashes = prefix[last]
    hashes -= prefix[first]
    hashes *= inverse[first]
    return _mix(hashes), np.searchsorted(first, begins)


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


def similarity(a: Signature, b: Signature) -> float:
    """The estimated Jaccard similarity of the sets behind two signatures: the share of equal slots."""
    return float(np.count_nonzero(a == b)) / len(a)
