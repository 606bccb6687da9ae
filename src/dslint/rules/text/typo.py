import bisect
import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import filterfalse
from typing import Any

import xxhash
from pydantic import Field, field_validator

from dslint.records import Finding, Fix, Location, Message, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions, get_path, set_text
from dslint.text.spelling import (
    LANGUAGES,
    LOWER,
    PROPER,
    Word,
    WordList,
    ascii_words,
    candidate_words,
    check_word,
    match_case,
    prose_words,
    word_key,
    word_list,
)

#: Locations kept per word (the first ones, in (path, row, field, offset) order); counts stay exact.
LOCATIONS_PER_WORD = 5
#: Longer "words" are run-together junk (`cellphonejammersales`), not typos.
MAX_WORD_LENGTH = 24
#: Characters of context either side of a word in a finding's excerpt (cut at a space).
EXCERPT_CONTEXT = 40
#: Unknown words with fewer than this many words between them are a run (foreign text, jargon, garbage):
#: none is reported, since a typo is an isolated slip among known words.
CLUSTER_DISTANCE = 2
#: A text where unknown words make up more than this share of its distinct words (and at least `DENSE_MIN` of
#: them) is foreign, archaic or garbled: none of its words is reported.
DENSE_SHARE = 0.2
DENSE_MIN = 3
#: Distinct system prompts whose screen result (`WordList.unknown_ascii`) is kept: a dataset usually repeats one
#: or a few in every record, so each is screened once (the runner caches their token counts the same way).
SYSTEM_SCREEN_CACHE = 256
#: Every run of one and of two ASCII letters, as bytes: words shorter than `min-length` (3 by default), which
#: the screen clears at once.
_SHORT_WORDS: tuple[frozenset[bytes], ...] = tuple(
    frozenset(bytes(letters) for letters in itertools.product(range(97, 123), repeat=n)) for n in (1, 2)
)


class TypoOptions(RuleOptions):
    language: str = Field(
        "en",
        description="Language of the word list. Only 'en' ships (symspellpy's English frequency list); other "
        "languages need a shipped word list.",
    )
    min_dataset_count: int = Field(
        3,
        ge=1,
        description="A word the dataset writes at least this many times is its vocabulary, not a typo (each text "
        "holding it counts once, or as often as it writes it as prose).",
    )
    min_length: int = Field(3, ge=1, description="Shorter words are not checked.")
    max_distance: int = Field(2, ge=1, le=2, description="Longest edit distance to a suggestion (1 or 2).")
    ignore_words: list[str] = Field(
        default_factory=list, description="Words to accept as spelled right (the project's own terms)."
    )
    max_words: int = Field(
        200_000,
        ge=1,
        description="Most distinct unknown words the state keeps; past it, a deterministic hash sample of them.",
    )

    @field_validator("language")
    @classmethod
    def _shipped(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"no word list ships for {value!r} (available: {', '.join(LANGUAGES)})")
        return value


#: A word's first occurrences: (path, row or -1, line or -1, message index, start, end, field, split or "",
#: excerpt). Tuples sort in dataset order.
Occurrence = tuple[str, int, int, int, int, int, str, str, str]


@dataclass
class TypoState:
    """Unknown (out-of-dictionary) words only, never the whole vocabulary.

    `words` maps each lowercased unknown word found in fewer than `min-dataset-count` texts (message contents) to
    `[texts, seen, capitalised, reportable, occurrences]`: the texts holding it in any form (prose, identifier,
    URL part...), its prose occurrences, those written capitalised (at a sentence start or inside one), those
    that could be a typo (lowercase or at a sentence start, outside runs of unknown words), and the first
    `LOCATIONS_PER_WORD` of those, in dataset order. A word reaching `min-dataset-count` texts moves to
    `vocabulary` for good (counts only grow), where it costs a set entry and is no longer looked at: texts
    whose unknown words are all vocabulary take the fast path.

    Bounded: past `max-words` distinct words (both together) the state keeps those with the smallest xxh3 hashes
    (a bottom-k sample) and `cutoff`, the smallest hash it dropped; words hashing at or above it are ignored
    from then on. A word kept at the end was kept by every partial state, so what is known of it is exact, and
    the sample is the same however the data was split and merged.
    """

    words: dict[str, list[Any]] = field(default_factory=dict)
    vocabulary: set[str] = field(default_factory=set)
    cutoff: int | None = None


