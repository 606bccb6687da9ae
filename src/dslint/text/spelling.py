"""Spelling: the shipped word lists, a tokenizer of prose words, and suggestions for misspelt words.

Four pieces, shared by the spelling rules:

- `word_list(language)`: the shipped frequency list of a language, loaded once per process (cached), as a
  `frozenset` for membership (~6M look-ups/s) plus the counts, and a symmetric-delete index (SymSpell's search,
  Damerau OSA distance: `dslint.text.edits`) built lazily, on the first `suggest` call only: it takes ~0.2 s
  and ~25 MB, and suggestions run ~1k words/s, so callers ask only for the few words they report. Only English
  ships: symspellpy's `frequency_dictionary_en_82_765.txt` (~83k lowercase words with counts from Google's web
  corpus, inside the symspellpy package; it leans British and lacks many American spellings and inflections,
  which `check_word` makes up for), plus `SUPPLEMENT`, a few common chat words it lacks. `LANGUAGES` lists what
  ships; another language needs a word list added to `SHIPPED` (and its own spelling rules in `check_word`).
- `candidate_words(text)`: the fast path, one `re.findall` over the lowercased text. It returns a superset of
  the keys of the words `prose_words` can yield, so `candidate_words(text) - words` empty means "nothing to
  check here" for most texts.
- `prose_words(text, keys)`: the precise pass with positions, for the few unknown words of a text. It skips
  what every spellchecker wrongly flags: fenced and inline code, URLs, e-mail addresses, @mentions and
  #hashtags, paths, file and dotted names (`os.path`, `e.g.`), numbers and words with digits or underscores,
  HTML tags and entities, `{placeholders}`, JSON keys and the words glued to JSON escapes (`\\nword`), both
  parts of hyphenated compounds, camelCase/PascalCase/ALLCAPS words and g-dropping (`growin'`). It classifies
  each word as lowercase, capitalised at the start of a sentence (or line), or capitalised inside a sentence
  (a proper noun, as far as one text can tell).

Apostrophes: contractions are kept whole (`don't`, `they're`: the list holds them) and a possessive `'s` is
dropped (`teacher's` is checked as `teacher`); curly apostrophes are read as straight ones.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Iterator
from importlib import resources
from itertools import filterfalse
from typing import NamedTuple

from dslint.text.code import CodeSpans
from dslint.text.edits import NearbyWords

#: Shipped word lists: language -> (package, resource). Each is a "word count" frequency list, lowercase.
SHIPPED: dict[str, tuple[str, str]] = {"en": ("symspellpy", "frequency_dictionary_en_82_765.txt")}
LANGUAGES: tuple[str, ...] = tuple(SHIPPED)

#: Common words a shipped list lacks (known, count 0: never suggested): chat interjections and abbreviations.
SUPPLEMENT: dict[str, tuple[str, ...]] = {
    "en": (
        *("ok", "okay", "tv", "mr", "ms", "mrs", "dr", "vs", "oh", "uh", "um", "eh", "ya", "yo", "hmm", "lol"),
        *("btw", "email", "emails", "online"),
    ),
}

#: The longest edit distance `suggest` looks at (the index is built for it).
MAX_EDIT_DISTANCE = 2


class SpellingError(RuntimeError):
    """An unknown language, or a shipped word list that cannot be read."""


class Suggestion(NamedTuple):
    """A dictionary word near a misspelt one: the word, its edit distance and its corpus count."""

    word: str
    distance: int
    frequency: int


class WordList:
    """One language's shipped word list: `word in wl` (lowercase), `count(word)` and `suggest(word)`."""

    def __init__(self, language: str, counts: dict[str, int]) -> None:
        self.language = language
        self.counts = counts
        self.words: frozenset[str] = frozenset(counts)
        self._nearby: NearbyWords | None = None
        self._known_ascii: frozenset[bytes] | None = None

    def unknown_ascii(self, text: str) -> set[bytes]:
        """A cheap screen for `candidate_words(text) - words`: the text's runs of ASCII letters, lowercased, that
        are not in the list (a contraction counts by its stem: `isn't` -> `isn`, `t`). Empty for most texts, which
        then need no closer look; ~5x faster than the regex (bytes.translate and split run in C)."""
        # filterfalse runs the membership test in C without first building a set of every word (~25% faster)
        return set(filterfalse(self.known_ascii().__contains__, ascii_words([text])))

    def known_ascii(self) -> frozenset[bytes]:
        """The list's ASCII words as `ascii_words` splits them (`isn't` -> `isn`, `t`), as bytes; built on first use."""
        known = self._known_ascii
        if known is None:
            known = self._known_ascii = _ascii_known(self.words)
        return known

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def __len__(self) -> int:
        return len(self.words)

    def count(self, word: str) -> int:
        """The word's corpus count (0 when it is not in the list)."""
        return self.counts.get(word, 0)

    def suggest(self, word: str, max_distance: int = MAX_EDIT_DISTANCE) -> list[Suggestion]:
        """The list's words within `max_distance` edits of `word` (lowercase), nearest then most frequent first.

        Builds the index on first use (~0.2 s; `dslint.text.edits`); call it only for words about to be reported.
        """
        if self._nearby is None:
            # the supplement's words (count 0) are known, never suggested
            self._nearby = NearbyWords((w for w, count in self.counts.items() if count > 0), MAX_EDIT_DISTANCE)
        found = self._nearby.within(word, max_distance)
        out = [Suggestion(w, distance, self.counts[w]) for w, distance in found]
        out.sort(key=lambda s: (s.distance, -s.frequency, s.word))
        return out


