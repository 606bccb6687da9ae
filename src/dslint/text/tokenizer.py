"""Offline token counting: tiktoken's counts.

`tiktoken.get_encoding()` downloads its BPE file on first use and fails without a network (and on a hash
mismatch deletes its cache and downloads again). dslint ships `cl100k_base` and `o200k_base` inside the package
(see NOTICE), checks their sha256, and builds `tiktoken.Encoding` from them with the regex pattern and special
tokens of the installed tiktoken's own constructors, so counts match `tiktoken.get_encoding(name)` exactly.

`TokenCounter` counts with toktok (`toktok-rs`, the `fast` extra; its vocabularies compiled in, no files or
network) where it is installed: it counts tiktoken's tokens without building them, ~10x faster (311 vs 30 MB/s a
core on the benchmark corpus), which made tokenizing go from the largest share of a scan to a small one. Its
counts are tested equal to tiktoken's (tests/test_tokenizer.py) for every character but the ~4,700 new in Unicode
17 (CJK Extension J, a few new scripts: `UNICODE_17` in the tests), which toktok's tables know and tiktoken's
regex does not yet; a text holding one may count a token or so apart. Checking each text for them would cost
more than counting it, for characters training data all but never holds. Without toktok (not installed, or no
wheel for the platform: it is a compiled package) dslint counts with the tiktoken encoding above.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
from collections.abc import Callable
from importlib import resources
from unittest import mock

import tiktoken

try:
    import toktok
except ImportError:  # the `fast` extra is not installed (or has no wheel here): count with tiktoken
    toktok = None

#: sha256 of the gunzipped rank files, as tiktoken itself expects them.
EXPECTED_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}
ENCODINGS = tuple(EXPECTED_SHA256)


class TokenizerError(RuntimeError):
    """The shipped tokenizer data is missing or corrupt, or the encoding name is unknown."""


def _load_ranks(name: str) -> dict[bytes, int]:
    data_file = resources.files("dslint.text").joinpath("data", f"{name}.tiktoken.gz")
    try:
        raw = gzip.decompress(data_file.read_bytes())
    except (OSError, gzip.BadGzipFile) as exc:
        raise TokenizerError(f"tokenizer data for {name} is unreadable: {exc}") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != EXPECTED_SHA256[name]:
        raise TokenizerError(f"tokenizer data for {name} is corrupt (sha256 {digest})")
    ranks: dict[bytes, int] = {}
    for line in raw.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@functools.cache
def get_encoding(name: str = "o200k_base") -> tiktoken.Encoding:
    """The named encoding, built from the files inside the package; never touches the network."""
    if name not in EXPECTED_SHA256:
        raise TokenizerError(f"unknown encoding {name!r} (available: {', '.join(ENCODINGS)})")
    from tiktoken_ext import openai_public

    ranks = _load_ranks(name)
    # The constructor would download the ranks; hand it ours so the pattern and special tokens are tiktoken's.
    with mock.patch.object(openai_public, "load_tiktoken_bpe", lambda *args, **kwargs: ranks):
        spec = getattr(openai_public, name)()
    return tiktoken.Encoding(
        name=spec["name"],
        pat_str=spec["pat_str"],
        mergeable_ranks=spec["mergeable_ranks"],
        special_tokens=spec["special_tokens"],
    )


class TokenCounter:
    """Counts tokens of plain text (special-token strings in data count as ordinary text, as they should)."""

    def __init__(self, encoding: str = "o200k_base") -> None:
        if encoding not in EXPECTED_SHA256:
            raise TokenizerError(f"unknown encoding {encoding!r} (available: {', '.join(ENCODINGS)})")
        self.encoding_name = encoding
        self.count = _fast_count(encoding) if toktok is not None else _tiktoken_count(encoding)

    def __getstate__(self) -> str:
        # Pickle by name: tiktoken's own unpickling would fetch the encoding from the network.
        return self.encoding_name

    def __setstate__(self, name: str) -> None:
        self.__init__(name)  # type: ignore[misc]


def _tiktoken_count(name: str) -> Callable[[str], int]:
    encode = get_encoding(name).encode_ordinary

    def count(text: str) -> int:
        """The number of tokens in `text`."""
        return len(encode(text)) if text else 0

    return count


def _fast_count(name: str) -> Callable[[str], int]:
    # toktok's documented way to the tokenizer object ("for anyone who knowingly wants the full surface"): its
    # `count` takes one text, where the public `batch_count` starts threads on each call (16x slower per text).
    # The version is pinned below 0.4 in pyproject.toml, and the counts are tested against tiktoken's.
    counted = toktok._encoding(name).count

    def count(text: str) -> int:
        """The number of tokens in `text`."""
        try:
            n: int = counted(text)
        except UnicodeEncodeError:  # a lone surrogate: tiktoken counts it as U+FFFD, so do the same
            n = counted(text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))
        return n

    return count