class Typo(DatasetRule[TypoState]):
    """A misspelt word, decided over the dataset's whole vocabulary.

    **What it does**: looks up the prose words of every text field (system prompt, user and assistant turns; not
    tool calls or tool results) in symspellpy's English frequency list (`language`: only "en" ships). Skipped,
    as every spellchecker gets them wrong: code in fences or backticks, URLs, e-mails, paths and file names,
    numbers and words with digits, identifiers (camelCase, snake_case, ALLCAPS), JSON keys, @mentions and
    #hashtags, HTML tags and entities, hyphenated compounds, words shorter than `min-length`, `ignore-words`,
    proper nouns (capitalised inside a sentence, or mostly written capitalised in the dataset, so a misspelling
    only ever seen at the start of a sentence reads as a name), and runs of unknown words or texts full of them
    (foreign, archaic or garbled text). Valid forms the list lacks pass: American spellings (`color`,
    `analyze`), inflections and derivations (`biomes`, `rebranded`), compounds (`roadmap`). A word the dataset
    writes `min-dataset-count` times or more (default 3, its singular and plural together) is its own
    vocabulary. The rest is reported when a listed word is a typo-like slip away: swapped, doubled or dropped
    letters, a vowel slip, a neighbouring key, a missing apostrophe or space; edit distance 1, or 2 for words of
    6+ letters; a word under 4 letters only next to a very frequent word. One finding per word, at its first
    occurrence, with its count and its next places.

    **Why it matters**: a model imitates its training text; misspellings in the answers it learns come back out
    in its own answers, and rare misspellings waste vocabulary the tokenizer splits into odd pieces.

    **Example**: `"You will recieve a confirmation e-mail."` -> `'recieve' -> 'receive' (1 time)`.

    **Fix**: correct the word. The unsafe fix replaces each reported misspelling with the suggestion where the
    report counted it, keeping a capital first letter (unsafe: a rare name or term can still look like a typo;
    review the findings first, and add the project's own terms to `ignore-words`).
    """

    code = "T007"
    name = "typo"
    default_severity = Severity.WARNING
    fix_applicability = Fix.UNSAFE
    Options = TypoOptions
    options: TypoOptions

    def __init__(self, options: RuleOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self._ignored = frozenset(word_key(w) for w in self.options.ignore_words)
        self._fix_cache: tuple[TypoState, dict[str, str]] | None = None
        self._system_screens: dict[str, frozenset[bytes]] = {}
        self._listed_seen: set[bytes] = set()
        self._accepted_words: set[bytes] | None = None
        self._accepted_vocabulary: set[str] | None = None
        self._accepted_size = 0

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_fix_cache"] = None  # rules travel to worker processes; the corrections stay here
        # the screen's caches, rebuilt as needed
        state.update(
            _system_screens={}, _listed_seen=set(), _accepted_words=None, _accepted_vocabulary=None, _accepted_size=0
        )
        return state

    # -- accumulate --------------------------------------------------------------------------------------

    def new_state(self) -> TypoState:
        return TypoState()

    def update(self, state: TypoState, record: Record) -> TypoState:
        wordlist = word_list(self.options.language)
        words = wordlist.words
        lo, ignored = self.options.min_length, self._ignored
        texts = [
            (i, msg)
            for i, msg in enumerate(record.messages)
            if type(msg.content) is str and msg.content and not _skipped(record, msg)
        ]
        # A cheap screen over the whole record first: most records hold no word that is neither in the list nor
        # the dataset's vocabulary yet, and then need no closer look (one pass in C instead of one per turn).
        pending = self._screen(state, wordlist, texts)
        if not pending:
            return state
        for i, msg in texts:
            text = msg.content
            lowered = text.lower()
            if not any(word in lowered for word in pending):
                continue  # none of the record's pending words is in this text (a substring test: a superset)
            found = candidate_words(text)
            unknown = found - words
            if not unknown:
                continue
            new = [k for k in unknown - state.vocabulary if lo <= len(k) <= MAX_WORD_LENGTH and k.isascii()]
            if ignored:
                new = [k for k in new if k not in ignored]
            if new:
                self._count(state, record, i, msg.field, text, new, self._unknown(unknown), len(found))
        if len(state.words) + len(state.vocabulary) > 2 * self.options.max_words:
            self._bound(state)
        return state

    def _screen(self, state: TypoState, wordlist: WordList, texts: list[tuple[int, Message]]) -> list[str]:
        """The record's words (runs of ASCII letters, as `ascii_words` splits them) that the word-by-word pass
        could count: neither in the list nor the dataset's vocabulary yet, `min-length` to `MAX_WORD_LENGTH`
        letters, not ignored. Empty for most records, which then need no closer look; otherwise the texts
        holding none of these words are skipped too.

        The common case costs one C pass, `issuperset` over the words (no set of unknown words is built, nothing
        is decoded); only a record it does not clear is looked at word by word. System prompts repeat across a
        dataset, so each one's words outside the list are kept (`SYSTEM_SCREEN_CACHE`) instead of being split
        again for every record.
        """
        cache = self._system_screens
        unknown: set[bytes] = set()
        prose = []
        for _, msg in texts:
            text = msg.content
            if msg.role != "system":
                prose.append(text)
                continue
            found = cache.get(text)
            if found is None:
                if len(cache) >= SYSTEM_SCREEN_CACHE:
                    cache.clear()
                found = cache[text] = frozenset(wordlist.unknown_ascii(text))
            unknown |= found
        words = ascii_words(prose)
        accepted = self._accepted(state)
        if accepted.issuperset(words) and accepted.issuperset(unknown):
            return []
        # Not cleared at once: a word that is not vocabulary, or a listed word the screen has not met before
        missing = set(filterfalse(accepted.__contains__, words))
        listed = missing.intersection(wordlist.known_ascii())
        if listed:
            self._listed_seen |= listed
            accepted |= listed
        unknown |= missing - listed
        lo, vocabulary, ignored = self.options.min_length, state.vocabulary, self._ignored
        pending = (w.decode() for w in unknown if lo <= len(w) <= MAX_WORD_LENGTH)
        return [w for w in pending if w not in vocabulary and w not in ignored]

    def _accepted(self, state: TypoState) -> set[bytes]:
        """The words the screen clears at once, as bytes: the listed words met so far (`_listed_seen`), the
        state's vocabulary, and the runs of one or two letters shorter than `min-length` (702 at most).

        Only the listed words the data uses, not all ~83k: a dataset uses a fraction of them, and the smaller set
        keeps the screen's look-ups (~400 a record) in the CPU caches, which the tokenizer's tables compete for
        (the screen and the tokenizing both run ~20% faster on chat data). A listed word met for the first time
        costs its record a word-by-word pass (`_screen`); that happens at most once per listed word.

        Kept for the vocabulary being grown (`_count` adds each new vocabulary word), rebuilt (~1 ms) when
        `update` gets another state or `_bound` replaced the vocabulary.
        """
        vocabulary = state.vocabulary
        accepted = self._accepted_words
        if accepted is None or self._accepted_vocabulary is not vocabulary or self._accepted_size != len(vocabulary):
            accepted = set(self._listed_seen)
            accepted.update(w.encode() for w in vocabulary)
            for shorter in _SHORT_WORDS[: self.options.min_length - 1]:
                accepted.update(shorter)
            self._accepted_words, self._accepted_vocabulary = accepted, vocabulary
            self._accepted_size = len(vocabulary)
        return accepted

    def _add_vocabulary(self, vocabulary: set[str], key: str) -> None:
        """Make `key` vocabulary, in the state and in the screen's `_accepted` words."""
        vocabulary.add(key)
        if self._accepted_vocabulary is vocabulary and self._accepted_words is not None:
            self._accepted_words.add(key.encode())
            self._accepted_size = len(vocabulary)

    def _unknown(self, unknown: set[str]) -> set[str]:
        """A text's unknown words that take part in its classification (runs, density): 2+ letters, not ignored.
        It depends on the text alone, never on the state, so every split of the data classifies alike."""
        return {k for k in unknown if len(k) > 1 and k not in self._ignored}

    def _count(
        self,
        state: TypoState,
        record: Record,
        index: int,
        path: str,
        text: str,
        new: list[str],
        unknown: set[str],
        n_words: int,
    ) -> None:
        """Count the text for each of its `new` words (unknown, not yet vocabulary); for those still rare, find
        and classify their occurrences (the slow path)."""
        min_count = self.options.min_dataset_count
        entries, vocabulary, cutoff = state.words, state.vocabulary, state.cutoff
        rare = set()
        for key in new:
            entry = entries.get(key)
            if entry is None:
                if cutoff is not None and _hash(key) >= cutoff:
                    continue
                entry = entries[key] = [0, 0, 0, 0, []]
            entry[0] += 1
            if entry[0] >= min_count:
                del entries[key]
                self._add_vocabulary(vocabulary, key)
            else:
                rare.add(key)
        if not rare:
            return
        loc = record.location
        repeats: Counter[str] = Counter()
        for word, reportable in _occurrences(text, unknown, n_words):
            key = word_key(word.text)
            if key not in rare:
                continue
            entry = entries[key]
            entry[1] += 1
            repeats[key] += 1
            if word.case != LOWER:
                entry[2] += 1
            if reportable:
                entry[3] += 1
                occurrence = (
                    loc.path,
                    -1 if loc.row is None else loc.row,
                    -1 if loc.line is None else loc.line,
                    index,
                    word.start,
                    word.end,
                    path,
                    loc.split or "",
                    _excerpt(text, word.start, word.end),
                )
                occurrences: list[Occurrence] = entry[4]
                bisect.insort(occurrences, occurrence)
                del occurrences[LOCATIONS_PER_WORD:]
        for key, n in repeats.items():  # a text counts once, or as often as it writes the word in prose
            if n > 1:
                entry = entries[key]
                entry[0] += n - 1
                if entry[0] >= min_count:
                    del entries[key]
                    self._add_vocabulary(vocabulary, key)

    def merge(self, a: TypoState, b: TypoState) -> TypoState:
        min_count = self.options.min_dataset_count
        vocabulary = a.vocabulary | b.vocabulary
        words: dict[str, list[Any]] = {}
        for part in (a, b):
            for key, (texts, seen, capitalised, reportable, occ) in part.words.items():
                if key in vocabulary:
                    continue
                mine = words.get(key)
                if mine is None:
                    words[key] = [texts, seen, capitalised, reportable, list(occ)]
                elif mine[0] + texts >= min_count:
                    del words[key]
                    vocabulary.add(key)
                else:
                    mine[0] += texts
                    mine[1] += seen
                    mine[2] += capitalised
                    mine[3] += reportable
                    mine[4] = sorted(mine[4] + occ)[:LOCATIONS_PER_WORD]
        cutoffs = [x for x in (a.cutoff, b.cutoff) if x is not None]
        out = TypoState(words, vocabulary, min(cutoffs) if cutoffs else None)
        if out.cutoff is not None:
            cutoff = out.cutoff
            out.words = {k: e for k, e in words.items() if _hash(k) < cutoff}
            out.vocabulary = {k for k in vocabulary if _hash(k) < cutoff}
        if len(out.words) + len(out.vocabulary) > self.options.max_words:
            self._bound(out)
        return out

    def _bound(self, state: TypoState) -> None:
        """Keep the `max-words` words with the smallest hashes; remember the smallest hash dropped."""
        keep = self.options.max_words
        if len(state.words) + len(state.vocabulary) <= keep:
            return
        ranked = sorted((_hash(k), k) for k in (*state.words, *state.vocabulary))
        kept = {k for _, k in ranked[:keep]}
        cutoff = ranked[keep][0]
        state.cutoff = cutoff if state.cutoff is None else min(cutoff, state.cutoff)
        state.words = {k: e for k, e in state.words.items() if k in kept}
        state.vocabulary = {k for k in state.vocabulary if k in kept}

    # -- decide ------------------------------------------------------------------------------------------

    def _reported(self, state: TypoState) -> list[tuple[str, str, list[Any]]]:
        """(word, suggestion, entry) of every misspelling to report, in dataset order."""
        if len(state.words) + len(state.vocabulary) > self.options.max_words:
            state = TypoState(dict(state.words), set(state.vocabulary), state.cutoff)
            self._bound(state)
        opts = self.options
        wl: WordList | None = None
        out = []
        for key, entry in state.words.items():
            texts, seen, capitalised, reportable, occurrences = entry
            if texts >= opts.min_dataset_count or not reportable or not occurrences or key in state.vocabulary:
                continue
            if 2 * capitalised > seen:
                continue  # mostly written capitalised: a name
            family = [state.words[k][0] for k in _number_forms(key) if k in state.words]
            if texts + sum(family) >= opts.min_dataset_count or any(k in state.vocabulary for k in _number_forms(key)):
                continue  # with its singular or plural, a word the dataset uses (toonie, toonies)
            if wl is None:
                wl = word_list(opts.language)
            verdict = check_word(key, wl, opts.max_distance)
            if verdict.suggestion is not None:
                out.append((key, verdict.suggestion.word, entry))
        out.sort(key=lambda item: (item[2][4][0], item[0]))
        return out

    def finalize(self, state: TypoState) -> Iterator[Finding]:
        for key, suggestion, (_, _, _, reportable, occurrences) in self._reported(state):
            first = occurrences[0]
            times = "1 time" if reportable == 1 else f"{reportable} times"
            others = [_where(occ, first[0]) for occ in occurrences[1:]]
            more = reportable - len(occurrences)
            if more > 0:
                others.append(f"{more} more")
            also = f"; also at {', '.join(others)}" if others else ""
            yield self.finding(f"'{key}' -> '{suggestion}' ({times}{also})", _location(first), first[8])

    # -- fix ---------------------------------------------------------------------------------------------

    def fix(self, record: Record, state: TypoState) -> list[str]:
        """Replace the reported misspellings in this record's text fields with their suggestions (where the
        report counted them), keeping a capital first letter. Idempotent: suggestions are listed words, so a
        fixed text has nothing left to replace."""
        cache = self._fix_cache
        if cache is None or cache[0] is not state:
            cache = self._fix_cache = (state, {key: s for key, s, _ in self._reported(state)})
        corrections = cache[1]
        if not corrections:
            return []
        words = word_list(self.options.language).words
        changed = []
        for msg in record.messages:
            text = msg.content
            if type(text) is not str or not text or _skipped(record, msg) or not _raw_is_text(record, msg):
                continue
            found = candidate_words(text)
            if found.isdisjoint(corrections):
                continue
            parts = []
            last = 0
            for word, reportable in _occurrences(text, self._unknown(found - words), len(found)):
                key = word_key(word.text)
                if reportable and key in corrections:
                    parts.append(text[last : word.start])
                    parts.append(match_case(corrections[key], word.text))
                    last = word.end
            if parts:
                set_text(record, msg, "".join(parts) + text[last:])
                changed.append(msg.field)
        return changed


def _number_forms(word: str) -> list[str]:
    """The word's plural, or its singular: one word to the dataset's vocabulary."""
    forms = [word + "s", word + "es"]
    if word.endswith("s"):
        forms.append(word[:-1])
        if word.endswith("es"):
            forms.append(word[:-2])
    return forms


def _hash(word: str) -> int:
    return xxhash.xxh3_64_intdigest(word.encode())


def _skipped(record: Record, msg: Message) -> bool:
    """Tool results and ShareGPT function-call turns hold JSON, not prose."""
    return msg.role == "tool" or (msg.has_tool_calls and record.format == "sharegpt")


def _occurrences(text: str, unknown: set[str], n_words: int) -> Iterator[tuple[Word, bool]]:
    """The prose occurrences of a text's unknown words, each with whether it could be a typo: lowercase or
    capitalised at a sentence start, with at least `CLUSTER_DISTANCE` words between it and the next such unknown
    word, in a text where such words are few (at most `DENSE_SHARE` of its `n_words` distinct words)."""
    found = prose_words(text, unknown)
    plain = [w for w in found if w.case != PROPER]
    distinct = {word_key(w.text) for w in plain}
    dense = len(distinct) >= DENSE_MIN and len(distinct) > DENSE_SHARE * n_words
    k = 0
    for word in found:
        if word.case == PROPER or dense:
            yield word, False
            continue
        clustered = (k > 0 and _words_between(text, plain[k - 1].end, word.start) < CLUSTER_DISTANCE) or (
            k + 1 < len(plain) and _words_between(text, word.end, plain[k + 1].start) < CLUSTER_DISTANCE
        )
        k += 1
        yield word, not clustered


def _words_between(text: str, start: int, end: int) -> int:
    """How many words (whitespace-separated chunks) lie between two positions, up to a few."""
    if end - start > 60:
        return CLUSTER_DISTANCE
    return len(text[start:end].split())


def _excerpt(text: str, start: int, end: int) -> str:
    """The word with some whole words of context either side, on one line."""
    lo, hi = max(0, start - EXCERPT_CONTEXT), min(len(text), end + EXCERPT_CONTEXT)
    if lo > 0:
        cut = text.find(" ", lo, start)
        lo = cut + 1 if cut >= 0 else lo
    if hi < len(text):
        cut = text.rfind(" ", end, hi)
        hi = cut if cut >= 0 else hi
    head = "…" if lo > 0 else ""
    tail = "…" if hi < len(text) else ""
    return head + " ".join(text[lo:hi].split()) + tail


def _location(occ: Occurrence) -> Location:
    path, row, line, _, start, end, fld, split, _ = occ
    return Location(path, None if row < 0 else row, None if line < 0 else line, split or None, fld, (start, end))


def _where(occ: Occurrence, first_path: str) -> str:
    loc = _location(occ)
    place = (f"line {loc.line}" if loc.line is not None else f"row {loc.row}") if occ[0] == first_path else loc.short()
    return f"{place} {loc.field}"


def _raw_is_text(record: Record, msg: Message) -> bool:
    """Whether the input holds this message's text as one string (not OpenAI content parts), so a fix can
    write it back."""
    return isinstance(get_path(record.raw, msg.field), str)