#: bytes.translate table: ASCII letters lowercased, every other byte a space.
_ASCII_LETTERS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))


def ascii_words(texts: Iterable[str]) -> list[bytes]:
    """The texts' runs of ASCII letters, lowercased, as bytes (`Don't stop` -> `don`, `t`, `stop`; any other
    character, non-ASCII letters included, ends a run, and so does the end of each text).

    A few C passes: UTF-8 encode (a copy, for text the tokenizer has already read: it keeps the UTF-8 form),
    join, translate (every non-letter byte, those of non-ASCII characters included, becomes a space), split.
    """
    data = b"\n".join([text.encode("utf-8", "surrogatepass") for text in texts])
    return data.translate(_ASCII_LETTERS).split()


def _ascii_known(words: frozenset[str]) -> frozenset[bytes]:
    """The list's ASCII words as bytes, with each contraction's pieces (`isn't` -> `isn`, `t`)."""
    known: set[bytes] = set()
    for word in words:
        if word.isascii():
            known.update(word.encode().translate(_ASCII_LETTERS).split())
    return frozenset(known)


@functools.cache
def word_list(language: str = "en") -> WordList:
    """The shipped word list of `language`, loaded once per process."""
    if language not in SHIPPED:
        raise SpellingError(f"no word list ships for language {language!r} (available: {', '.join(LANGUAGES)})")
    package, name = SHIPPED[language]
    try:
        text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError) as exc:
        raise SpellingError(f"the {language} word list ({package}/{name}) cannot be read: {exc}") from None
    counts: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0].lower()] = int(parts[1])
    if not counts:
        raise SpellingError(f"the {language} word list ({package}/{name}) is empty")
    for word in SUPPLEMENT.get(language, ()):
        counts.setdefault(word, 0)
    return WordList(language, counts)


# -- tokenizer --------------------------------------------------------------------------------------------

#: A word: letters, optionally a contraction's tail (kept: the list holds "don't"), then optionally a
#: possessive 's (dropped: the list has no possessives). Group 1 is the word as checked.
_WORD = r"([^\W\d_]+(?:['\u2019](?:t|re|ve|ll|d|m)\b)?)(?:['\u2019]s\b)?"

#: A prose word at a given position (matched there by `prose_words`; the lookarounds see the text around it):
#: not glued to code-like characters before it (`.bashrc`, `<div`, `&amp;`, `{name}`, `@user`, `#tag`, `a/b`,
#: `x=y`, `snake_case`, `3rd`; after a JSON escape `\nword` the word starts after the letter), nor followed by
#: more word characters (`mp3`), an @ (e-mails), a = (attributes, keyword arguments), `{`/`}`, a dotted, path
#: or namespace continuation (`os.path`, `e.g`, `path/to`, `std::vector`, `https://`) or a JSON key's closing
#: quote and colon; neither part of a hyphenated compound (`indo-european`, `e-mail`).
_PROSE_WORD = re.compile(rf"(?:(?<![\w./\\@#$%&<{{=-])|(?<=\\[nrt])){_WORD}(?![\w@={{}}]|[./\\:-]\w|::|://|[\"']\s*:)")

