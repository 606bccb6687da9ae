"""dslint.text.content: normalised texts and content keys for the duplicate rules."""

from hypothesis import given
from hypothesis import strategies as st

from dslint.rules.base import repair_message, set_text
from dslint.text.content import _collapse, content_key, folded_texts, normalise_text, normalised_texts

#: Every character `str.split` splits on, a few that look like spaces but are not (U+200B, U+FEFF, U+180E), and
#: letters, digits and punctuation, some with case folds that change their length.
SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
ALPHABET = SPACES + "\u200b\ufeff\u180eaZ9.\u00df\u0130\u2019\u2014\u00e9\u4e2d\U0001f600"


def test_normalise_text():
    assert normalise_text("  Hello\t\tWORLD \n \u00df\u00a0x ") == "hello world ss x"
    assert normalise_text("") == ""


@given(st.text(alphabet=ALPHABET, max_size=40))
def test_collapse_is_normalise_text_on_folded_bytes(text):
    folded = text.casefold().encode("utf-8", "surrogatepass")
    assert _collapse(folded) == normalise_text(text).encode("utf-8", "surrogatepass")


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
    set_text(record, record.messages[0], "C")  # a fix replaces the text: normalised again
    assert normalised_texts(record) == [b"c"]
    assert content_key(record) != key


def test_fix_helpers_forget_what_was_derived_from_the_old_texts(make_record):
    record = make_record(
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "X  b"}, {"type": "image_url"}]},
                {"role": "assistant", "content": "Same"},
            ]
        }
    )
    assert normalised_texts(record) == [b"x b", b"same"] and folded_texts(record)
    assert repair_message(record, record.messages[0], lambda text: text.replace("X", "A"))
    assert record.derived == {}
    assert normalised_texts(record) == [b"a b", b"same"]
    key = content_key(record)
    set_text(record, record.messages[1], "Other")
    assert record.derived == {}
    assert content_key(record) != key and normalised_texts(record) == [b"a b", b"other"]
