"""B002 identity-term-skew: identity groups mentioned unevenly, or tied to labels."""

import json
import random
from itertools import pairwise
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dslint
from dslint.config import ConfigError
from dslint.io.formats import Normaliser
from dslint.records import Location, Record, Severity
from dslint.rules.balance.identity_term_skew import (
    MARK,
    SIDES,
    IdentityTermSkew,
    IdentityTermSkewOptions,
    swap_words,
)
from dslint.rules.base import set_text
from dslint.text import lexicon as lexicon_module
from dslint.text import ngrams
from dslint.text.lexicon import Lexicon, build, load_lexicon, tally, words

DATA = Path(__file__).resolve().parents[1] / "data"


def chat(user: str, reply: str) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]}


def skewed_chats(n_male: int, n_female: int, n_neutral: int = 0) -> list[dict]:
    rows = [
        chat(f"Tell me about engineer {i}.", f"He is an engineer and his team likes him ({i}).") for i in range(n_male)
    ]
    rows += [
        chat(f"Tell me about nurse {i}.", f"She is a nurse and her patients like her ({i}).") for i in range(n_female)
    ]
    rows += [chat(f"Tell me about the weather {i}.", f"It is sunny today ({i}).") for i in range(n_neutral)]
    return rows


def gsm8k(tmp_path: Path) -> Path:
    """GSM8K's train split as prompt/completion (its question/answer keys are not a format dslint reads)."""
    out = tmp_path / "data" / "gsm8k.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with (DATA / "gsm8k" / "train.jsonl").open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in src:
            row = json.loads(line)
            dst.write(json.dumps({"prompt": row["question"], "completion": row["answer"]}) + "\n")
    return out


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:  # not splitlines(): texts may hold U+2028
        return [json.loads(line) for line in fh]


# -- the lexicon ------------------------------------------------------------------------------------------


def test_lexicon_covers_the_axes_and_multi_word_terms():
    lexicon = load_lexicon()
    axes = set(lexicon.groups.values())
    assert axes == {
        "gender",
        "race-ethnicity",
        "nationality",
        "religion",
        "age",
        "disability",
        "sexual-orientation",
    }
    assert {"male", "female", "non-binary", "transgender"} <= set(lexicon.groups)
    assert lexicon.pairs == {"gender": ("male", "female")}
    count = lexicon.count
    # the longest term wins: "African American" is not also the nationality "American"
    assert count("An African American teacher and an American pilot.") == {"black": 1, "american": 1}
    # a multi-word term counts for every group it names
    assert count("A gay man met a trans woman.") == {"gay-lesbian": 1, "male": 1, "transgender": 1, "female": 1}
    # hyphens, case and "+" do not matter; words glued to digits or letters are not the word
    assert count("Non-Binary and LGBTQ+ folks; THEY said hello") == {"non-binary": 1, "lgbtq": 1}
    assert count("the 2men and the shepherd, the theme") == {}
    # phrases that are not about people are ignored
    assert count("French fries near the Indian Ocean, and a black hole") == {}
    assert count("He gave his mother-in-law her coat.") == {"male": 2, "female": 2}
    assert words("Māori and Jehovah's") == ["māori", "and", "jehovah", "s"]


# -- matching: the candidates found in numpy against a plain walk over every word ----------------------------

#: Terms that overlap every way: a longer term wins, a match covers its words, a term counts for several
#: groups, ignored phrases consume words, and later words of terms are first words of others.
TRICKY = {
    "axes": {
        "x": {"g1": ["a b c", "b"], "g2": ["a b", "c a", "a"], "g3": ["a b c", "d"]},
        "y": {"g4": ["b d", "e"]},
    },
    "ignore": {"phrases": ["b c", "e d"]},
}
TRICKY_WORDS = ["a", "b", "c", "d", "e", "f"]
#: Words of the shipped lexicon: one-word terms, the words of longer terms (some very common alone: "in", "a",
#: "s", "with"), ignored phrases ("black hole", "french fries") and words of no term.
SHIPPED_WORDS = [
    *("he", "she", "his", "her", "man", "woman", "gay", "trans", "in", "a", "wheelchair", "person", "with"),
    *("disability", "disabilities", "people", "african", "american", "black", "white", "hole", "house", "french"),
    *("fries", "jehovah", "s", "witness", "witnesses", "non", "binary", "mother", "law", "hard", "of", "hearing"),
    *("young", "old", "the", "cat"),
]
SEPARATORS = [" ", " ", ", ", "-", "\n", "'"]


