from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import xxhash
from pydantic import Field

from dslint.records import Finding, Fix, Location, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions
from dslint.text.langid import UNDETERMINED, DetectorName, detector, language_name

#: Where a record is: (path, row, line, split, field).
Where = tuple[str, int | None, int | None, str | None, str | None]

#: Roles whose text is read: the conversation itself, not system prompts or tool output.
READ_ROLES = frozenset({"user", "assistant", "text"})
HASH_SPACE = 1 << 64


def _order(where: Where) -> tuple[str, bool, int, int]:
    return (where[0], where[1] is None, where[1] or 0, where[2] or 0)


@dataclass(slots=True)
class LanguageState:
    """Records per split and language, the first records of each language, and what was not judged.

    `seen` counts the records of each file; `short` were too short to judge, `sampled_out` were left out by the
    sampling, `uncertain` got a probability below `min-confidence`."""

    seen: dict[str, int] = field(default_factory=dict)
    short: int = 0
    sampled_out: int = 0
    uncertain: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    first: dict[str, list[Where]] = field(default_factory=dict)


class LanguageMixOptions(RuleOptions):
    detector: DetectorName = Field(
        "py3langid", description='The language detector: "py3langid" (fast, the default) or "langdetect".'
    )
    language: str | None = Field(
        None,
        description='The language the dataset should be in (ISO 639-1, e.g. "en"); by default the language '
        "of most records.",
    )
    min_chars: int = Field(20, ge=1, description="Texts shorter than this (stripped) are not judged.")
    max_chars: int = Field(500, ge=20, description="Only the first this many characters of a record are read.")
    min_confidence: float = Field(
        0.8, ge=0, le=1, description="A detection less probable than this counts as uncertain, not as a language."
    )
    min_records: int = Field(1, ge=1, description="A language is reported from this many records on.")
    sample_after: int = Field(
        5_000,
        ge=0,
        description="This many records are all checked, the first ones of each file (an even share per file); "
        "then `sample-rate`.",
    )
    sample_rate: float = Field(
        0.02,
        gt=0,
        le=1,
        description="The share of records checked after `sample-after`, chosen by a hash of the row number "
        "(deterministic).",
    )
    max_listed: int = Field(5, ge=1, description="Records listed per language in a finding.")


