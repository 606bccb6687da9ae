"""dslint.text.ngrams: words, word and n-gram hashes, MinHash (D002, X002, X003)."""

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dslint.rules.base import set_text
from dslint.text import ngrams
from dslint.text.ngrams import (
    minhash,
    minhash_many,
    ngram_hashes,
    ngram_hashes_many,
    similarity,
    text_ngram_hashes,
    words,
)

MASK = (1 << 64) - 1


def mix(x: int) -> int:
    """splitmix64's finaliser, in plain Python."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def polynomial(values: list[int], base: int) -> int:
    return sum(v * pow(base, i, 1 << 64) for i, v in enumerate(values)) & MASK


def word_hash(word: str) -> int:
    """The definition: a polynomial over the word's UTF-8 bytes (each plus one), mixed."""
    return mix(polynomial([b + 1 for b in word.encode()], 0x100000001B3))


def reference(text: str, n: int) -> list[int]:
    """The definition of a text's n-gram hashes: a polynomial over its words' hashes, mixed."""
    hashes = [word_hash(w) for w in re.findall(r"[a-z0-9_]+", text.lower())]
    return [mix(polynomial(hashes[i : i + n], 0x9E3779B97F4A7C15)) for i in range(len(hashes) - n + 1)]


TEXT = st.text(alphabet=st.sampled_from("abZ1_ .,;-\n"), max_size=80)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(1, 6))
def test_ngram_hashes_match_the_definition(text, n):
    assert words(text) == re.findall(r"[a-z0-9_]+", text.lower())
    assert text_ngram_hashes(text, n).tolist() == reference(text, n)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=8), max_size=5), st.integers(1, 4))
def test_ngram_hashes_many_is_each_sequence_alone(sequences, n):
    arrays = [np.array(s, dtype=np.uint64) for s in sequences]
    hashes, offsets = ngram_hashes_many(arrays, n, whole_if_short=True)
    assert len(offsets) == len(arrays) + 1
    for i, array in enumerate(arrays):
        alone = ngram_hashes(array, n, whole_if_short=True)
        assert hashes[offsets[i] : offsets[i + 1]].tolist() == alone.tolist()
        expected = max(0, len(array) - n + 1) or (1 if len(array) else 0)
        assert len(alone) == expected
        assert len(ngram_hashes(array, n)) == max(0, len(array) - n + 1)


def test_words_of_a_record_keep_turns_and_prompt(make_record):
    record = make_record(
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hello, World!"},
                {"role": "assistant", "content": "Hi \u2014 there."},
            ]
        }
    )
    found = ngrams.record_words(record)
    assert len(found) == 4 and found.text(0, 4) == "hello world hi there"
    assert found.turn_starts == (0, 2) and found.prompt_words == 2
    assert found.field_at(3) == "messages[2].content"
    assert ngrams.record_words(record) is found  # kept on the record
    set_text(record, record.messages[2], "Bye.")  # a fix: worked out again
    assert ngrams.record_words(record).text(0, 3) == "hello world bye"


def test_a_record_without_turns_leaves_the_next_records_turns_alone(make_record):
    def chat(*turns):
        roles = ["system", "user", "assistant"]
        return make_record({"messages": [{"role": r, "content": t} for r, t in zip(roles, turns, strict=False)]})

    empty, one, two = chat("System only."), chat("", "he and he"), chat("", "x", "she")
    found = ngrams.prepare([empty, one, two])
    assert len(found[0]) == 0 and found[0].turn_starts == ()
    assert found[1].turn_starts == (0,) and found[1].prompt_words == 3
    assert found[2].turn_starts == (0, 1) and found[2].prompt_words == 1
    assert found[2].text(0, 2) == "x she"


def test_minhash_estimates_jaccard():
    a = text_ngram_hashes(" ".join(f"w{i}" for i in range(200)), 1)
    b = text_ngram_hashes(" ".join(f"w{i}" for i in range(50, 250)), 1)  # 150 shared of 250: J = 0.6
    sa, sb = minhash(a), minhash(b)
    assert sa.dtype == np.uint32 and sa.shape == (128,)
    assert similarity(sa, sa) == 1.0
    assert abs(similarity(sa, sb) - 0.6) < 0.15
    assert np.array_equal(minhash(a), sa)  # deterministic
    rows = minhash_many(np.concatenate([a, b]), np.array([0, len(a), len(a) + len(b)]))
    assert np.array_equal(rows, np.stack([sa, sb]))


def test_minhash_without_rensa_matrix_api(monkeypatch):
    monkeypatch.setattr(ngrams, "_FLAT", None)  # rensa < 0.5: hashes as 8-byte tokens
    a = text_ngram_hashes(" ".join(f"w{i}" for i in range(200)), 1)
    b = text_ngram_hashes(" ".join(f"w{i}" for i in range(50, 250)), 1)
    assert similarity(minhash(a), minhash(a)) == 1.0
    assert abs(similarity(minhash(a), minhash(b)) - 0.6) < 0.15


def test_long_turns_and_big_batches_are_hashed_in_bounded_passes(make_record, monkeypatch):
    monkeypatch.setattr(ngrams, "MAX_PASS_BYTES", 64)  # a pass per record or two
    texts = [f"alpha beta gamma {i} delta" for i in range(20)]
    records = [make_record({"text": t}) for t in texts]
    found = ngrams.prepare(records)
    assert [w.hashes.tolist() for w in found] == [ngrams.text_word_hashes(t).tolist() for t in texts]
    assert [w.text(0, len(w)) for w in found] == [" ".join(words(t)) for t in texts]
    monkeypatch.setattr(ngrams, "MAX_TURN_BYTES", 11)  # only "alpha beta " of a turn is read
    assert len(ngrams.record_words(make_record({"text": "alpha beta gamma delta"}))) == 2


def test_signatures_are_kept_and_follow_fixes(make_record):
    record = make_record(
        {
            "messages": [
                {"role": "user", "content": "Tell me about the weather in Paris today."},
                {"role": "assistant", "content": "It is sunny and warm in Paris this afternoon."},
            ]
        }
    )
    first = ngrams.signatures([record], 5, 128)[0]
    assert first is not None and first.shape == (128,)
    assert ngrams.signatures([record], 5, 128)[0] is first  # kept on the record
    set_text(record, record.messages[1], "Expect heavy rain and strong wind over the whole region tonight.")
    again = ngrams.signatures([record], 5, 128)[0]
    assert again is not None and not np.array_equal(again, first)
