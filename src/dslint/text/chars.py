"""Character prechecks shared by the text rules that look for rare characters (mojibake, invisible characters).

Such a rule would otherwise run a character-class regex over every character of every non-ASCII text, ~3 ns a
character. But in most data the non-ASCII characters are few (in chat data mostly typographic quotes and dashes),
so `unusual_chars` hands the rule just those, in three C passes, and the regex searches a few characters instead
of the whole text.
"""

from __future__ import annotations

#: Printable ASCII, tab, line feed and carriage return: characters none of these rules looks for.
PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"

#: The last texts' results, by `id(text)`, each with its text (an id is reused once its object is freed): the
#: rules ask for the same texts one after another, so each text is encoded once. Cleared when full.
_recent: dict[int, tuple[str, str]] = {}
_RECENT = 64


def unusual_chars(text: str) -> str:
    """The characters of `text` other than `PLAIN_ASCII`, in text order ("" for most texts).

    A character class without `PLAIN_ASCII` members matches somewhere in `text` exactly when it matches in
    `unusual_chars(text)`, so a rule can search this instead, then look at the text itself only on a hit. It
    costs a UTF-8 encode, a byte deletion and the decode of what is left (~1 us for a 700-character non-ASCII
    text, a third of a regex search over it), once per text. Lone surrogates pass through (`surrogatepass`).
    """
    key = id(text)
    hit = _recent.get(key)
    if hit is not None and hit[0] is text:
        return hit[1]
    found = text.encode("utf-8", "surrogatepass").translate(None, PLAIN_ASCII).decode("utf-8", "surrogatepass")
    if len(_recent) >= _RECENT:
        _recent.clear()
    _recent[key] = (text, found)
    return found
