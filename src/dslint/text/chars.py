"""Character prechecks shared by the text rules that look for rare characters (mojibake, invisible characters).

Such a rule would otherwise run a character-class regex over every character of every non-ASCII text, ~3 ns a
character. But in most data the non-ASCII characters are few (in chat data mostly typographic quotes and dashes),
so `unusual_chars` hands the rule just those, in three C passes, and the regex searches a few characters instead
of the whole text.
"""

from __future__ import annotations

#: Printable ASCII, tab, line feed and carriage return: characters none of these rules looks for.
PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"


def unusual_chars(text: str) -> str:
    """The characters of `text` other than `PLAIN_ASCII`, in text order ("" for most texts).

    A character class without `PLAIN_ASCII` members matches somewhere in `text` exactly when it matches in
    `unusual_chars(text)`, so a rule can search this instead, then look at the text itself only on a hit. It
    costs a UTF-8 encode, a byte deletion and the decode of what is left (~1 us for a 700-character non-ASCII
    text, a third of a regex search over it). Lone surrogates pass through (`surrogatepass`).

    Not memoised: a cache of recent texts, for the rules that ask about the same text, measured slower in a
    whole scan than computing it twice (it keeps old texts alive, and the look-up costs about as much).
    """
    return text.encode("utf-8", "surrogatepass").translate(None, PLAIN_ASCII).decode("utf-8", "surrogatepass")
