"""Offline token counting: the shipped encodings load without a network and count exactly as tiktoken does."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pickle
import platform
import socket
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import tiktoken
import tiktoken.registry
from hypothesis import given, settings
from hypothesis import strategies as st

from dslint.text import tokenizer
from dslint.text.tokenizer import ENCODINGS, EXPECTED_SHA256, TokenCounter, TokenizerError, get_encoding

DATA = Path(__file__).parent / "data"
URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"

# Installed in a fresh interpreter before anything else runs: every socket fails, and each attempt is recorded.
BLOCK_NETWORK = textwrap.dedent(
    """
    import socket
    ATTEMPTS = []

    class _NoNetwork(socket.socket):
        def __init__(self, *args, **kwargs):
            ATTEMPTS.append(("socket", args))
            raise OSError("network access is blocked in this test")

    def _no_connection(*args, **kwargs):
        ATTEMPTS.append(("create_connection", args))
        raise OSError("network access is blocked in this test")

    socket.socket = _NoNetwork
    socket.create_connection = _no_connection
    """
)

TEXTS = [
    "",
    "hello world",
    "Hello, World! How's it going?\n\nFine, thanks.",
    "   leading and trailing spaces   ",
    "tabs\tand\r\nwindows\rnewlines\n\n\n",
    "日本語のテキストと中文文本，还有한국어 텍스트.",  # noqa: RUF001
    "Ελληνικά, русский текст, עברית, العربية, हिन्दी",
    "emoji 👩‍👩‍👧‍👦 🏳️‍🌈 🇫🇷 ✓✗ ½ ∑∫√ e\u0301 combining",
    "def fib(n: int) -> int:\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n",
    "for (int i = 0; i < n; ++i) { x[i] = y[i] * 2.5e-3; } // C++\n#include <vector>",
    '{"role": "assistant", "content": "json \\"escaped\\" text"}',
    "<|endoftext|>",
    "before<|endoftext|>after <|im_start|>user\nHi<|im_end|> <|fim_prefix|><|fim_middle|><|fim_suffix|>",
    "<|endofprompt|> <|startoftext|>",
    "1234567890 3.14159 1,000,000 0xDEADBEEF 2024-05-13T12:00:00Z",
    "a" * 5000,
    " ".join(["word"] * 2000),
    "https://example.com/path?query=1&x=%20 user@example.org",
    "mojibake: Ã©tÃ© â€™ caf\ufffd",
    "\x00\x01\x7f control \u200b zero width \ufeff bom",
]


def _corpus_texts() -> list[str]:
    """Real text from the test data: web documents, chat turns, prompt/completion pairs."""
    texts: list[str] = []
    with (DATA / "lf_c4_demo" / "c4_demo.jsonl").open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            texts.append(json.loads(line)["text"])
            if n == 40:
                break
    glaive = json.loads((DATA / "lf_glaive_toolcall" / "glaive_toolcall_en_demo.json").read_text(encoding="utf-8"))
    for item in glaive[:20]:
        texts.extend(turn["value"] for turn in item["conversations"])
        texts.append(item.get("tools", ""))
    doping = DATA / "nerre_prompt_completion" / "doping" / "data" / "training_eng.jsonl"
    for line in doping.read_text(encoding="utf-8").splitlines()[:20]:
        row = json.loads(line)
        texts += [row["prompt"], row["completion"]]
    return texts


def _run_python(code: str, env_extra: dict[str, str], tmp_path: Path, stdin: bytes | None = None) -> Any:
    env = {k: v for k, v in os.environ.items() if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    env.update(env_extra)
    proc = subprocess.run(
        [sys.executable, "-c", BLOCK_NETWORK + textwrap.dedent(code)],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


@pytest.fixture
def parity_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A TIKTOKEN_CACHE_DIR holding the shipped rank files under the names tiktoken looks for."""
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    for name in ENCODINGS:
        raw = gzip.decompress(resources.files("dslint.text").joinpath("data", f"{name}.tiktoken.gz").read_bytes())
        key = hashlib.sha1(URL.format(name=name).encode()).hexdigest()
        (cache / key).write_bytes(raw)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    # A fresh registry, so tiktoken builds its encodings from this cache (and none leaks into other tests).
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})

    class _NoNetwork(socket.socket):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise OSError("network access is blocked in this test")

    def _no_connection(*args: Any, **kwargs: Any) -> socket.socket:
        raise OSError("network access is blocked in this test")

    monkeypatch.setattr(socket, "socket", _NoNetwork)
    monkeypatch.setattr(socket, "create_connection", _no_connection)
    return cache


# -- offline loading --------------------------------------------------------------------------------------


def test_shipped_files_match_tiktokens_hashes() -> None:
    assert ENCODINGS == ("cl100k_base", "o200k_base")
    for name in ENCODINGS:
        raw = gzip.decompress(resources.files("dslint.text").joinpath("data", f"{name}.tiktoken.gz").read_bytes())
        assert hashlib.sha256(raw).hexdigest() == EXPECTED_SHA256[name]


