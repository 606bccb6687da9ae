from collections.abc import Iterator
from dataclasses import dataclass, field

import xxhash
from pydantic import Field

from dslint.records import Finding, Fix, Location, Record, Severity
from dslint.rules.base import CrossSplitRule, RuleOptions, excerpt
from dslint.text.content import normalise_text, normalised_texts
from dslint.text.ngrams import label_text, leak_turns

#: Where an eval record is: (path, row, line, split).
Where = tuple[str, int | None, int | None, str | None]
#: Per key: (eval records with it, the first of them, whether that one has a response).
Entry = tuple[int, Where, bool]
#: Default `min-prompt-words`; X002 and X003 leave the pairs X001 reports with it to X001.
MIN_PROMPT_WORDS = 3


def where_of(record: Record) -> Where:
    loc = record.location
    return (loc.path, loc.row, loc.line, loc.split)


def describe(where: Where) -> str:
    """`validation record data/val.jsonl:12` (or `[row 11]` where there are no lines)."""
    path, row, line, split = where
    return f"{split or 'eval'} record {Location(path, row=row, line=line).short()}"


def _key(text: bytes) -> int:
    return xxhash.xxh3_128_intdigest(text)


def exact_keys(record: Record, min_prompt_words: int = MIN_PROMPT_WORDS) -> tuple[int | None, int | None, bool]:
    """(content key, prompt key, has a response) of a record.

    The content key is xxh3_128 of the normalised (whitespace collapsed, case folded) prompt and response,
    system turns, ids and metadata left out; a classification record's label is its response. The prompt key
    hashes the normalised prompt alone, when it has at least `min_prompt_words` words. None where there is no
    text. Kept on the record (X001, X002 and X003 all ask)."""
    key = f"exact-keys-{min_prompt_words}"
    found: tuple[int | None, int | None, bool] | None = record.derived.get(key)
    if found is None:
        found = record.derived[key] = _exact_keys(record, min_prompt_words)
    return found


def _exact_keys(record: Record, min_prompt_words: int) -> tuple[int | None, int | None, bool]:
    # the normalised turns joined by spaces are the normalised joined turns (D001-D004 have normalised them)
    normalised = dict(zip(map(id, record.messages), normalised_texts(record), strict=True))
    prompt, response = leak_turns(record)
    p = b" ".join([t for m in prompt if (t := normalised[id(m)])])
    label = normalise_text(label_text(record)).encode("utf-8", "surrogatepass")
    r = b" ".join([t for m in response if (t := normalised[id(m)])] + ([label] if label else []))
    content = b" ".join([part for part in (p, r) if part])
    prompt_key = _key(p) if p and p.count(b" ") + 1 >= min_prompt_words else None  # p's words: single spaces
    return (_key(content) if content else None), prompt_key, bool(r)


@dataclass
class ExactIndex:
    """The eval records' content and prompt keys, each with its count and first record. Merging keeps the
    first operand's first record (sources merge in order), so it is associative."""

    content: dict[int, Entry] = field(default_factory=dict)
    prompts: dict[int, Entry] = field(default_factory=dict)


def _add(table: dict[int, Entry], key: int, entry: Entry) -> None:
    mine = table.get(key)
    table[key] = entry if mine is None else (mine[0] + entry[0], mine[1], mine[2])


class ExactLeakageOptions(RuleOptions):
    min_prompt_words: int = Field(
        MIN_PROMPT_WORDS,
        ge=1,
        description="A prompt-only match needs a prompt of at least this many words (shorter ones, like "
        '"Hi", repeat by chance).',
    )


class ExactLeakage(CrossSplitRule[ExactIndex]):
    """A train record that is also in an eval split (validation, test, or a `--reference` file).

    **What it does**: hashes every eval record (xxh3_128 of its prompt and response with whitespace collapsed
    and case folded; system prompts, ids and metadata left out; a classification record's label counts as its
    response), and separately its prompt alone. It then reports each train record whose content equals an eval
    record's (`exact copy`) or, failing that, whose prompt equals an eval record's prompt (`same prompt`: the
    eval question was trained on even though the answer differs; prompts shorter than `min-prompt-words`,
    default 3, are not matched). The finding is at the train record and names the eval record (`path:line`).

    **Why it matters**: the model is scored on examples it was trained on, so the eval score measures
    memorisation, not generalisation, and every decision made from it (checkpoint, hyper-parameters, "ship
    it") is biased. Leaks are common when splits are made after augmentation or deduplication, or re-made with
    another seed.

    **Example**: 56 of the 62 records of `fold_1/val.jsonl` are also in `fold_0/train.jsonl` (cross-validation
    folds mixed up).

    **Fix**: `dslint clean` (a safe fix) drops the leaking train records, so the eval splits stay as they are
    and comparable with earlier runs; the dropped records go to the rejects file.
    """

    code = "X001"
    name = "exact-leakage"
    default_severity = Severity.ERROR
    fix_applicability = Fix.SAFE
    Options = ExactLeakageOptions
    options: ExactLeakageOptions

    def new_index(self) -> ExactIndex:
        return ExactIndex()

    def add_reference(self, index: ExactIndex, record: Record) -> ExactIndex:
        content, prompt, has_response = exact_keys(record, self.options.min_prompt_words)
        entry = (1, where_of(record), has_response)
        if content is not None:
            _add(index.content, content, entry)
        if prompt is not None:
            _add(index.prompts, prompt, entry)
        return index

    def merge(self, a: ExactIndex, b: ExactIndex) -> ExactIndex:
        out = ExactIndex(dict(a.content), dict(a.prompts))
        for key, entry in b.content.items():
            _add(out.content, key, entry)
        for key, entry in b.prompts.items():
            _add(out.prompts, key, entry)
        return out

    def _match(self, index: ExactIndex, record: Record) -> tuple[str, Entry] | None:
        if not index.content and not index.prompts:
            return None
        content, prompt, _ = exact_keys(record, self.options.min_prompt_words)
        if content is not None and (entry := index.content.get(content)) is not None:
            return "copy", entry
        if prompt is not None and (entry := index.prompts.get(prompt)) is not None:
            return "prompt", entry
        return None

    def probe(self, index: ExactIndex, record: Record) -> Iterator[Finding]:
        match = self._match(index, record)
        if match is None:
            return
        kind, (count, where, has_response) = match
        prompt, _ = leak_turns(record)
        if kind == "copy":
            message = f"exact copy of {describe(where)} (same prompt and response, whitespace and case aside)"
            location = record.location
        else:
            message = f"same prompt as {describe(where)}"
            message += (
                ": the eval question is trained on, though the answers differ"
                if has_response
                else ": the eval question is trained on"
            )
            location = record.location.at(prompt[0].field if prompt else None)
        if count > 1:
            message += f"; {count - 1} more eval record(s) have it too"
        shown = excerpt(" ".join(m.content for m in prompt)) if prompt else None
        yield self.finding(message, location, shown)

    def drop(self, record: Record, index: ExactIndex) -> str | None:
        match = self._match(index, record)
        if match is None:
            return None
        kind, (_, where, _) = match
        return f"{'exact copy of' if kind == 'copy' else 'same prompt as'} {describe(where)}"