#: The typographic apostrophe, read as a straight one.
RIGHT_QUOTE = "\u2019"

#: Characters walked over when looking back for a sentence start: spaces, quotes, brackets, list bullets.
_LOOKBACK_SKIP = frozenset(" \t\"'\u201c\u201d\u2018\u2019([{*_>#\u2022\u00b7\u2013\u2014-")
_SENTENCE_END = frozenset(".!?:;…")


class Word(NamedTuple):
    """A prose word found in a text: its span, the word as written, and how it is capitalised."""

    start: int
    end: int
    text: str
    case: int  # LOWER, START or PROPER


#: `Word.case`: all lowercase; capitalised at a sentence or line start; capitalised inside a sentence.
LOWER, START, PROPER = 0, 1, 2

#: The fast path's words: runs of ASCII letters with a contraction's tail, in the lowercased text. As keys, a
#: superset of the ASCII words `_PROSE_WORD` can capture (it adds lookarounds to skip what is not prose). A word
#: with other letters (`café`) comes out in ASCII pieces that never match a whole word: the word lists are
#: ASCII, so such words are never checked (25% faster than a Unicode letter class).
_FAST = re.compile(r"[a-z]+(?:'(?:t|re|ve|ll|d|m)\b)?")


_ESCAPE = re.compile(r"\\[nrt]")


def _lower(text: str) -> str:
    """Lowercase, straight apostrophes, JSON escapes (`\\n`) blanked: same length, so positions carry over."""
    lowered = text.lower()
    if RIGHT_QUOTE in lowered:
        lowered = lowered.replace(RIGHT_QUOTE, "'")
    if "\\" in lowered:
        lowered = _ESCAPE.sub("  ", lowered)
    return lowered


def candidate_words(text: str) -> set[str]:
    """The distinct lowercased ASCII words of `text`, as `word_key` writes them: a superset of the keys of the
    ASCII words `prose_words` can find, cheap (one `re.findall`)."""
    return set(_FAST.findall(_lower(text)))


def word_key(word: str) -> str:
    """The form a word is looked up and counted by: lowercase, straight apostrophes."""
    key = word.lower()
    return key.replace(RIGHT_QUOTE, "'") if RIGHT_QUOTE in key else key


def prose_words(text: str, keys: Collection[str]) -> list[Word]:
    """The occurrences in `text` of the words whose `word_key` is in `keys`, in text order, with their spans, where
    they are prose (see the module docstring): code, URLs, identifiers and the like are left out.

    Each occurrence is found with `str.find` and confirmed by matching `_PROSE_WORD` at its position (its lookarounds
    see the text around it), so the cost is in the few words asked for, not the text. Yielded words are all
    lowercase or capitalised (`Word`, not `WORD` or `wOrd`).
    """
    lowered = _lower(text)
    if len(lowered) != len(text):  # a character whose lowercase is longer (İ): find in the text itself
        starts = {m.start() for key in keys for m in re.finditer(re.escape(key), text, re.IGNORECASE)}
    else:
        starts = set()
        for key in keys:
            i = lowered.find(key)
            while i >= 0:
                starts.add(i)
                i = lowered.find(key, i + 1)
    code: CodeSpans | None = None
    if starts and ("`" in text or "~~~" in text):
        code = CodeSpans(text) or None
    out = []
    match = _PROSE_WORD.match
    for start in sorted(starts):
        m = match(text, start)
        word = m.group(1) if m else None
        if not word or m is None or m.start(1) != start or word_key(word) not in keys:
            continue
        end = m.end(1)
        if code is not None and code.contains(start):
            continue
        if text[end : end + 1] in ("'", RIGHT_QUOTE) and word.endswith("in") and not text[end + 1 : end + 2].isalpha():
            continue  # growin': a dropped g, written on purpose
        if _in_url(text, start, end):
            continue
        if word.islower():
            case = LOWER
        elif word[0].isupper() and (len(word) == 1 or word[1:].islower()):
            case = START if _sentence_start(text, start) else PROPER
        else:
            continue  # ALLCAPS, camelCase, PascalCase: an identifier or an acronym
        out.append(Word(start, end, word, case))
    return out