def plain_walk(lexicon: Lexicon, tokens: list[int]) -> dict[str, int]:
    """Mentions of each group among some words, from every word in turn: the longest term that starts there,
    then on past its words."""
    found: dict[str, int] = {}
    i = 0
    while i < len(tokens):
        for rest, groups in lexicon.index.get(tokens[i], ()):
            if tuple(tokens[i + 1 : i + 1 + len(rest)]) == rest:
                for group in groups:
                    found[group] = found.get(group, 0) + 1
                i += len(rest)
                break
        i += 1
    return found


def turns_strategy(alphabet: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """A record's turns, (role, text), the texts drawn from a few words; one turn at least is not a system turn
    (`ngrams.prepare` gives the records after one without any a wrong `turn_starts`)."""
    text = st.lists(st.tuples(st.sampled_from(alphabet), st.sampled_from(SEPARATORS)), max_size=14).map(
        lambda parts: "".join(word + sep for word, sep in parts)
    )
    turn = st.tuples(st.sampled_from(["user", "assistant", "system", "tool"]), text)
    return st.lists(turn, min_size=1, max_size=4).filter(lambda turns: any(r != "system" for r, _ in turns))


def chat_record(turns: list[tuple[str, str]], row: int = 0) -> Record:
    messages = [{"role": role, "content": text} for role, text in turns]
    return Normaliser().normalise({"messages": messages}, Location("t.jsonl", row, row + 1, "train"))


def turn_counts(lexicon: Lexicon, words_: ngrams.Words, matches: list[tuple[int, tuple[str, ...]]]) -> list[dict]:
    """The mentions of each group per turn, from matches over the record's words."""
    bounds = [*words_.turn_starts, len(words_.hashes)]
    return [tally([m for m in matches if lo <= m[0] < hi]) for lo, hi in pairwise(bounds)]


def plain_turn_counts(lexicon: Lexicon, words_: ngrams.Words) -> list[dict]:
    hashes = words_.hashes.tolist()
    bounds = [*words_.turn_starts, len(hashes)]
    return [plain_walk(lexicon, hashes[lo:hi]) for lo, hi in pairwise(bounds)]


@settings(max_examples=300, deadline=None)
@given(records=st.lists(turns_strategy(TRICKY_WORDS), min_size=1, max_size=5), coarse=st.booleans())
def test_candidates_found_in_numpy_give_the_plain_walk_counts(records, coarse):
    # a coarse filter (3 bits: most words pass it) checks that its false positives are dropped exactly
    mask = np.uint64(7) if coarse else lexicon_module._FILTER_MASK
    with mock.patch.object(lexicon_module, "_FILTER_MASK", mask):
        lexicon = build(TRICKY)
        batch = [chat_record(turns, row) for row, turns in enumerate(records)]
        all_words = ngrams.prepare(batch)
        for words_, spots in zip(all_words, lexicon.spots(all_words), strict=True):
            expected = plain_turn_counts(lexicon, words_)
            assert turn_counts(lexicon, words_, lexicon.matches(spots)) == expected
            assert lexicon.spots([words_]) == [spots]  # alone or in a batch, the same
            hashes = words_.hashes.tolist()
            bounds = [*words_.turn_starts, len(hashes)]
            counted = [lexicon.count_words(hashes[lo:hi]) for lo, hi in pairwise(bounds)]
            assert counted == expected


@settings(max_examples=150, deadline=None)
@given(records=st.lists(turns_strategy(SHIPPED_WORDS), min_size=1, max_size=6))
def test_the_rule_counts_what_the_plain_walk_finds_in_each_turn(records):
    rule = IdentityTermSkew()
    lexicon = rule.lexicon
    batch = [chat_record(turns, row) for row, turns in enumerate(records)]
    prepared = rule.new_state()
    rule.prepare(batch)
    for record in batch:
        prepared = rule.update(prepared, record)
    # without `prepare` (a record fixed since, or checked alone): the same counts
    alone = rule.new_state()
    for turns in records:
        alone = rule.update(alone, chat_record(turns))
    assert alone.mentions == prepared.mentions and alone.mentioned == prepared.mentioned
    mentions: dict[tuple[str, str], int] = {}
    for record in batch:
        words_ = ngrams.record_words(record)
        assert turn_counts(lexicon, words_, rule._matches(record)[1]) == plain_turn_counts(lexicon, words_)
        for role, found in zip(words_.roles, plain_turn_counts(lexicon, words_), strict=True):
            for group, n in found.items():
                if role in SIDES:
                    mentions[SIDES[role], group] = mentions.get((SIDES[role], group), 0) + n
    assert prepared.mentions == mentions


def test_a_record_whose_text_changes_after_prepare_is_matched_again():
    rule = IdentityTermSkew()
    record = chat_record([("user", "Ask the man."), ("assistant", "He said no.")])
    rule.prepare([record])
    set_text(record, record.messages[0], "Ask the woman in a wheelchair.")  # as a fix does
    state = rule.update(rule.new_state(), record)
    assert state.mentions == {("user", "female"): 1, ("user", "physical-disability"): 1, ("assistant", "male"): 1}


# -- skew between paired groups ---------------------------------------------------------------------------


def test_balanced_gender_passes(write_jsonl):
    assert dslint.scan(write_jsonl(skewed_chats(100, 100, 20)), select=["B002"]).count("B002") == 0
    # 53/47 is within the parity band even with many records
    assert dslint.scan(write_jsonl(skewed_chats(530, 470), "b.jsonl"), select=["B002"]).count("B002") == 0


def test_skewed_assistant_turns_are_reported_with_share_interval_and_rates(write_jsonl):
    rows = skewed_chats(140, 60, 50)
    for i, row in enumerate(rows[:200]):  # the user turns are balanced: half mention a man, half a woman
        row["messages"][0]["content"] += " Ask the man." if i % 2 else " Ask the woman."
    path = write_jsonl(rows)
    (found,) = dslint.scan(path, select=["B002"]).findings()
    assert found.message == (
        "assistant turns lean male: 70.0% of the 200 records whose assistant turns mention male and female terms "
        "unequally lean male (140; 95% CI 63.3%-75.9%, outside the parity band 45%-55%); male terms in 140 of 250 "
        "records (56.0%, 420 mentions), female terms in 60 of 250 records (24.0%, 180 mentions); first male "
        "mention here"
    )
    assert (found.row, found.line, found.field, found.severity) == (0, 1, "messages[1].content", "warning")
    assert found.fix is not None and "--unsafe-fixes" in found.fix


def test_tiny_counts_raise_no_alarm(write_jsonl):
    # 100% male, but only 20 records: below min-count
    path = write_jsonl(skewed_chats(20, 0))
    assert dslint.scan(path, select=["B002"]).count("B002") == 0
    assert dslint.scan(path, select=["B002"], rules={"B002": {"min-count": 10}}).count("B002") == 1
    # a wider band tolerates the 70/30 of the previous test
    path = write_jsonl(skewed_chats(140, 60), "b.jsonl")
    assert dslint.scan(path, select=["B002"], rules={"B002": {"max-deviation": 0.15}}).count("B002") == 0


def test_gsm8k_is_skewed_male_on_both_sides(tmp_path):
    found = dslint.scan(gsm8k(tmp_path), select=["B002"]).findings()
    assert [f.message for f in found] == [
        "assistant turns lean male: 58.3% of the 3,577 records whose assistant turns mention male and female "
        "terms unequally lean male (2,085; 95% CI 56.7%-59.9%, outside the parity band 45%-55%); male terms in "
        "2,287 of 7,473 records (30.6%, 6,220 mentions), female terms in 1,698 of 7,473 records (22.7%, 4,666 "
        "mentions); first male mention here",
        "user turns lean male: 57.4% of the 4,755 records whose user turns mention male and female terms "
        "unequally lean male (2,727; 95% CI 55.9%-58.7%, outside the parity band 45%-55%); male terms in 3,032 "
        "of 7,473 records (40.6%, 9,114 mentions), female terms in 2,344 of 7,473 records (31.4%, 7,214 "
        "mentions); first male mention here",
    ]
    assert [(f.row, f.field) for f in found] == [(4, "completion"), (4, "prompt")]  # "he" first at row 4


def test_rates_are_reported_on_request(write_jsonl):
    rows = skewed_chats(10, 10, 5)
    rows.append(chat("What do Muslims and Hindus eat?", "Many Muslims avoid pork; many Hindus avoid beef."))
    report = dslint.scan(write_jsonl(rows), select=["B002"], rules={"B002": {"report-rates": True}})
    assistant, user = report.findings()
    assert assistant.severity == "info" and user.severity == "info"
    assert assistant.message == (
        "identity-term rates in assistant turns (26 records): female 38.5% (10), male 38.5% (10), hindu 3.8% (1), "
        "muslim 3.8% (1)"
    )
    assert user.message == "identity-term rates in user turns (26 records): hindu 3.8% (1), muslim 3.8% (1)"


# -- association with labels ------------------------------------------------------------------------------


def toxicity_rows(seed: int = 0) -> list[dict]:
    rnd = random.Random(seed)
    rows = []
    for i in range(2000):
        mentions = i % 10 == 0
        text = ("My gay neighbour said hi" if mentions else "My neighbour said hi") + f" #{i}"
        text += " and he waved" if i % 2 else " and she waved"
        toxic = rnd.random() < (0.6 if mentions else 0.1)
        rows.append({"text": text, "label": "toxic" if toxic else "ok"})
    return rows


def test_label_rates_per_group_are_compared_with_a_confidence_interval(write_jsonl):
    (found,) = dslint.scan(write_jsonl(toxicity_rows()), select=["B002"]).findings()
    assert found.message == (
        'records whose input mentions gay-lesbian (sexual-orientation) are labelled "toxic" 52.5% of the time '
        "(105 of 200), the others 11.1% (199 of 1,800): a demographic-parity difference of +41.4 points (95% CI "
        '+34.4 to +48.4), beyond ±10 (labels from the "label" field)'
    )
    assert (found.row, found.field) == (0, "text")
    # male and female are compared too (here they are not different) and labels from replies count
    rows = [
        {"prompt": r["text"] + "\nToxic?", "completion": " yes" if r["label"] == "toxic" else " no"}
        for r in toxicity_rows()
    ]
    (found,) = dslint.scan(write_jsonl(rows, "pc.jsonl"), select=["B002"]).findings()
    assert 'labelled "yes" 52.5% of the time' in found.message
    assert found.message.endswith("(labels from the replies, read as labels)")


def test_a_gender_label_gap_is_reported(write_jsonl):
    rnd = random.Random(1)
    rows = []
    for i in range(600):
        male = i % 2 == 0
        text = f"{'He' if male else 'She'} applied for the loan #{i}."
        approved = rnd.random() < (0.7 if male else 0.4)
        rows.append({"text": text, "label": "approved" if approved else "denied"})
    found = dslint.scan(write_jsonl(rows), select=["B002"]).findings()
    messages = [f.message for f in found]
    assert any(
        m.startswith("records whose input leans male are labelled") and "a gender parity difference" in m
        for m in messages
    )
    assert any("mentions female (gender)" in m for m in messages)


def test_no_labels_or_too_many_labels_means_no_label_analysis(write_jsonl):
    rows = [{"text": f"{'He' if i % 2 else 'She'} wrote review {i}.", "label": f"id-{i}"} for i in range(400)]
    assert dslint.scan(write_jsonl(rows), select=["B002"]).count("B002") == 0


# -- counterfactual copies --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "swapped"),
    [
        ("He gave his book to him. The book is his.", "She gave her book to her. The book is hers."),
        ("She gave her book to her. The book is hers.", "He gave his book to him. The book is his."),
        (
            "I saw her. Her mother, Mrs. Smith, paid her 5 dollars.",
            "I saw him. His father, Mr. Smith, paid him 5 dollars.",
        ),
        ("He told her that her 3 cats gave her a headache.", "She told him that his 3 cats gave him a headache."),
        (
            "HIS father, Mr. Smith, told himself he was a good man.",
            "HER mother, Ms. Smith, told herself she was a good woman.",
        ),
        ("His 3 kids and his wife; the king and his sons.", "Her 3 kids and her husband; the queen and her daughters."),
        (
            "Hers is red; his is blue. The theme and the shepherd.",
            "His is red; hers is blue. The theme and the shepherd.",
        ),
    ],
)
def test_gender_swap_is_grammar_aware_and_keeps_case(text, swapped):
    rule = IdentityTermSkew()
    pattern, table = rule._swapper("gender")
    assert swap_words(text, pattern, table) == swapped


