import copy
import math
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Literal

import xxhash
from pydantic import Field, field_validator

from dslint.records import Finding, Fix, Location, Record, Severity
from dslint.rules.balance.label_imbalance import (
    INFER_MAX_LABELS,
    INFER_MIN_COVERAGE,
    field_labels,
    inferred_labels,
    label_key,
    reply_label,
    reply_of,
)
from dslint.rules.base import DatasetRule, RuleOptions, get_path, set_path
from dslint.text.lexicon import Lexicon, LexiconError, Match, Spots, load_lexicon
from dslint.text.ngrams import Words, from_words, record_words

#: Where a record is: (path, row, line, split, field).
Where = tuple[str, int | None, int | None, str | None, str | None]

#: The sides of a record whose terms are counted apart: what the model reads and what it learns to write.
#: System prompts (usually one text repeated in every record) and tool output are not counted.
SIDES = {"user": "user", "assistant": "assistant", "text": "text"}
SIDE_NAMES = {"user": "user turns", "assistant": "assistant turns", "text": "texts"}
#: Roles whose text a counterfactual copy rewrites.
SWAP_ROLES = frozenset({"system", "user", "assistant", "text"})
#: The key that marks a counterfactual copy in the cleaned output: `"dslint_augmented": "gender-swap"`.
MARK = "dslint_augmented"
HASH_SPACE = 1 << 64


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words after which "her" is an object ("gave her a book", "told her that") rather than a possessive ("her
#: book"), and after which "his" stands alone ("the book is his and ...").
OBJECT_NEXT = _words(
    "a an the to and or but nor so that this these those with without for from in on at by about into onto over "
    "under up down out off away back again too also as if when while because than then now here there home how "
    "what why where who whom which whether is was were are am be been being will would can could should may "
    "might must do does did not no yet during after before since until through across around along near like "
    "some any all each every much many more most my your our their its her his him me us them it"
)
HIS_ALONE_NEXT = _words("and or but nor too also is was are were as than now then either anyway")
#: Verbs after which "her <number>" is an object ("paid her 5 dollars"), not a possessive ("her 3 kids").
GIVING_VERBS = _words(
    "give gives gave giving pay pays paid paying owe owes owed send sends sent buy buys bought lend lends lent "
    "offer offers offered hand hands handed charge charges charged tell tells told show shows showed bring "
    "brings brought cost costs sell sells sold leave leaves left tip tips tipped teach teaches taught get gets "
    "got win won award awards awarded grant grants granted ask asks asked"
)
NUMBER_WORDS = _words(
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty hundred "
    "thousand dozen half few several"
)
_NEXT = re.compile(r"[ \t]*(?:([A-Za-z]+)|(\d))?")
_LAST_WORD = re.compile(r"([A-Za-z]+)[^A-Za-z]*$")


@dataclass(slots=True)
class LabelLinks:
    """Labelled records per label, and per label among the records whose input mentions each group, or leans to
    one group of a pair; exact while there are at most `max-labels` distinct labels (then `overflow`)."""

    records: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    group_n: dict[str, int] = field(default_factory=dict)
    group: dict[tuple[str, str], int] = field(default_factory=dict)
    lean_n: dict[str, int] = field(default_factory=dict)
    lean: dict[tuple[str, str], int] = field(default_factory=dict)
    overflow: bool = False

    def add(self, keys: list[str], groups: dict[str, int], leans: list[str], bound: int) -> None:
        if self.overflow:
            return
        for key in keys:
            self.labels[key] = self.labels.get(key, 0) + 1
            for g in groups:
                self.group[g, key] = self.group.get((g, key), 0) + 1
            for g in leans:
                self.lean[g, key] = self.lean.get((g, key), 0) + 1
        for g in groups:
            self.group_n[g] = self.group_n.get(g, 0) + 1
        for g in leans:
            self.lean_n[g] = self.lean_n.get(g, 0) + 1
        if len(self.labels) > bound:
            self._overflow()

    def _overflow(self) -> None:
        self.overflow = True
        self.labels, self.group_n, self.group, self.lean_n, self.lean = {}, {}, {}, {}, {}

    def merged(self, other: "LabelLinks", bound: int) -> "LabelLinks":
        out = LabelLinks(records=self.records + other.records)
        if self.overflow or other.overflow:
            out.overflow = True
            return out
        out.labels = _add(self.labels, other.labels)
        if len(out.labels) > bound:
            out._overflow()
            return out
        out.group_n = _add(self.group_n, other.group_n)
        out.group = _add(self.group, other.group)
        out.lean_n = _add(self.lean_n, other.lean_n)
        out.lean = _add(self.lean, other.lean)
        return out


@dataclass(slots=True)
class IdentityState:
    """Counters only: records per side, and per (side, group) the records mentioning the group, its mentions,
    the records leaning to it (more mentions of it than of the other group of its pair) and the first record
    mentioning it; over whole records (all sides), the records leaning to each paired group and those mentioning
    it but not its partner (which decide how many counterfactual copies restore parity); plus the label links
    from the label field and from short replies."""

    records: dict[str, int] = field(default_factory=dict)
    mentioned: dict[tuple[str, str], int] = field(default_factory=dict)
    mentions: dict[tuple[str, str], int] = field(default_factory=dict)
    leaning: dict[tuple[str, str], int] = field(default_factory=dict)
    first: dict[tuple[str, str], Where] = field(default_factory=dict)
    whole: dict[str, int] = field(default_factory=dict)
    only: dict[str, int] = field(default_factory=dict)
    field_labels: LabelLinks = field(default_factory=LabelLinks)
    reply_labels: LabelLinks = field(default_factory=LabelLinks)


@dataclass(frozen=True)
class Skew:
    """A pair of groups whose shares on one side are confidently away from parity."""

    side: str
    pair: str
    over: str
    under: str
    n_over: int
    n: int
    low: float
    high: float


class IdentityTermSkewOptions(RuleOptions):
    max_deviation: float = Field(
        0.05,
        gt=0,
        lt=0.5,
        description="Parity band: a pair is skewed when the confidence interval of one group's share lies "
        "entirely outside 50% plus or minus this.",
    )
    min_count: int = Field(
        50,
        ge=1,
        description="Records needed before a comparison is judged: in all, for a pair's shares; in each group, for "
        "a label-rate difference.",
    )
    confidence: float = Field(0.95, gt=0.5, lt=1, description="Confidence level of the intervals.")
    max_parity_gap: float = Field(
        0.1,
        gt=0,
        lt=1,
        description="A label rate is skewed when the confidence interval of its difference between records "
        "mentioning a group and the others lies entirely outside plus or minus this (demographic parity).",
    )
    max_labels: int = Field(50, ge=2, description="More distinct labels than this: no label analysis.")
    max_listed: int = Field(10, ge=1, description="Label associations reported (the largest first).")
    augment: Literal["parity", "all"] = Field(
        "parity",
        description='Counterfactual copies (unsafe fix): "parity" copies just enough of the records that mention '
        'only the over-represented group (a share chosen by a hash of the text) to even the pair; "all" copies '
        "every one.",
    )
    report_rates: bool = Field(
        False, description="Also report every group's mention rate per side, as an info finding."
    )
    lexicon: str | None = Field(
        None,
        description="A lexicon file of the shape of the shipped rules/lexicons/identity-terms.toml (default: "
        "that one).",
    )

    @field_validator("lexicon")
    @classmethod
    def _readable(cls, path: str | None) -> str | None:
        try:
            load_lexicon(path)
        except LexiconError as exc:
            raise ValueError(str(exc)) from None
        return path


class IdentityTermSkew(DatasetRule[IdentityState]):
    """Identity groups mentioned unevenly, or tied to labels.

    **What it does**: counts, with a lexicon written for dslint (`rules/lexicons/identity-terms.toml`: gender,
    race and ethnicity, nationality, religion, age, disability and sexual orientation; multi-word terms such as
    "African American" or "gay man" count for the groups they name), which groups each record mentions, apart in
    its user turns, its assistant turns and plain texts (system prompts and tool output are not counted). For
    a paired axis (male/female) it takes the records that mention one group more often than the other, and
    reports the side when the Wilson interval (`confidence`, default 95%) of one group's share lies entirely
    outside 50% ± `max-deviation` (5 points), with at least `min-count` (50) such records; the finding gives the
    share, its interval and each group's rate (records mentioning it) and mentions. Where records carry labels
    (a `label` field, or short replies that are labels, as in B001), it compares each group's label rates with
    the other records' (and male with female): a demographic-parity difference whose Newcombe interval lies
    entirely outside ± `max-parity-gap` (10 points) is reported, the largest `max-listed` first. With
    `report-rates`, every group's rate per side is reported too, at info level. Words are whole-word and
    case-insensitive; given names are neither counted nor swapped.

    **Why it matters**: a model learns who the people in its data are. If "he" is the engineer in 60% of the
    examples and "she" in 40%, or if records mentioning one religion are mostly labelled toxic, the model
    reproduces the skew. Counting is the cheap first check before any bias evaluation.

    **Example**: GSM8K's training questions: of the 4,755 that mention male terms more than female ones or the
    other way round, 57.4% lean male (95% CI 55.9-58.7%).

    **Fix**: rebalance the data; or, as an unsafe fix, let `dslint clean --unsafe-fixes` write gender-swapped
    copies. A copy is made of records that mention only the over-represented group, just enough of them to even
    the pair (`augment = "parity"`, chosen by a hash of the text, so the same ones every run; `"all"` copies
    every such record). It swaps each word of the pair both ways (he/she, him/her, himself/herself,
    man/woman, father/mother, Mr/Ms, Mrs -> Mr...), keeping capitalisation; "his" becomes "her" before a noun
    and "hers" on its own, "her" becomes "him" as an object ("saw her.", "gave her a book") and "his" before a
    noun. Each copy follows its original, carries the top-level key `"dslint_augmented": "gender-swap"` (not in
    Parquet, whose schema stays the input's: the manifest's `added_rows` lists the copies) and is counted under
    `additions` in the manifest. Only train records are copied. Review the copies: given names stay as they are,
    and the word rules miss some sentences ("gave her flowers").
    """

    code = "B002"
    name = "identity-term-skew"
    default_severity = Severity.WARNING
    fix_applicability = Fix.UNSAFE
    Options = IdentityTermSkewOptions
    options: IdentityTermSkewOptions

    def __init__(self, options: RuleOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        self._skews: tuple[IdentityState, list[Skew]] | None = None
        self._swappers: dict[str, tuple[re.Pattern[str], dict[str, str]]] = {}
        #: Where a record keeps the `Spots` of this rule's lexicon (`Record.derived`).
        self._spots_key = f"lexicon-spots:{self.options.lexicon or 'identity-terms'}"

    @property
    def lexicon(self) -> Lexicon:
        return load_lexicon(self.options.lexicon)

    def new_state(self) -> IdentityState:
        return IdentityState()

    def prepare(self, records: Sequence[Record]) -> None:
        """Hash the batch's words in one numpy pass (the duplicate and leakage rules read the same words), then
        find the words that may start a term, for the whole batch in one more (`Lexicon.spots`)."""
        from_words(records, self._spots_key, self.lexicon.spots)

    def _matches(self, record: Record) -> tuple[Words, list[Match]]:
        """The record's words and the terms found in them, left to right (none runs across turns)."""
        spots: Spots = from_words([record], self._spots_key, self.lexicon.spots)[0]
        return record_words(record), self.lexicon.matches(spots)

    def update(self, state: IdentityState, record: Record) -> IdentityState:
        lexicon = self.lexicon
        words, matches = self._matches(record)
        sides: dict[str, dict[str, int]] = {}
        turn_sides: list[dict[str, int] | None] = []
        for role, text in zip(words.roles, words.turn_texts, strict=True):
            side = SIDES.get(role)
            turn_sides.append(sides.setdefault(side, {}) if side is not None and text else None)
        fields: dict[str, dict[str, str]] = {}
        starts = words.turn_starts
        for position, groups in matches:
            turn = bisect_right(starts, position) - 1
            counts = turn_sides[turn]
            if counts is None or not groups:
                continue
            side = SIDES[words.roles[turn]]
            for group in groups:
                counts[group] = counts.get(group, 0) + 1
                fields.setdefault(side, {}).setdefault(group, words.fields[turn])
        loc = record.location
        inputs: dict[str, int] = {}
        input_leans: list[str] = []
        for side, counts in sides.items():
            state.records[side] = state.records.get(side, 0) + 1
            for group, n in counts.items():
                key = (side, group)
                state.mentioned[key] = state.mentioned.get(key, 0) + 1
                state.mentions[key] = state.mentions.get(key, 0) + n
                where: Where = (loc.path, loc.row, loc.line, loc.split, fields[side][group])
                mine = state.first.get(key)
                if mine is None or _order(where) < _order(mine):  # records may come out of file order
                    state.first[key] = where
            leans = _leans(lexicon, counts)
            for group in leans:
                state.leaning[side, group] = state.leaning.get((side, group), 0) + 1
            if side != "assistant":
                for group in counts:
                    inputs[group] = 1
                input_leans.extend(leans)
        if len(sides) > 1:
            combined: dict[str, int] = {}
            for counts in sides.values():
                combined = _add(combined, counts)
        else:
            combined = next(iter(sides.values()), {})
        for group in _leans(lexicon, combined):
            state.whole[group] = state.whole.get(group, 0) + 1
        for a, b in lexicon.pairs.values():
            if combined.get(a) and not combined.get(b):
                state.only[a] = state.only.get(a, 0) + 1
            elif combined.get(b) and not combined.get(a):
                state.only[b] = state.only.get(b, 0) + 1
        keys = field_labels(record)
        if keys is not None:
            state.field_labels.records += 1
            state.field_labels.add(keys, inputs, input_leans, self.options.max_labels)
        else:
            reply = reply_of(record)
            if reply is not None:
                state.reply_labels.records += 1
                reply_key = reply_label(reply.content)
                if reply_key is not None:
                    state.reply_labels.add([label_key(reply_key)], inputs, input_leans, self.options.max_labels)
        return state

    def merge(self, a: IdentityState, b: IdentityState) -> IdentityState:
        first = dict(a.first)
        for key, where in b.first.items():
            mine = first.get(key)
            if mine is None or _order(where) < _order(mine):
                first[key] = where
        bound = self.options.max_labels
        return IdentityState(
            records=_add(a.records, b.records),
            mentioned=_add(a.mentioned, b.mentioned),
            mentions=_add(a.mentions, b.mentions),
            leaning=_add(a.leaning, b.leaning),
            first=first,
            whole=_add(a.whole, b.whole),
            only=_add(a.only, b.only),
            field_labels=a.field_labels.merged(b.field_labels, bound),
            reply_labels=a.reply_labels.merged(b.reply_labels, bound),
        )

    # -- findings --------------------------------------------------------------------------------------

    def skews(self, state: IdentityState) -> list[Skew]:
        """The pairs whose share is confidently away from parity, per side."""
        opts = self.options
        z = NormalDist().inv_cdf(0.5 + opts.confidence / 2)
        found = []
        for side in sorted(state.records):
            for pair, (a, b) in self.lexicon.pairs.items():
                n_a, n_b = state.leaning.get((side, a), 0), state.leaning.get((side, b), 0)
                n = n_a + n_b
                if n < opts.min_count:
                    continue
                low, high = wilson(n_a, n, z)
                if low > 0.5 + opts.max_deviation:
                    found.append(Skew(side, pair, a, b, n_a, n, low, high))
                elif high < 0.5 - opts.max_deviation:
                    found.append(Skew(side, pair, b, a, n_b, n, 1 - high, 1 - low))
        return found

    def finalize(self, state: IdentityState) -> Iterator[Finding]:
        found: list[Finding] = []
        for skew in self.skews(state):
            found.append(self._skew_finding(state, skew))
        found.extend(self._label_findings(state))
        if self.options.report_rates:
            found.extend(self._rate_findings(state))
        found.sort(key=lambda f: f.sort_key())
        yield from found

    def _rate(self, state: IdentityState, side: str, group: str) -> str:
        records = state.records.get(side, 0)
        n = state.mentioned.get((side, group), 0)
        mentions = state.mentions.get((side, group), 0)
        return f"{group} terms in {n:,} of {records:,} records ({_pct(n, records)}, {mentions:,} mentions)"

    def _skew_finding(self, state: IdentityState, skew: Skew) -> Finding:
        opts = self.options
        d = opts.max_deviation
        share = skew.n_over / skew.n
        where = state.first.get((skew.side, skew.over))
        side = SIDE_NAMES[skew.side]
        message = (
            f"{side} lean {skew.over}: {share:.1%} of the {skew.n:,} records whose {side} mention {skew.over} and "
            f"{skew.under} terms unequally lean {skew.over} ({skew.n_over:,}; {opts.confidence:.0%} CI "
            f"{skew.low:.1%}-{skew.high:.1%}, outside the parity band {0.5 - d:.0%}-{0.5 + d:.0%}); "
            f"{self._rate(state, skew.side, skew.over)}, {self._rate(state, skew.side, skew.under)}; "
            f"first {skew.over} mention here"
        )
        return self.finding(message, _location(where, state), fix=self._fix_hint(skew))

    def _fix_hint(self, skew: Skew) -> str | None:
        if skew.pair not in self.lexicon.swaps:
            return None
        return (
            f"rebalance, or let `dslint clean --unsafe-fixes` add a {skew.pair}-swapped copy of each record that "
            f"mentions only {skew.over} terms"
        )

    def _label_findings(self, state: IdentityState) -> list[Finding]:
        opts = self.options
        links = state.field_labels
        if links.records:
            labels = None if links.overflow else sorted(links.labels)
            source = 'the "label" field'
        else:
            links = state.reply_labels
            labels = None
            if not links.overflow:
                labels = inferred_labels(
                    links.labels, links.records, INFER_MAX_LABELS, INFER_MIN_COVERAGE, opts.min_count
                )
            source = "the replies, read as labels"
        if not labels or len(labels) < 2:
            return []
        inferred = links is state.reply_labels
        total = sum(links.labels[k] for k in labels) if inferred else links.records
        # one label of two says it all; a record with a reply has one label, so its groups count over the labels
        tested = [min(labels, key=lambda k: (links.labels[k], k))] if len(labels) == 2 else labels

        def group_n(g: str) -> int:
            return sum(links.group.get((g, k), 0) for k in labels) if inferred else links.group_n[g]

        def lean_n(g: str) -> int:
            return sum(links.lean.get((g, k), 0) for k in labels) if inferred else links.lean_n.get(g, 0)

        z = NormalDist().inv_cdf(0.5 + opts.confidence / 2)
        gap = opts.max_parity_gap
        flagged: list[tuple[float, str, str, str]] = []  # (-|diff|, group, label, message)
        for group in sorted(links.group_n):
            n1 = group_n(group)
            n0 = total - n1
            if n1 < opts.min_count or n0 < opts.min_count:
                continue
            for label in tested:
                c1 = links.group.get((group, label), 0)
                c0 = links.labels[label] - c1
                low, high = newcombe(c1, n1, c0, n0, z)
                if low > gap or high < -gap:
                    diff = c1 / n1 - c0 / n0
                    message = (
                        f"records whose input mentions {group} ({self.lexicon.groups[group]}) are labelled {label} "
                        f"{c1 / n1:.1%} of the time ({c1:,} of {n1:,}), the others {c0 / n0:.1%} ({c0:,} of "
                        f"{n0:,}): a demographic-parity difference of {diff * 100:+.1f} points "
                        f"({opts.confidence:.0%} CI {low * 100:+.1f} to {high * 100:+.1f}), beyond ±{gap * 100:g}"
                    )
                    flagged.append((-abs(diff), group, label, message))
        for pair, (a, b) in self.lexicon.pairs.items():
            n_a, n_b = lean_n(a), lean_n(b)
            if n_a < opts.min_count or n_b < opts.min_count:
                continue
            for label in tested:
                c_a, c_b = links.lean.get((a, label), 0), links.lean.get((b, label), 0)
                low, high = newcombe(c_a, n_a, c_b, n_b, z)
                if low > gap or high < -gap:
                    diff = c_a / n_a - c_b / n_b
                    message = (
                        f"records whose input leans {a} are labelled {label} {c_a / n_a:.1%} of the time ({c_a:,} "
                        f"of {n_a:,}), those leaning {b} {c_b / n_b:.1%} ({c_b:,} of {n_b:,}): a {pair} parity "
                        f"difference of {diff * 100:+.1f} points ({opts.confidence:.0%} CI {low * 100:+.1f} to "
                        f"{high * 100:+.1f}), beyond ±{gap * 100:g}"
                    )
                    flagged.append((-abs(diff), a, label, message))
        flagged.sort()
        shown = flagged[: opts.max_listed]
        out = []
        for i, (_, group, _, message) in enumerate(shown):
            more = len(flagged) - len(shown)
            suffix = f"; {more} more label association(s) not listed" if more and i == len(shown) - 1 else ""
            inputs = [w for (side, g), w in state.first.items() if g == group and side != "assistant"]
            where = min(inputs, key=_order) if inputs else None
            out.append(self.finding(f"{message} (labels from {source}){suffix}", _location(where, state)))
        return out

    def _rate_findings(self, state: IdentityState) -> list[Finding]:
        out = []
        for side in sorted(state.records):
            groups = [(n, g) for (s, g), n in state.mentioned.items() if s == side]
            if not groups:
                continue
            groups.sort(key=lambda ng: (-ng[0], ng[1]))
            records = state.records[side]
            listed = ", ".join(f"{g} {_pct(n, records)} ({n:,})" for n, g in groups)
            first = min((state.first[side, g] for _, g in groups), key=_order)
            finding = self.finding(
                f"identity-term rates in {SIDE_NAMES[side]} ({records:,} records): {listed}", _location(first, state)
            )
            finding.severity = Severity.INFO
            out.append(finding)
        return out

    # -- counterfactual copies -------------------------------------------------------------------------

    def augment(self, record: Record, state: IdentityState) -> list[Any]:
        """A swapped copy of a record that mentions only the over-represented group of a skewed pair."""
        raw = record.raw
        if not isinstance(raw, dict) or MARK in raw:
            return []
        if self._skews is None or self._skews[0] is not state:
            self._skews = (state, self.skews(state))
        directions: dict[str, set[tuple[str, str]]] = {}
        for skew in self._skews[1]:
            directions.setdefault(skew.pair, set()).add((skew.over, skew.under))
        if not directions:
            return []
        lexicon = self.lexicon
        totals: dict[str, int] = {}
        words, matches = self._matches(record)
        texts = [text for role, text in zip(words.roles, words.turn_texts, strict=True) if role in SIDES]
        for position, groups in matches:
            if words.roles[bisect_right(words.turn_starts, position) - 1] in SIDES:
                for group in groups:
                    totals[group] = totals.get(group, 0) + 1
        for pair, ways in sorted(directions.items()):
            if len(ways) != 1 or pair not in lexicon.swaps:
                continue  # the sides disagree on the direction: no copy
            ((over, under),) = ways
            if not totals.get(over) or totals.get(under):
                continue
            if self.options.augment == "parity":
                need = state.whole.get(over, 0) - state.whole.get(under, 0)
                share = need / state.only[over] if state.only.get(over) else 0.0
                digest = xxhash.xxh3_64_intdigest("\n".join(texts).encode("utf-8", "surrogatepass"))
                if digest >= share * HASH_SPACE:
                    continue
            swapped = self._swapped(record, pair)
            if swapped is not None:
                swapped[MARK] = f"{pair}-swap"
                return [swapped]
        return []

    def _swapped(self, record: Record, pair: str) -> dict[str, Any] | None:
        pattern, table = self._swapper(pair)
        out = copy.deepcopy(record.raw)
        changed = False
        for msg in record.messages:
            if msg.role not in SWAP_ROLES:
                continue
            value = get_path(out, msg.field)
            if isinstance(value, str):
                new = swap_words(value, pattern, table)
                if new != value:
                    set_path(out, msg.field, new)
                    changed = True
            elif isinstance(value, list):
                for part in value:
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        new = swap_words(part["text"], pattern, table)
                        if new != part["text"]:
                            part["text"] = new
                            changed = True
        return out if changed else None

    def _swapper(self, pair: str) -> tuple[re.Pattern[str], dict[str, str]]:
        """The pattern of the pair's words (both ways) and the table from each word to its counterpart."""
        found = self._swappers.get(pair)
        if found is None:
            forward, backward = self.lexicon.swaps[pair]
            table = {**forward, **backward}
            if "her" in table:  # the possessives, decided by context in swap_words
                table.setdefault("his", "her")
                table.setdefault("hers", "his")
            words = sorted(table, key=lambda w: (-len(w), w))
            alternation = "|".join(re.escape(w) for w in words)
            found = self._swappers[pair] = (re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE), table)
        return found


def swap_words(text: str, pattern: re.Pattern[str], table: dict[str, str]) -> str:
    """`text` with each word of `table` (both groups' words) swapped for its counterpart, capitalisation kept.
    "his" becomes "her" or "hers", and "her" "his" or "him", by the words around them."""

    def replace(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if low == "his":
            new = "hers" if _his_alone(text, m.end()) else "her"
        elif low == "her":
            new = "him" if _her_object(text, m.start(), m.end()) else "his"
        elif low == "hers":
            new = "his"
        else:
            new = table.get(low, word)
        return _cased(word, new)

    return pattern.sub(replace, text)


def _his_alone(text: str, end: int) -> bool:
    m = _NEXT.match(text, end)
    nxt = m.group(1) if m else None
    if nxt is None:
        return not (m and m.group(2))  # "his 3 kids": a determiner; "his." stands alone
    return nxt.lower() in HIS_ALONE_NEXT


def _her_object(text: str, start: int, end: int) -> bool:
    m = _NEXT.match(text, end)
    nxt = m.group(1) if m else None
    digit = bool(m and m.group(2))
    if nxt is not None:
        low = nxt.lower()
        if low in NUMBER_WORDS:
            digit = True
        else:
            return low in OBJECT_NEXT
    if not digit:
        return True  # "saw her.", "paid her $5"
    before = _LAST_WORD.search(text, max(0, start - 40), start)
    return bool(before and before.group(1).lower() in GIVING_VERBS)


def _cased(source: str, word: str) -> str:
    if len(source) > 1 and source.isupper():
        return word.upper()
    if source[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _leans(lexicon: Lexicon, counts: dict[str, int]) -> list[str]:
    """The group of each pair that these counts mention more often than the other."""
    out = []
    for a, b in lexicon.pairs.values():
        n_a, n_b = counts.get(a, 0), counts.get(b, 0)
        if n_a > n_b:
            out.append(a)
        elif n_b > n_a:
            out.append(b)
    return out


def wilson(k: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score interval of the proportion k/n."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe(k1: int, n1: int, k0: int, n0: int, z: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval of the difference k1/n1 - k0/n0 (from the two Wilson intervals)."""
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson(k1, n1, z)
    l0, u0 = wilson(k0, n0, z)
    diff = p1 - p0
    return (diff - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), diff + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2))


def _pct(n: int, total: int) -> str:
    share = n / total if total else 0.0
    return f"{share:.2%}" if share < 0.01 else f"{share:.1%}"


def _order(where: Where) -> tuple[str, bool, int, int]:
    return (where[0], where[1] is None, where[1] or 0, where[2] or 0)


def _location(where: Where | None, state: IdentityState) -> Location:
    if where is None:  # cannot happen for a group that was mentioned; a safe fallback
        where = min(state.first.values(), key=_order) if state.first else ("<dataset>", None, None, None, None)
    path, row, line, split, fld = where
    return Location(path, row=row, line=line, split=split, field=fld)


def _add(a: dict[Any, int], b: dict[Any, int]) -> dict[Any, int]:
    out = dict(a)
    for key, n in b.items():
        out[key] = out.get(key, 0) + n
    return out