def _in_url(text: str, start: int, end: int) -> bool:
    """Whether the whitespace-delimited chunk around a word is a URL (its words may follow `+`, `,`, `~`...)."""
    lo, hi = max(0, start - 200), min(len(text), end + 200)
    a = max(text.rfind(" ", lo, start), text.rfind("\n", lo, start), text.rfind("\t", lo, start)) + 1
    ends = [i for i in (text.find(" ", end, hi), text.find("\n", end, hi), text.find("\t", end, hi)) if i >= 0]
    chunk = text[a : min(ends) if ends else hi]
    return "://" in chunk or "www." in chunk or "WWW." in chunk


def _sentence_start(text: str, pos: int) -> bool:
    """Whether `pos` starts a sentence: nothing but quotes, brackets and bullets between it and the start of
    the text, a line break or a sentence-ending mark (a JSON-escaped `\\n` counts as a line break)."""
    i = pos - 1
    while i >= 0:
        c = text[i]
        if c == "\n" or c == "\r":
            return True
        if c in _LOOKBACK_SKIP:
            i -= 1
            continue
        if c in "nrt" and i > 0 and text[i - 1] == "\\":
            return True
        return c in _SENTENCE_END
    return True


# -- deciding: a valid form the list lacks, or a misspelling? ----------------------------------------------

#: A suggestion must be at least this frequent in the list's corpus (the list's rarest words are odd).
MIN_SUGGESTION_COUNT = 100_000
#: A word shorter than this (in letters) needs a distance-1, typo-like edit to a very frequent word.
SHORT_WORD = 4
SHORT_WORD_MIN_COUNT = 100_000_000
#: Words up to this long have many listed neighbours (abbreviations, names): a suggestion must be this frequent.
MEDIUM_WORD = 5
MEDIUM_WORD_MIN_COUNT = 10_000_000
#: Distance-2 suggestions only for words at least this long.
MIN_LENGTH_DISTANCE_2 = 6

_VOWELS = frozenset("aeiouy")
_SUB_VOWELS = frozenset("aeiou")
_KEY_ROWS = (("qwertyuiop", 0.0), ("asdfghjkl", 0.25), ("zxcvbnm", 0.75))
_KEY_POS = {c: (r, col + off) for r, (row, off) in enumerate(_KEY_ROWS) for col, c in enumerate(row)}


def _adjacent_keys(a: str, b: str) -> bool:
    """Neighbours on a QWERTY keyboard (a fat-finger slip)."""
    pa, pb = _KEY_POS.get(a), _KEY_POS.get(b)
    if pa is None or pb is None or a == b:
        return False
    return abs(pa[0] - pb[0]) <= 1 and abs(pa[1] - pb[1]) <= (1.0 if pa[0] == pb[0] else 0.8)