class LanguageMix(DatasetRule[LanguageState]):
    """Records in another language than the rest of the dataset.

    **What it does**: identifies the language of each record from the first `max-chars` (default 500)
    characters of its user, assistant and plain-text turns (system prompts and tool output are not read), with
    py3langid by default (offline, deterministic, ~4k records/s; `detector = "langdetect"` uses langdetect,
    seeded, ~200 records/s). Texts shorter than `min-chars` (20) and detections less probable than
    `min-confidence` (0.8) are not counted: short texts, code and JSON are unreliable. It then takes the
    language of most records (or the configured `language`) and reports every other language in one finding,
    with its count and share, the count per split and the first `max-listed` records, located at the first.
    On large data it samples (language id costs ~170 us a record): `sample-after` (5,000) records are all
    checked, the first ones of each file (each file's share is `sample-after` divided by the number of files, so
    a dataset in 100 shards costs no more than one file), and of the rest a `sample-rate` (2%) share, chosen by
    a hash of the row number so the same records are chosen on every run (and by every process of `--jobs`);
    the finding then says how many records were checked.

    **Why it matters**: a stray language in a fine-tuning set teaches the model to answer in it: a few
    Chinese replies in an English assistant set are enough for it to switch language now and then. In a
    pre-training mix, an unplanned share of another language dilutes the one you meant to train.

    **Example**: LLaMA-Factory's identity.json, 91 records, 75 of them in Chinese: "14 record(s) (15.7% of the
    89 checked) are in English (en), not Chinese (zh), the language of most records (75); by split: train 14;
    rows 0, 1, 2, 3, 4 (+9 more); 2 of uncertain language not counted".

    **Fix**: remove or translate the records. Where several languages are intended, split the data by
    language, or ignore B003 for those files (`per-file-ignores`).
    """

    code = "B003"
    name = "language-mix"
    default_severity = Severity.WARNING
    fix_applicability = Fix.NONE
    Options = LanguageMixOptions
    options: LanguageMixOptions

    def __init__(self, options: RuleOptions | None = None, severity: Severity | None = None) -> None:
        super().__init__(options, severity)
        #: The records of each file that are all checked (`begin` shares `sample-after` among the files).
        self.per_file = self.options.sample_after

    def begin(self, paths: Sequence[str]) -> None:
        files = max(1, len(set(paths)))
        self.per_file = -(-self.options.sample_after // files)  # rounded up

    def new_state(self) -> LanguageState:
        return LanguageState()

    def update(self, state: LanguageState, record: Record) -> LanguageState:
        opts = self.options
        loc = record.location
        state.seen[loc.path] = state.seen.get(loc.path, 0) + 1
        # the sampling goes by the record's row in its file, so a file read in parts is sampled alike
        position = loc.row if loc.row is not None else state.seen[loc.path] - 1
        # decided before the text is even gathered: ~98% of a large file's records cost only this
        if (
            position >= self.per_file
            and opts.sample_rate < 1.0
            and xxhash.xxh3_64_intdigest(position.to_bytes(8, "little")) >= opts.sample_rate * HASH_SPACE
        ):
            state.sampled_out += 1
            return state
        parts: list[str] = []
        size, longest, fld = 0, 0, None
        for msg in record.messages:
            text = msg.content
            if msg.role in READ_ROLES and isinstance(text, str) and text:
                parts.append(text)
                size += len(text) + 1
                if len(text) > longest:
                    longest, fld = len(text), msg.field
                if size >= opts.max_chars:
                    break
        text = "\n".join(parts)[: opts.max_chars].strip()
        if len(text) < opts.min_chars:
            state.short += 1
            return state
        language, probability = detector(opts.detector)(text)
        if language == UNDETERMINED or probability < opts.min_confidence:
            state.uncertain += 1
            return state
        split = loc.split or "train"
        per = state.counts.setdefault(split, {})
        per[language] = per.get(language, 0) + 1
        firsts = state.first.setdefault(language, [])
        where: Where = (loc.path, loc.row, loc.line, split, fld)
        if len(firsts) < opts.max_listed:
            firsts.append(where)
            firsts.sort(key=_order)
        elif _order(where) < _order(firsts[-1]):  # only when records come out of file order
            firsts[-1] = where
            firsts.sort(key=_order)
        return state

    def merge(self, a: LanguageState, b: LanguageState) -> LanguageState:
        out = LanguageState(
            seen=_add(a.seen, b.seen),
            short=a.short + b.short,
            sampled_out=a.sampled_out + b.sampled_out,
            uncertain=a.uncertain + b.uncertain,
        )
        out.counts = {s: dict(c) for s, c in a.counts.items()}
        for split, per in b.counts.items():
            out.counts[split] = _add(out.counts.get(split, {}), per)
        out.first = {lang: list(w) for lang, w in a.first.items()}
        for lang, wheres in b.first.items():
            both = sorted(set(out.first.get(lang, [])) | set(wheres), key=_order)
            out.first[lang] = both[: self.options.max_listed]
        return out

    def finalize(self, state: LanguageState) -> Iterator[Finding]:
        totals: dict[str, int] = {}
        for per in state.counts.values():
            totals = _add(totals, per)
        if not totals:
            return
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
        checked = sum(totals.values())
        expected = self.options.language
        if expected is None:
            expected = ranked[0][0]
            main = f"{language_name(expected)}, the language of most records ({totals[expected]:,})"
        else:
            main = f"{language_name(expected)}, the configured language"
        notes = []
        skipped = [f"{state.short:,} too short"] if state.short else []
        if state.uncertain:
            skipped.append(f"{state.uncertain:,} of uncertain language")
        if skipped:
            notes.append(" and ".join(skipped) + " not counted")
        if state.sampled_out:
            records = sum(state.seen.values())
            notes.append(f"sampled: {records - state.sampled_out:,} of {records:,} records checked")
        tail = "".join(f"; {note}" for note in notes)
        found = []
        for language, count in ranked:
            if language == expected or count < self.options.min_records:
                continue
            wheres = state.first[language]
            splits = ", ".join(
                f"{split} {state.counts[split][language]:,}"
                for split in sorted(state.counts)
                if state.counts[split].get(language)
            )
            listed = ", ".join(_where_text(w, wheres[0][0]) for w in wheres)
            more = f" (+{count - len(wheres):,} more)" if count > len(wheres) else ""
            message = (
                f"{count:,} record(s) ({_pct(count, checked)} of the {checked:,} checked) are in "
                f"{language_name(language)}, not {main}; by split: {splits}; rows {listed}{more}{tail}"
            )
            found.append((wheres[0], message))
        found.sort(key=lambda item: _order(item[0]))
        for (path, row, line, split, fld), message in found:
            yield self.finding(message, Location(path, row=row, line=line, split=split, field=fld))


def _pct(n: int, total: int) -> str:
    share = n / total
    return f"{share:.2%}" if share < 0.01 else f"{share:.1%}"


def _where_text(where: Where, path: str) -> str:
    row = "?" if where[1] is None else str(where[1])
    return row if where[0] == path else f"{where[0]} row {row}"


def _add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    out = dict(a)
    for key, n in b.items():
        out[key] = out.get(key, 0) + n
    return out
