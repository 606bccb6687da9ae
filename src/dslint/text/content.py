"""Record content as the duplicate rules (D001-D004), exact leakage (X001) and `--make-validation` key it.

- `normalise_text(text)`: whitespace runs collapsed to one space, stripped, case folded.
  `normalised_texts(record)` is every message's normalised text as UTF-8 bytes; several rules read it for the
  same record, so it is kept on the record (`Record.derived`, forgotten when a fix changes a text). It is made
  from `folded_texts(record)`, every message's case-folded UTF-8, which the word hashing of `dslint.text.ngrams`
  reads too (folding is a third of the work).
- `content_key(record)`: the exact-duplicate key, a 16-byte xxh3_128 of the record's roles and normalised texts,
  plus what else the model is trained on: `tool_definitions(record)`, each message's `message_extra` (tool
  calls, non-text content parts) and `label_bytes(record)`. Ids, metadata and the record's format are left
  out, so a ShareGPT and an OpenAI record with the same turns are the same content.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import xxhash

from dslint.records import Message, Record


def normalise_text(text: str) -> str:
    """`text` with runs of whitespace collapsed to one space, stripped, and case folded."""
    return " ".join(text.split()).casefold()


def folded_texts(record: Record) -> list[bytes]:
    """Each message's text case folded, as UTF-8 (lone surrogates kept: `surrogatepass`), in message order; b""
    for a message without text. Kept on the record (`Record.derived`)."""
    found: list[bytes] | None = record.derived.get("folded-texts")
    if found is None:
        texts = [m.content if type(m.content) is str else "" for m in record.messages]
        found = [t.casefold().encode("utf-8", "surrogatepass") if t else b"" for t in texts]
        record.derived["folded-texts"] = found
    return found


def normalised_texts(record: Record) -> list[bytes]:
    """Each message's `normalise_text` as UTF-8 bytes, in message order; b"" for a message without text.

    Kept on the record (`Record.derived`: the duplicate rules all read it)."""
    found: list[bytes] | None = record.derived.get("normalised-texts")
    if found is None:
        found = record.derived["normalised-texts"] = [_collapse(t) for t in folded_texts(record)]
    return found


#: `str.split`'s ASCII whitespace other than the space (tab, newlines, \v, \f, \x1c-\x1f), mapped to spaces.
_ASCII_SPACES = bytes.maketrans(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f", b" " * 9)
#: The rest of `str.split`'s whitespace, as UTF-8: U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
#: U+202F, U+205F and U+3000.
_UNICODE_SPACES = re.compile(rb"\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80")
_SPACE_RUNS = re.compile(rb"  +")
_ASCII = bytes(range(128))


def _collapse(folded: bytes) -> bytes:
    """`normalise_text` on UTF-8 that is already case folded: whitespace runs to one space, stripped.

    The same bytes as `" ".join(text.split())`, in bytes operations (~2x faster: no object per word). Unicode
    spaces are looked for among the non-ASCII bytes alone (`translate` deletes the others), which UTF-8 keeps
    whole: every sequence looked for starts with a lead byte, so no match can straddle two characters."""
    text = folded.translate(_ASCII_SPACES)
    if not text.isascii() and _UNICODE_SPACES.search(text.translate(None, _ASCII)):
        text = _UNICODE_SPACES.sub(b" ", text)
    if b"  " in text:
        text = _SPACE_RUNS.sub(b" ", text)
    return text.strip(b" ")


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

    Kept on the record (D001 to D004 all key each record)."""
    derived = record.derived
    if "content-key" not in derived:
        derived["content-key"] = _content_key(record, normalised_texts(record))
    return derived["content-key"]  # type: ignore[no-any-return]


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