#: Suffixes of inflections and derivations, with the stem endings they may have dropped (tried in order).
_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ies", ("y",)),
    ("ied", ("y",)),
    ("ier", ("y",)),
    ("iest", ("y",)),
    ("ily", ("y",)),
    ("iness", ("y",)),
    ("es", ("", "e")),
    ("s", ("",)),
    ("ed", ("", "e")),
    ("d", ("",)),
    ("ing", ("", "e")),
    ("ers", ("", "e")),
    ("er", ("", "e")),
    ("est", ("", "e")),
    ("ly", ("", "le")),
    ("ness", ("",)),
    ("ments", ("",)),
    ("ment", ("",)),
    ("ability", ("", "e")),
    ("able", ("", "e")),
    ("ibility", ("", "e")),
    ("ible", ("", "e")),
    ("ful", ("",)),
    ("less", ("",)),
    ("ish", ("", "e")),
    ("isms", ("",)),
    ("ism", ("",)),
    ("ists", ("", "e")),
    ("ist", ("", "e")),
    ("ity", ("", "e")),
    ("ization", ("", "e")),
    ("isation", ("", "e")),
    ("izing", ("", "e")),
    ("ising", ("", "e")),
    ("ized", ("", "e")),
    ("ised", ("", "e")),
    ("izes", ("", "e")),
    ("ises", ("", "e")),
    ("ize", ("", "e")),
    ("ise", ("", "e")),
    ("ally", ("",)),
    ("al", ("", "e")),
    ("ees", ("",)),
    ("ee", ("",)),
    ("ship", ("",)),
    ("ships", ("",)),
    ("hood", ("",)),
    ("wise", ("",)),
)
#: The word after a prefix must be this frequent (`mid` + `dele` is no derivation of `middele`).
_PREFIXED_MIN_COUNT = 1_000_000
_PREFIXES = (
    *("anti", "auto", "bio", "co", "counter", "cross", "cyber", "de", "dis", "eco", "hyper", "inter", "micro"),
    *("mid", "mini", "mis", "multi", "non", "out", "over", "post", "pre", "pro", "re", "self", "semi", "sub"),
    *("super", "trans", "ultra", "un", "under"),
)
#: American <-> British spelling patterns (either way round): color/colour, analyze/analyse, center/centre,
#: catalog/catalogue, defense/defence, traveled/travelled (before a suffix), pediatric/paediatric.
_VARIANTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b)
    for a, b in (
        (r"(?<=[a-z][lvmnbhdgri])or", "our"),
        (r"(?<=[a-z])our(?=s?$|ed$|ing$|ful|ite|able|ably|less|ist|ism)", "or"),
        (r"(?<=[a-z])iz(?=e|ing|ation)", "is"),
        (r"(?<=[a-z])is(?=e|ing|ation)", "iz"),
        (r"(?<=[a-z])yz(?=e|ing)", "ys"),
        (r"(?<=[a-z])ys(?=e|ing)", "yz"),
        (r"(?<=[a-z][^aeiou])er(?=s?$)", "re"),
        (r"(?<=[a-z][tb])er(?![aeiouy])", "re"),
        (r"(?<=[a-z][^aeiou])ered$", "red"),
        (r"(?<=[a-z][^aeiou])ering$", "ring"),
        (r"(?<=[a-z][^aeiou])re(?=s?$)", "er"),
        (r"(?<=[a-z][^aeiou])red$", "ered"),
        (r"(?<=[a-z])og(?=s?$)", "ogue"),
        (r"(?<=[a-z])oged$", "ogued"),
        (r"(?<=[a-z])oging$", "oguing"),
        (r"(?<=[a-z])ogue(?=s?$)", "og"),
        (r"(?<=[a-z])ogued$", "oged"),
        (r"(?<=[a-z])ense(?=s?$)", "ence"),
        (r"(?<=[a-z])ence(?=s?$)", "ense"),
        (r"(?<=[aeiou])l(?=ed$|ing$|er$|ers$|ors?$|en$|ment|ation)", "ll"),
        (r"(?<=[aeiou])ll(?=ed$|ing$|er$|ers$|ors?$|en$|ment|ation)", "l"),
        (r"(?<=[a-z])e(?=[a-z])", "ae"),
        (r"(?<=[a-z])e(?=[a-z])", "oe"),
        (r"(?<=[a-z])ae(?=[a-z])", "e"),
        (r"(?<=[a-z])oe(?=[a-z])", "e"),
        (r"(?<=[a-z])ic(?=ing$|ed$|es$)", "is"),
        (r"(?<=dg)ment(?=s?$)", "ement"),
        (r"(?<=dg)ement(?=s?$)", "ment"),
    )
)


#: American spellings the patterns miss, as the British stem the list holds (`molded` -> `moulded`).
_US_UK = {
    "aluminum": "aluminium",
    "artifact": "artefact",
    "ax": "axe",
    "chili": "chilli",
    "cozy": "cosy",
    "donut": "doughnut",
    "jewelry": "jewellery",
    "licorice": "liquorice",
    "mold": "mould",
    "molt": "moult",
    "mom": "mum",
    "mustache": "moustache",
    "omelet": "omelette",
    "pajama": "pyjama",
    "plow": "plough",
    "skeptic": "sceptic",
    "smolder": "smoulder",
    "specialt": "specialit",
    "sulf": "sulph",
    "tidbit": "titbit",
    "whiskey": "whisky",
    "wintery": "wintry",
    "yogurt": "yoghurt",
}
_US_UK_RE = re.compile("|".join(sorted(_US_UK, key=len, reverse=True)))