def test_encodings_load_with_network_blocked_and_empty_cache_dir(tmp_path: Path) -> None:
    code = """
    import json, os
    assert os.environ["TIKTOKEN_CACHE_DIR"] == ""
    from dslint.text.tokenizer import TokenCounter, get_encoding
    out = {}
    for name in ("cl100k_base", "o200k_base"):
        enc = get_encoding(name)
        text = "Hello, world! Ünïcödé ✓ 日本語 <|endoftext|>"
        ids = enc.encode_ordinary(text)
        out[name] = {
            "name": enc.name,
            "n_vocab": enc.n_vocab,
            "hello": enc.encode_ordinary("hello world"),
            "roundtrip": enc.decode(ids) == text,
            "count": TokenCounter(name).count(text),
            "n_ids": len(ids),
        }
    out["default"] = TokenCounter().encoding_name
    out["attempts_by_dslint"] = len(ATTEMPTS)
    # The block is real: tiktoken itself cannot get an encoding here.
    import tiktoken
    try:
        tiktoken.get_encoding("cl100k_base")
        out["tiktoken_failed"] = False
    except Exception:
        out["tiktoken_failed"] = True
    print(json.dumps(out))
    """
    out = _run_python(code, {"TIKTOKEN_CACHE_DIR": ""}, tmp_path)
    assert out["attempts_by_dslint"] == 0
    assert out["tiktoken_failed"] is True
    assert out["default"] == "o200k_base"
    assert out["cl100k_base"]["name"] == "cl100k_base"
    assert out["cl100k_base"]["n_vocab"] == 100277
    assert out["cl100k_base"]["hello"] == [15339, 1917]
    assert out["o200k_base"]["name"] == "o200k_base"
    assert out["o200k_base"]["n_vocab"] == 200019
    assert out["o200k_base"]["hello"] == [24912, 2375]
    for name in ENCODINGS:
        assert out[name]["roundtrip"] is True
        assert out[name]["count"] == out[name]["n_ids"] > 0


# -- parity with tiktoken ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ENCODINGS)
def test_counts_equal_tiktokens_own_encoding(name: str, parity_cache: Path) -> None:
    reference = tiktoken.get_encoding(name)
    ours = get_encoding(name)
    assert reference is not ours
    assert ours.name == reference.name
    assert ours.n_vocab == reference.n_vocab
    assert ours.special_tokens_set == reference.special_tokens_set
    assert ours._pat_str == reference._pat_str
    counter = TokenCounter(name)
    texts = TEXTS + _corpus_texts()
    assert len(texts) > 100
    for text in texts:
        expected = reference.encode_ordinary(text)
        assert ours.encode_ordinary(text) == expected, text[:80]
        assert counter.count(text) == len(expected), text[:80]


@pytest.mark.parametrize("name", ENCODINGS)
def test_special_token_strings_count_as_plain_text(name: str, parity_cache: Path) -> None:
    reference = tiktoken.get_encoding(name)
    counter = TokenCounter(name)
    assert counter.count("<|endoftext|>") == len(reference.encode_ordinary("<|endoftext|>")) > 1
    special_id = reference.encode("<|endoftext|>", allowed_special="all")
    assert len(special_id) == 1
    assert special_id[0] not in reference.encode_ordinary("<|endoftext|>")


# -- the fast counter (toktok) -----------------------------------------------------------------------------

#: Where the `fast` extra (part of the `test` extra) installs toktok (it has wheels there): the scan must count
#: with it.
FAST_EXPECTED = sys.version_info >= (3, 11) and (
    (platform.system() == "Linux" and platform.machine() in ("x86_64", "aarch64"))
    or platform.system() == "Darwin"
    or (platform.system() == "Windows" and platform.machine() == "AMD64")
)
needs_toktok = pytest.mark.skipif(tokenizer.toktok is None, reason="toktok has no wheel here: tiktoken counts")
#: A lone surrogate (tiktoken counts it as U+FFFD), besides the texts above.
SURROGATES = ["a\ud800b", "\udfff", "pair \ud83e\udde0 and lone \udc00 end"]


def test_the_fast_counter_is_installed_where_it_has_wheels() -> None:
    assert tokenizer.toktok is not None or not FAST_EXPECTED, 'toktok is missing: pip install -e ".[test]"'


@needs_toktok
@pytest.mark.parametrize("name", ENCODINGS)
def test_the_fast_counter_counts_as_tiktoken_does(name: str) -> None:
    fast, reference = tokenizer._fast_count(name), get_encoding(name).encode_ordinary
    for text in TEXTS + _corpus_texts() + SURROGATES:
        assert fast(text) == len(reference(text)), text[:80]


def _before_unicode_17(c: str) -> bool:
    return not any(a <= ord(c) <= b for a, b in UNICODE_17)


@needs_toktok
@settings(max_examples=300, deadline=None, derandomize=True)  # the same texts on every run: 40k others passed once
@given(st.text(st.characters(codec=None, exclude_categories=()).filter(_before_unicode_17), max_size=200))
def test_the_fast_counter_counts_any_text_as_tiktoken_does(text: str) -> None:
    for name in ENCODINGS:
        assert tokenizer._fast_count(name)(text) == len(get_encoding(name).encode_ordinary(text))


