"""dslint.text.shingles: normalised text, content keys, word shingles and MinHash for the duplicate rules."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dslint.text import shingles as sh
from dslint.text.shingles import (
    content_key,
    minhash,
    minhash_many,
    normalise_text,
    normalised_texts,
    shingle_hash,
    shingle_hashes,
    shingle_hashes_many,
    shingles,
    similarity,
)

WORD = st.text(alphabet=st.sampled_from("abcé语Z1."), min_size=1, max_size=4)


def reference(text: bytes, n: int) -> list[int]:
    """The definition: per NUL-separated segment, the word n-grams joined by one space, hashed one by one."""
    out = []
    for segment in text.split(b"\x00"):
        words = [w.decode() for w in segment.split(b" ") if w]
        out += [shingle_hash(s.encode()) for s in shingles(words, n)]
    return out


def test_normalise_text():
    assert normalise_text("  Hello\t\tWORLD \n ß\u00a0x ") == "hello world ss x"
    assert normalise_text("") == ""


def test_shingles_reference():
    assert shingles(["a", "b", "c"], 2) == ["a b", "b c"]
    assert shingles(["a", "b"], 5) == ["a b"]  # shorter than a shingle: the whole text
    assert shingles([], 5) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.lists(WORD, min_size=1, max_size=12), min_size=1, max_size=4), min_size=1, max_size=4),
    st.integers(1, 6),
)
def test_shingle_hashes_match_the_definition(texts, n):
    docs = [b"\x00".join(" ".join(segment).encode() for segment in doc) for doc in texts]
    hashes, offsets = shingle_hashes_many(docs, n)
    assert len(offsets) == len(docs) + 1
    for i, doc in enumerate(docs):
        assert hashes[offsets[i] : offsets[i + 1]].tolist() == reference(doc, n)
        assert shingle_hashes(doc, n).tolist() == reference(doc, n)


def test_shingle_hashes_edge_cases():
    assert shingle_hashes("", 5).size == 0
    assert shingle_hashes(" \x00 ", 5).size == 0
    # runs of separators and separators at the ends do not make empty words
    assert len(shingle_hashes("  a  b \x00\x00 c ", 2)) == 2
    assert shingle_hashes("one two", 5).tolist() == [shingle_hash(b"one two")]
    _, offsets = shingle_hashes_many([b"", b"a b c", b""], 2)
    assert offsets.tolist() == [0, 0, 2, 2]
    text = "x " * (sh.MAX_SHINGLE_BYTES // 2 + 10)
    assert len(shingle_hashes(text, 1)) == sh.MAX_SHINGLE_BYTES // 2  # cut at MAX_SHINGLE_BYTES


def test_content_key(make_record):
    def key(value):
        return content_key(make_record(value))

    chat = {"messages": [{"role": "user", "content": "Hi  there"}, {"role": "assistant", "content": "Hello"}]}
    same = {
        "id": 3,
        "metadata": {"a": 1},
        "messages": [{"role": "user", "content": "hi there "}, {"role": "assistant", "content": "HELLO"}],
    }
    sharegpt = {"conversations": [{"from": "human", "value": "Hi there"}, {"from": "gpt", "value": "Hello"}]}
    assert key(chat) == key(same) == key(sharegpt)
    assert len(key(chat)) == 16
    swapped = {"messages": [{"role": "assistant", "content": "Hi there"}, {"role": "user", "content": "Hello"}]}
    split = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "there Hello"}]}
    tools = {**chat, "tools": [{"type": "function", "function": {"name": "f"}}]}
    empty_tools = {**chat, "tools": []}
    assert len({key(chat), key(swapped), key(split), key(tools)}) == 4
    assert key(empty_tools) == key(chat)
    calls = {
        "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "tool_calls": [{"id": "1", "function": {"name": "f"}}]},
        ]
    }
    calls2 = {
        "messages": [
            {"role": "user", "content": "x"},
            {"role": "assistant", "tool_calls": [{"id": "1", "function": {"name": "g"}}]},
        ]
    }
    assert key(calls) != key(calls2)
    assert key({"text": "t", "label": 1}) != key({"text": "t", "label": 2})
    assert key({"messages": []}) is None
    assert key(["not", "a", "record"]) is None


def test_normalised_texts_follow_fixes(make_record):
    record = make_record({"messages": [{"role": "user", "content": "A  B"}]})
    first = normalised_texts(record)
    assert first == [b"a b"] and normalised_texts(record) is first  # kept for the same record
    key = content_key(record)
    record.messages[0].content = "C"  # a fix replaces the text: normalised again
    assert normalised_texts(record) == [b"c"]
    assert content_key(record) != key


def test_minhash_estimates_jaccard():
    a = shingle_hashes(" ".join(f"w{i}" for i in range(200)), 1)
    b = shingle_hashes(" ".join(f"w{i}" for i in range(50, 250)), 1)  # 150 shared of 250: J = 0.6
    sa, sb = minhash(a), minhash(b)
    assert sa.dtype == np.uint32 and sa.shape == (128,)
    assert similarity(sa, sa) == 1.0
    assert abs(similarity(sa, sb) - 0.6) < 0.15
    assert np.array_equal(minhash(a), sa)  # deterministic
    rows = minhash_many(np.concatenate([a, b]), np.array([0, len(a), len(a) + len(b)]))
    assert np.array_equal(rows, np.stack([sa, sb]))


def test_minhash_without_rensa_matrix_api(monkeypatch):
    monkeypatch.setattr(sh, "_FLAT", None)  # rensa < 0.5: hashes as 8-byte tokens
    a = shingle_hashes(" ".join(f"w{i}" for i in range(200)), 1)
    b = shingle_hashes(" ".join(f"w{i}" for i in range(50, 250)), 1)
    assert similarity(minhash(a), minhash(a)) == 1.0
    assert abs(similarity(minhash(a), minhash(b)) - 0.6) < 0.15


@pytest.mark.parametrize("n", [1, 3, 5])
def test_shingle_hash_is_position_independent(n):
    text = "the cat sat on the mat the cat sat on the mat"
    hashes = shingle_hashes(text, n).tolist()
    words = text.split()
    for i in range(len(hashes) - 6):  # the same words six words later: the same hash
        assert hashes[i] == hashes[i + 6]
    assert hashes[0] == shingle_hash(" ".join(words[:n]).encode())