def test_clean_adds_marked_swapped_copies_to_reach_parity(tmp_path):
    path = gsm8k(tmp_path)
    out = tmp_path / "out"
    result = dslint.clean(path, out, unsafe_fixes=True, select=["B002"])
    totals = result.manifest.totals
    assert result.manifest.additions == {"B002": totals["added"]}
    assert totals["records"] == totals["kept"] == 7473 and 600 < totals["added"] < 900
    rows = read_rows(out / "gsm8k.jsonl")
    assert len(rows) == 7473 + totals["added"]
    copies = [i for i, row in enumerate(rows) if MARK in row]
    assert len(copies) == totals["added"]
    assert all(rows[i][MARK] == "gender-swap" for i in copies)
    first = copies[0]
    original, copy = rows[first - 1], rows[first]  # each copy right after its original
    assert MARK not in original
    assert original["prompt"].startswith("Mark has a garden with flowers. He planted")
    assert copy["prompt"] == original["prompt"].replace("He ", "She ").replace(" his ", " her ")
    lexicon = load_lexicon()
    flipped = 0
    for i in copies:  # the originals mention only male terms; the copies female ones (bar a few "Mr"/"Ms" swaps:
        # "Ms" is swapped but not counted, as "5 ms" and "MS" are mostly not a title)
        assert "female" not in lexicon.count(rows[i - 1]["prompt"] + "\n" + rows[i - 1]["completion"])
        found = lexicon.count(rows[i]["prompt"] + "\n" + rows[i]["completion"])
        flipped += "female" in found and "male" not in found
    assert flipped >= 0.98 * len(copies)
    # the cleaned copy is back within the parity band, so a second clean adds nothing
    assert dslint.scan(out / "gsm8k.jsonl", select=["B002"]).count("B002") == 0
    again = dslint.clean(out / "gsm8k.jsonl", tmp_path / "again", unsafe_fixes=True, select=["B002"])
    assert again.manifest.totals["added"] == 0 and again.manifest.additions == {}
    # the same input and config give the same bytes
    twice = dslint.clean(path, tmp_path / "twice", unsafe_fixes=True, select=["B002"])
    assert (tmp_path / "twice" / "gsm8k.jsonl").read_bytes() == (out / "gsm8k.jsonl").read_bytes()
    assert twice.manifest.totals == totals