#: Code points (first, last) that toktok 0.3 reads as letters, digits or marks and tiktoken's regex, with older
#: Unicode tables, as unassigned: characters new in Unicode 17 (small gaps inside a block included). Counts of texts
#: holding them may differ; nowhere else.
UNICODE_17 = (
    *((0x88F, 0x88F), (0xC5C, 0xC5C), (0xCDC, 0xCDC), (0x1ACF, 0x1AEB), (0xA7CE, 0xA7D4), (0xA7F1, 0xA7F1)),
    *((0x10940, 0x10959), (0x10EC5, 0x10EC7), (0x10EFA, 0x10EFB), (0x11B60, 0x11B67), (0x11DB0, 0x11DE9)),
    *((0x16EA0, 0x16ED3), (0x16FF2, 0x16FF6), (0x187F8, 0x187FF), (0x18D09, 0x18D1E), (0x18D80, 0x18DF2)),
    *((0x1E6C0, 0x1E6F5), (0x1E6FE, 0x1E6FF), (0x2B73A, 0x2B73F), (0x2CEA2, 0x2CEAD), (0x323B0, 0x33479)),
)


@needs_toktok
@pytest.mark.parametrize("name", ENCODINGS)
def test_every_character_is_counted_as_tiktoken_counts_it(name: str) -> None:
    # every code point of planes 0-3 and 14 (the others are unassigned), in contexts that tell letters, digits,
    # marks and others apart: only the characters new in Unicode 17 are counted otherwise
    fast, reference = tokenizer._fast_count(name), get_encoding(name).encode_ordinary
    planes = [*range(0x80, 0xD800), *range(0xE000, 0x40000), *range(0xE0000, 0xF0000)]
    apart = []
    for cp in planes:
        c = chr(cp)
        text = f"{c}:A{c}1 {c}{c}'s a{c}\n{c} 12"
        if fast(text) != len(reference(text)):
            apart.append(cp)
    assert [hex(cp) for cp in apart if _before_unicode_17(chr(cp))] == []


def test_without_the_fast_counter_tiktoken_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizer, "toktok", None)
    counter = TokenCounter("o200k_base")
    for text in TEXTS + SURROGATES:
        assert counter.count(text) == len(get_encoding("o200k_base").encode_ordinary(text))


# -- errors -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gpt2", "r50k_base", "p50k_base", "o200k", "", "CL100K_BASE"])
def test_unknown_encoding_raises(name: str) -> None:
    with pytest.raises(TokenizerError, match="unknown encoding"):
        get_encoding(name)
    with pytest.raises(TokenizerError):
        TokenCounter(name)


def test_tokenizer_error_lists_the_available_encodings() -> None:
    with pytest.raises(TokenizerError) as info:
        get_encoding("gpt2")
    assert "cl100k_base" in str(info.value) and "o200k_base" in str(info.value)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (gzip.compress(b"AAAA 0\nAAAB 1\n"), "corrupt"),
        (b"this is not gzip", "unreadable"),
        (None, "unreadable"),
    ],
)
def test_corrupt_or_missing_data_raises_tokenizer_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None, match: str
) -> None:
    (tmp_path / "data").mkdir()
    if content is not None:
        (tmp_path / "data" / "cl100k_base.tiktoken.gz").write_bytes(content)
    monkeypatch.setattr(tokenizer.resources, "files", lambda package: tmp_path)
    with pytest.raises(TokenizerError, match=match):
        tokenizer._load_ranks("cl100k_base")


# -- TokenCounter -----------------------------------------------------------------------------------------


def test_count_basics() -> None:
    counter = TokenCounter("cl100k_base")
    assert counter.count("") == 0
    assert counter.count("hello world") == 2
    assert counter.count("hello world " * 100) == len(get_encoding("cl100k_base").encode_ordinary("hello world " * 100))


@pytest.mark.parametrize("name", ENCODINGS)
def test_token_counter_pickles_by_name(name: str) -> None:
    counter = TokenCounter(name)
    data = pickle.dumps(counter)
    assert len(data) < 1000  # the name, not the 100k+ rank table
    back = pickle.loads(data)
    assert isinstance(back, TokenCounter)
    assert back.encoding_name == name
    for text in TEXTS:
        assert back.count(text) == counter.count(text)


def test_token_counter_unpickles_without_network(tmp_path: Path) -> None:
    counters = {name: TokenCounter(name) for name in ENCODINGS}
    expected = {name: [c.count(t) for t in TEXTS] for name, c in counters.items()}
    payload = pickle.dumps({"counters": counters, "texts": TEXTS})
    code = """
    import json, pickle, sys
    data = pickle.loads(sys.stdin.buffer.read())
    out = {name: [c.count(t) for t in data["texts"]] for name, c in data["counters"].items()}
    out["attempts"] = len(ATTEMPTS)
    print(json.dumps(out))
    """
    out = _run_python(code, {"TIKTOKEN_CACHE_DIR": ""}, tmp_path, stdin=payload)
    assert out.pop("attempts") == 0
    assert out == expected