def _spelling_variants(word: str) -> Iterator[str]:
    for pattern, repl in _VARIANTS:
        for m in pattern.finditer(word):
            yield word[: m.start()] + repl + word[m.end() :]
    for m in _US_UK_RE.finditer(word):
        british = word[: m.start()] + _US_UK[m.group()] + word[m.end() :]
        yield british
        for stem, _ in _stems(british):
            yield stem


def _stems(word: str) -> Iterator[tuple[str, str]]:
    """(stem, suffix) splits of `word` by the suffix rules, spelling rules applied (`-ches` not `-chs`,
    `tried` not `tryed`), doubled final consonants undone (`stopped` -> `stop`)."""
    for suffix, endings in _SUFFIXES:
        if not word.endswith(suffix) or len(word) - len(suffix) < 2:
            continue
        base = word[: -len(suffix)]
        if suffix == "s" and (base.endswith(("s", "x", "z", "ch", "sh")) or _consonant_y(base)):
            continue  # boxs, attachs, citys: not an English inflection
        if suffix == "d" and not base.endswith("e"):
            continue
        if suffix in ("ed", "er", "ers", "est", "ly", "ness", "ful", "less", "ment", "ments") and _consonant_y(base):
            continue  # tryed, happyness: the y becomes i
        for ending in endings:
            yield base + ending, suffix
        if len(base) >= 3 and base[-1] == base[-2] and base[-1] not in _VOWELS and suffix[0] in "aeiouy":
            yield base[:-1], suffix


def _consonant_y(base: str) -> bool:
    return len(base) >= 2 and base[-1] == "y" and base[-2] not in _VOWELS