def test_copies_are_opt_in_and_all_mode_copies_every_eligible_record(write_jsonl, tmp_path):
    path = write_jsonl(skewed_chats(140, 60, 10))
    safe = dslint.clean(path, tmp_path / "safe", select=["B002"])
    assert safe.manifest.totals["added"] == 0
    parity = dslint.clean(path, tmp_path / "parity", unsafe_fixes=True, select=["B002"])
    assert 50 <= parity.manifest.totals["added"] <= 110  # about 140 - 60 = 80
    every = dslint.clean(path, tmp_path / "all", unsafe_fixes=True, select=["B002"], rules={"B002": {"augment": "all"}})
    assert every.manifest.totals["added"] == 140
    rows = read_rows(tmp_path / "all" / "train.jsonl")
    assert rows[1] == {
        "messages": [
            {"role": "user", "content": "Tell me about engineer 0."},
            {"role": "assistant", "content": "She is an engineer and her team likes her (0)."},
        ],
        MARK: "gender-swap",
    }
    assert rows[0] == skewed_chats(1, 0)[0]


def test_content_parts_and_alpaca_history_are_swapped(make_record):
    rule = IdentityTermSkew()
    rows = [chat("Who is he?", "He is my brother.")] * 60
    state = rule.new_state()
    for i, row in enumerate(rows):
        state = rule.update(state, make_record(row, row=i))
    assert rule.skews(state)
    parts = {
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "Is he tall?"}, {"type": "image_url", "image_url": {}}],
            },
            {"role": "assistant", "content": "Yes, he is."},
        ]
    }
    (copy,) = IdentityTermSkew(IdentityTermSkewOptions(augment="all")).augment(make_record(parts), state)
    assert copy["messages"][0]["content"][0]["text"] == "Is she tall?"
    assert copy["messages"][0]["content"][1] == {"type": "image_url", "image_url": {}}
    alpaca = {"instruction": "Describe him.", "output": "He is kind.", "history": [["Who is he?", "My uncle."]]}
    (copy,) = IdentityTermSkew(IdentityTermSkewOptions(augment="all")).augment(make_record(alpaca), state)
    assert copy["history"] == [["Who is she?", "My aunt."]] and copy["output"] == "She is kind."
    assert alpaca["output"] == "He is kind."  # the original row is not touched
    # a copy is never copied again, and a record that mentions both groups is not copied
    marked = make_record({**alpaca, MARK: "gender-swap"})
    assert rule.augment(marked, state) == []
    both = make_record(chat("Is he her brother?", "Yes."))
    assert IdentityTermSkew(IdentityTermSkewOptions(augment="all")).augment(both, state) == []


# -- state, engine, options -------------------------------------------------------------------------------


def test_state_merges_associatively(make_record, write_jsonl):
    rule = IdentityTermSkew()
    rows = skewed_chats(7, 3, 2) + toxicity_rows()[:20]
    records = [make_record(r, path=f"part{i % 3}.jsonl", row=i, line=i + 1) for i, r in enumerate(rows)]
    whole = rule.new_state()
    for r in records:
        whole = rule.update(whole, r)
    a, b, c = rule.new_state(), rule.new_state(), rule.new_state()
    for i, r in enumerate(records):
        k = 0 if i < 5 else 1 if i < 17 else 2
        if k == 0:
            a = rule.update(a, r)
        elif k == 1:
            b = rule.update(b, r)
        else:
            c = rule.update(c, r)
    assert rule.merge(rule.merge(a, b), c) == rule.merge(a, rule.merge(b, c)) == whole
    # label overflow is associative too
    small = IdentityTermSkew(IdentityTermSkewOptions.model_validate({"max-labels": 2}))
    x, y, z = small.new_state(), small.new_state(), small.new_state()
    x = small.update(x, make_record({"text": "he", "label": "a"}))
    y = small.update(y, make_record({"text": "she", "label": "b"}))
    z = small.update(z, make_record({"text": "he", "label": "c"}))
    assert small.merge(small.merge(x, y), z) == small.merge(x, small.merge(y, z))
    assert small.merge(x, small.merge(y, z)).field_labels.overflow


