"""The symmetric-delete search (`dslint.text.edits`): the same words as comparing the query with every word."""

from hypothesis import given, settings
from hypothesis import strategies as st

from dslint.text.edits import NearbyWords, osa_distance
from dslint.text.spelling import _edit_ops, word_list


def plain_osa(a: str, b: str) -> int:
    """The optimal-string-alignment distance from the whole table: the edits `check_word` reads back."""
    return len(_edit_ops(a, b))


# a small alphabet, so words near each other are common
WORD = st.text("abcde'é", min_size=1, max_size=11)


def test_osa_distance_examples() -> None:
    assert osa_distance("teh", "the", 2) == 1  # a swap is one edit
    assert osa_distance("recieve", "receive", 2) == 1
    assert osa_distance("ca", "abc", 3) == 3  # OSA: no edit of a swapped pair (true Damerau would say 2)
    assert osa_distance("kitten", "sitting", 2) == 3  # beyond the limit: limit + 1
    assert osa_distance("", "ab", 2) == 2 and osa_distance("same", "same", 0) == 0


@settings(max_examples=400, deadline=None)
@given(WORD, WORD, st.integers(0, 3))
def test_osa_distance_is_the_plain_one_up_to_the_limit(a: str, b: str, limit: int) -> None:
    assert osa_distance(a, b, limit) == min(plain_osa(a, b), limit + 1)


@settings(max_examples=150, deadline=None)
@given(st.lists(WORD, min_size=1, max_size=60, unique=True), WORD, st.integers(1, 2))
def test_within_finds_every_word_within_the_distance(words: list[str], query: str, distance: int) -> None:
    found = NearbyWords(words, 2).within(query, distance)
    expected = [(w, d) for w in words if w != query and (d := plain_osa(query, w)) <= distance]
    assert found == expected  # in list order


def test_english_suggestions() -> None:
    wl = word_list("en")
    assert [s.word for s in wl.suggest("recieve")[:2]] == ["receive", "relieve"]
    assert wl.suggest("teh")[0].word == "the"
    assert [(s.word, s.distance) for s in wl.suggest("ab") if s.word == "a"] == [("a", 1)]  # once, at its distance
    assert (
        all(s.distance == 1 for s in wl.suggest("definately", 1)) and wl.suggest("definately")[0].word == "definitely"
    )
