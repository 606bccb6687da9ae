from collections.abc import Iterator
from dataclasses import dataclass, field

import xxhash
from pydantic import Field

from dslint.records import Finding, Fix, Location, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions, excerpt

#: Formats that carry a system prompt.
SYSTEM_FORMATS = frozenset({"openai-chat", "sharegpt", "alpaca"})
EXCERPT = 80

#: Where a variant first occurs: (path, row, line, split, field).
Where = tuple[str, int | None, int | None, str | None, str]
#: Per variant (xxh3_64 of its text): [count, first occurrence, excerpt, xxh3_64 of its whitespace/case-folded text].
Variant = tuple[int, Where, str, int]


def _order(where: Where) -> tuple[str, bool, int, int]:
    return (where[0], where[1] is None, where[1] or 0, where[2] or 0)


def _hash(text: str) -> int:
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"))


@dataclass(slots=True)
class SystemPromptState:
    """How many records carry each system prompt, keyed by hash, exact while there are at most `max-variants`
    distinct ones; past that `overflow` is set and the variants are dropped (the prompts vary per record)."""

    records: int = 0
    without: int = 0
    without_first: Where | None = None
    variants: dict[int, Variant] = field(default_factory=dict)
    overflow: bool = False


class SystemPromptVariantsOptions(RuleOptions):
    max_variants: int = Field(
        1000, gt=1, description="Distinct system prompts tracked; past this many they count as per-record."
    )
    max_listed: int = Field(5, gt=0, description="Variants reported (the most used first).")


def _merge_variant(a: Variant, b: Variant) -> Variant:
    first = a if _order(a[1]) <= _order(b[1]) else b
    return (a[0] + b[0], first[1], first[2], first[3])


class SystemPromptVariants(DatasetRule[SystemPromptState]):
    """Several different system prompts across the dataset.

    **What it does**: hashes each chat, ShareGPT or Alpaca record's system prompt (all its system turns) and
    counts the records per distinct prompt, exactly, in a mergeable table of hash -> (count, first record,
    excerpt). When some records use a different system prompt than others, or some have none while others do,
    it reports the most used variants (`max-listed`, default 5), each with its count and first record, and
    says when a variant differs from the most common one only in whitespace or case. It stays silent when every
    record shares one system prompt, and when the prompts vary per record by design: at least 10 variants of
    which 90% are used once, or more than `max-variants` (default 1000) distinct ones.

    **Why it matters**: the model learns its behaviour conditioned on the system prompt. A few near-identical
    variants (a typo fixed halfway through collection, a trailing space, an old version) split the data into
    groups the model treats differently, and the one you deploy with may be the rare one.

    **Example**: 9,000 records with "You are a helpful assistant." and 1,000 with "You are a helpful
    assistant" (no period).

    **Fix**: use the same system prompt everywhere (or none), unless the variation is intended.
    """

    code = "P007"
    name = "system-prompt-variants"
    default_severity = Severity.INFO
    fix_applicability = Fix.NONE
    Options = SystemPromptVariantsOptions
    options: SystemPromptVariantsOptions

    def new_state(self) -> SystemPromptState:
        return SystemPromptState()

    def update(self, state: SystemPromptState, record: Record) -> SystemPromptState:
        if record.format not in SYSTEM_FORMATS:
            return state
        texts = [m for m in record.messages if m.role == "system" and isinstance(m.content, str)]
        loc = record.location
        state.records += 1
        if not texts:
            state.without += 1
            where: Where = (loc.path, loc.row, loc.line, loc.split, "")
            if state.without_first is None or _order(where) < _order(state.without_first):
                state.without_first = where
            return state
        if state.overflow:
            return state
        text = texts[0].content if len(texts) == 1 else "\n".join(m.content for m in texts)
        key = _hash(text)
        variant = state.variants.get(key)
        if variant is None:
            where = (loc.path, loc.row, loc.line, loc.split, texts[0].field)
            folded = _hash(" ".join(text.split()).casefold())
            state.variants[key] = (1, where, excerpt(text, EXCERPT), folded)
            if len(state.variants) > self.options.max_variants:
                state.overflow = True
                state.variants = {}
        else:
            count, where, shown, folded = variant
            state.variants[key] = (count + 1, where, shown, folded)
        return state

    def merge(self, a: SystemPromptState, b: SystemPromptState) -> SystemPromptState:
        out = SystemPromptState(records=a.records + b.records, without=a.without + b.without)
        firsts = [w for w in (a.without_first, b.without_first) if w is not None]
        out.without_first = min(firsts, key=_order) if firsts else None
        if a.overflow or b.overflow:
            out.overflow = True
            return out
        variants = dict(a.variants)
        for key, variant in b.variants.items():
            mine = variants.get(key)
            variants[key] = variant if mine is None else _merge_variant(mine, variant)
        if len(variants) > self.options.max_variants:
            out.overflow = True
        else:
            out.variants = variants
        return out

    def finalize(self, state: SystemPromptState) -> Iterator[Finding]:
        with_system = state.records - state.without
        if not with_system or state.overflow:
            return
        variants = sorted(state.variants.values(), key=lambda v: (-v[0], _order(v[1])))
        distinct = len(variants)
        singles = sum(1 for v in variants if v[0] == 1)
        if distinct >= 10 and singles >= 0.9 * distinct:
            return  # per-record system prompts, by design
        n = state.records
        found: list[tuple[Where, str, str | None]] = []
        if distinct > 1:
            top_count, _, top_shown, top_folded = variants[0]
            listed = variants[: self.options.max_listed]
            rest = variants[len(listed) :]
            for i, (count, where, shown, folded) in enumerate(listed):
                share = f"{count} of {n} records ({count / n:.1%})"
                if i == 0:
                    message = f"{distinct} different system prompts; the most common is used by {share}"
                    if state.without:
                        message += f"; {state.without} record(s) have none"
                    if rest:
                        message += f"; {len(rest)} less used variant(s) ({sum(v[0] for v in rest)} records) not listed"
                else:
                    message = f"system prompt variant {i + 1} of {distinct}, used by {share}"
                    if folded == top_folded:
                        message += "; it differs from the most common one only in whitespace or case"
                    else:
                        message += f'; the most common one ({top_count} records) is "{excerpt(top_shown, 50)}"'
                found.append((where, message + "; first here", shown))
        if state.without and state.without_first is not None:
            message = f"{state.without} of {n} records have no system prompt while {with_system} have one; first here"
            found.append((state.without_first, message, None))
        found.sort(key=lambda item: _order(item[0]))  # findings in file and row order, as the engine expects
        for (path, row, line, split, fld), message, text in found:
            yield self.finding(message, Location(path, row=row, line=line, split=split, field=fld or None), text)