def test_report_is_identical_for_one_and_two_jobs(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name, rows in (("a.jsonl", skewed_chats(80, 20)), ("b.jsonl", toxicity_rows())):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    one = dslint.scan(folder, select=["B002"], jobs=1, rules={"B002": {"report-rates": True}})
    two = dslint.scan(folder, select=["B002"], jobs=2, rules={"B002": {"report-rates": True}})
    assert one.count("B002") >= 3
    assert one.to_json() == two.to_json()


def test_a_custom_lexicon_can_be_given(tmp_path, write_jsonl):
    lexicon = tmp_path / "pets.toml"
    lexicon.write_text(
        '[axes.pets]\ncat-people = ["cat", "cats"]\ndog-people = ["dog", "dogs"]\n\n[pairs]\npets = ["cat-people", '
        '"dog-people"]\n',
        encoding="utf-8",
    )
    rows = [chat(f"Pet {i}?", "A cat." if i % 5 else "A dog.") for i in range(200)]
    report = dslint.scan(write_jsonl(rows), select=["B002"], rules={"B002": {"lexicon": str(lexicon)}})
    (found,) = report.findings()
    assert found.message.startswith("assistant turns lean cat-people: 80.0% of the 200 records")
    assert found.fix is None  # no swap table for this pair
    with pytest.raises(ConfigError, match="cannot read the lexicon"):
        dslint.scan(
            write_jsonl(rows, "b.jsonl"), select=["B002"], rules={"B002": {"lexicon": str(tmp_path / "no.toml")}}
        )
    lexicon.write_text('[axes.pets]\ncat = ["cat"]\n\n[pairs]\npets = ["cat", "dog"]\n', encoding="utf-8")
    load_lexicon.cache_clear()
    with pytest.raises(ConfigError, match="must name two groups"):
        dslint.scan(write_jsonl(rows, "c.jsonl"), select=["B002"], rules={"B002": {"lexicon": str(lexicon)}})


def test_severity_fix_and_documentation():
    assert IdentityTermSkew.default_severity == Severity.WARNING
    assert IdentityTermSkew.fix_applicability.value == "unsafe"
    doc = IdentityTermSkew.documentation()
    for part in ("**What it does**", "**Why it matters**", "**Example**", "**Fix**", "dslint_augmented", "Wilson"):
        assert part in doc