def _edit_ops(word: str, target: str) -> list[tuple[str, int, int]]:
    """The edits turning `word` into `target` (optimal string alignment): ("sub", i, j), ("extra", i, j) (a letter
    of `word` that `target` lacks), ("missing", i, j) (a letter of `target` that `word` lacks), ("swap", i, j)."""
    n, m = len(word), len(target)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = 0 if word[i - 1] == target[j - 1] else 1
            best = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and word[i - 1] == target[j - 2] and word[i - 2] == target[j - 1]:
                best = min(best, d[i - 2][j - 2] + 1)
            d[i][j] = best
    ops: list[tuple[str, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and word[i - 1] == target[j - 1] and d[i][j] == d[i - 1][j - 1]:
            i, j = i - 1, j - 1
        elif i > 0 and j > 0 and d[i][j] == d[i - 1][j - 1] + 1:
            ops.append(("sub", i - 1, j - 1))
            i, j = i - 1, j - 1
        elif (
            i > 1
            and j > 1
            and word[i - 1] == target[j - 2]
            and word[i - 2] == target[j - 1]
            and d[i][j] == d[i - 2][j - 2] + 1
        ):
            ops.append(("swap", i - 2, j - 2))
            i, j = i - 2, j - 2
        elif i > 0 and d[i][j] == d[i - 1][j] + 1:
            ops.append(("extra", i - 1, j))
            i -= 1
        else:
            ops.append(("missing", i, j - 1))
            j -= 1
    return ops


def _typo_like(op: tuple[str, int, int], word: str, target: str, strong: bool = False) -> bool:
    """Whether one edit looks like a slip of the keyboard or of spelling rather than a different word:
    swapped letters, a doubled or undoubled letter, a vowel slip inside a word of 5+ letters, a neighbouring
    key. Edits at the first letter, and endings added or dropped, read as different words (`lense`, `codec`).
    Words under `SHORT_WORD` letters allow only swaps, doubling and neighbouring-key substitutions; `strong`
    (for distance 2) allows only swaps, doubling and vowel slips."""
    kind, i, j = op
    short = len(word) < SHORT_WORD
    if kind == "swap":
        return True
    if kind == "extra":
        c = word[i]
        doubled = (i > 0 and word[i - 1] == c) or (i + 1 < len(word) and word[i + 1] == c)
        if doubled:
            return not (short and word[i:] == c * (len(word) - i))  # `hee`: a short word drawn out
        if i == 0 or i == len(word) - 1 or short:
            return False
        if c in _VOWELS and len(word) >= 5:
            return True
        return not strong and len(word) >= 6 and (_adjacent_keys(c, word[i - 1]) or _adjacent_keys(c, word[i + 1]))
    if kind == "missing":
        c = target[j]
        if (j > 0 and target[j - 1] == c) or (j + 1 < len(target) and target[j + 1] == c):
            return True
        if j == 0 or j == len(target) - 1 or short:
            return False
        if c in _VOWELS and len(word) >= 5:
            return True
        return not strong and len(target) >= 7
    a, b = word[i], target[j]  # substitution
    if i == 0 or i == len(word) - 1:
        return False  # a different first or last letter: more often another word (lense, codec) than a slip
    if (a in _SUB_VOWELS and b in _SUB_VOWELS) or {a, b} == {"i", "y"}:  # seperate, definately, tryed
        return len(word) >= 5
    return not strong and _adjacent_keys(a, b)


def _slips(word: str, target: str, strong: bool = False) -> bool:
    ops = _edit_ops(word, target)
    return bool(ops) and all(_typo_like(op, word, target, strong) for op in ops)


def _telling_slip(word: str, target: str, vowels: bool = False) -> bool:
    """One swapped, doubled or undoubled letter (`thier`, `occured`, `untill`), or with `vowels` one vowel added or
    dropped (`arguement`), inside the word: the slips telling enough to overrule a plausible derivation."""
    ops = _edit_ops(word, target)
    if len(ops) != 1:
        return False
    kind, i, j = ops[0]
    vowels = vowels and len(word) >= 5
    if kind == "swap":
        return i > 0
    if kind == "extra" and 0 < i < len(word) - 1:
        c = word[i]
        return (vowels and c in _VOWELS) or word[i - 1] == c or word[i + 1] == c
    if kind == "missing" and 0 < j < len(target) - 1:
        c = target[j]
        return (vowels and c in _VOWELS) or target[j - 1] == c or target[j + 1] == c
    return False


class Verdict(NamedTuple):
    """What `check_word` decided: a suggestion (None: probably a valid word, or nothing good to suggest) and
    why, for explanations and tests."""

    suggestion: Suggestion | None
    reason: str


def check_word(word: str, wl: WordList, max_distance: int = MAX_EDIT_DISTANCE) -> Verdict:
    """Decide whether a lowercase word missing from the list is a misspelling, and of what.

    In order: a contraction without its apostrophe (`dont`); a valid form the list lacks (a spelling variant,
    an inflection or derivation of a listed word, a prefixed word, a compound of two listed words) unless a
    listed word is one telling slip away (`occured` is `occur` + `ed`, but `occurred` is listed); two words
    run together around a function word (`alot`, `aswell`); else the nearest frequent listed word reached by
    typo-like edits only, distance 1 preferred, distance 2 for words of 6+ letters, and for words under
    4 letters only distance 1 to a very frequent word.
    """
    if word in wl.words:
        return Verdict(None, "listed")
    if not word.isascii() or (not word.isalpha() and "'" not in word):
        return Verdict(None, "not a plain ASCII word")
    if not any(c in _VOWELS for c in word):
        return Verdict(None, "no vowel (an abbreviation)")
    if re.search(r"(.)\1\1\1", word):
        return Verdict(None, "elongated on purpose")
    if "'" not in word:
        for k in range(1, len(word)):
            joined = word[:k] + "'" + word[k:]
            if joined in wl.words:
                return Verdict(Suggestion(joined, 1, wl.count(joined)), "missing apostrophe")
    if len(word) < SHORT_WORD:
        for s in wl.suggest(word, 1):
            if s.frequency >= SHORT_WORD_MIN_COUNT and _slips(word, s.word):
                return Verdict(s, "typo")
        return Verdict(None, "short, and no very frequent listed word one slip away")
    for variant in _spelling_variants(word):
        if variant in wl.words:
            return Verdict(None, f"spelling variant of {variant!r}")
    floor = MIN_SUGGESTION_COUNT if len(word) > MEDIUM_WORD else MEDIUM_WORD_MIN_COUNT
    near = [s for s in wl.suggest(word, 1) if s.frequency >= floor]
    derived = _derivation(word, wl)
    if derived is not None:
        stem, suffixed = derived
        for s in near:
            if s.word == stem or not _telling_slip(word, s.word, vowels=suffixed):
                continue
            if _telling_slip(word, s.word) or all(other != stem for other, _ in _stems(s.word)):
                return Verdict(s, f"a slip of {s.word!r} (not {stem!r} + affix)")
        return Verdict(None, f"derived from {stem!r}")
    glued = _glued(word, wl)
    if glued is not None:
        return Verdict(Suggestion(glued, 1, wl.count(glued.split()[0])), "missing space")
    split = _split(word, wl)
    if split is not None:
        for s in near:
            if _telling_slip(word, s.word):
                return Verdict(s, f"a slip of {s.word!r}")
        return Verdict(None, f"compound of {split[0]!r} and {split[1]!r}")
    for s in near:
        if _slips(word, s.word):
            return Verdict(s, "typo")
    if len(word) < MIN_LENGTH_DISTANCE_2 or max_distance < 2 or near:
        return Verdict(None, "no near listed word")
    # distance 2: only when the most frequent such word (same first letter) is reached by slips
    far = [s for s in wl.suggest(word, 2) if s.distance == 2 and s.frequency >= MIN_SUGGESTION_COUNT]
    far = [s for s in far if s.word[0] == word[0]]
    if far:
        best = max(far, key=lambda s: (s.frequency, s.word))
        if _slips(word, best.word, strong=True):
            return Verdict(best, "typo")
    return Verdict(None, "no near listed word")


def _derivation(word: str, wl: WordList, depth: int = 0) -> tuple[str, bool] | None:
    """The listed word `word` derives from (by a prefix, a suffix, a plural or a spelling variant), and whether
    by a suffix; None when it does not. Prefixes first: `restring` is `re` + `string`, not `restre` + `ing`."""
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 4:
            if wl.count(rest) >= _PREFIXED_MIN_COUNT:
                return rest, False
            if depth == 0 and _derivation(rest, wl, 1) is not None:
                return rest, False
    stems = [stem for stem, _ in _stems(word)]
    for stem in stems:
        if stem in wl.words:
            return stem, True
    if depth > 0:
        return None
    for stem in stems:
        if any(v in wl.words for v in _spelling_variants(stem)):
            return stem, True
    if len(word) >= 5 and not word.endswith("s") and word + "s" in wl.words:
        return word + "s", True  # a singular the list lacks while it has the plural (afterward/afterwards)
    return None


#: Function words often run into their neighbour: `alot`, `aswell`, `infact`, `eachother` (these pairs), and
#: a frequent word glued to a following `the`, `and`, `with`... (`easingwith`, `thankyou`).
_GLUE_LEFT: dict[str, frozenset[str]] = {
    left: frozenset(rights.split())
    for left, rights in {
        "a": "lot bit little few while",
        "as": "well soon long much far",
        "at": "least all once first last",
        "in": "fact spite case order front between general addition particular",
        "of": "course",
        "on": "top",
        "each": "other",
        "every": "time one body",
        "no": "one",
        "any": "more way",
    }.items()
}
_GLUE_RIGHT = frozenset(
    ["the", "and", "with", "for", "you", "that", "this", "from", "your", "which", "what", "have", "will"]
)
#: The word before a glued function word must be this frequent.
_GLUE_MIN_COUNT = 10_000_000


def _glued(word: str, wl: WordList) -> str | None:
    """`word` as two words, where a function word lost its space (`alot` -> `a lot`), or None."""
    for k in range(1, len(word) - 1):
        left, right = word[:k], word[k:]
        if right in _GLUE_LEFT.get(left, ()):
            return f"{left} {right}"
    for k in range(4, len(word) - 2):
        left, right = word[:k], word[k:]
        if right in _GLUE_RIGHT and wl.count(left) >= _GLUE_MIN_COUNT:
            return f"{left} {right}"
    return None


#: Each part of a compound must be this frequent (`mid` + `dele` is no compound of `middele`).
_COMPOUND_MIN_COUNT = 1_000_000


def _split(word: str, wl: WordList) -> tuple[str, str] | None:
    """Two listed words of 3+ letters run together (a compound the list lacks: `roadmap`), or None."""
    for k in range(3, len(word) - 2):
        left, right = word[:k], word[k:]
        if wl.count(left) >= _COMPOUND_MIN_COUNT and wl.count(right) >= _COMPOUND_MIN_COUNT:
            return left, right
    return None


# -- fixing -----------------------------------------------------------------------------------------------


def match_case(replacement: str, original: str) -> str:
    """`replacement` written with `original`'s capitalisation (lowercase or capitalised)."""
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement
