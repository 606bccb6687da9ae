from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import xxhash
from pydantic import Field

from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import DatasetRule, RuleOptions
from dslint.rules.duplicates.exact_duplicate import Table, key_groups, listing, place
from dslint.text.content import label_bytes, message_extra, normalised_texts, tool_definitions


def prompt_and_answer(record: Record) -> tuple[bytes, bytes, str | None]:
    """(prompt, answer, the answer's first field) of a record, normalised: the prompt is every turn that is not
    the assistant's (system, user, tool results) with its role, plus the tools offered; the answer is every
    assistant turn (text and tool calls) plus a classification label. b"" where there is none."""
    texts = normalised_texts(record)
    prompt: list[bytes] = []
    answer: list[bytes] = []
    answer_field = None
    for msg, text in zip(record.messages, texts, strict=True):
        extra = message_extra(record, msg)
        if not text and not extra:
            continue
        if msg.role == "assistant":
            answer.append(text + b"\x1f" + extra if extra else text)
            answer_field = answer_field or msg.field
        else:
            prompt.append(b"%s\x1f%s\x1f%s" % (msg.role.encode("utf-8", "surrogatepass"), text, extra))
    label = label_bytes(record)
    if label:
        answer.append(label)
        answer_field = record.label_field
    if not prompt:
        return b"", b"", None
    tools = tool_definitions(record)
    if tools:
        prompt.append(tools)
    return b"\x1e".join(prompt), b"\x1e".join(answer), answer_field


@dataclass
class ConflictState:
    """Per record with a prompt and an answer (in file order): its position, the field of its answer, and two
    8-byte keys: xxh3_64 of its split and normalised prompt, xxh3_64 of its normalised answer."""

    table: Table = field(default_factory=lambda: Table(("Q", "Q")))


class ConflictingAnswersOptions(RuleOptions):
    max_listed: int = Field(6, ge=1, description="Records listed by place, each with its answer's number.")


class ConflictingAnswers(DatasetRule[ConflictState]):
    """The same prompt with different answers (or labels).

    **What it does**: keys each record's prompt (every non-assistant turn with its role: system, user and tool
    results, plus the tools offered; `prompt`; `instruction` + `input`; a classification `text`) and its answer
    (the assistant turns, `completion`, `output`, or the label), both normalised (whitespace collapsed, case
    folded), as 8-byte xxh3_64 keys, and groups records by prompt within each split. A prompt whose records
    have two or more different answers gets one finding, at the first record whose answer differs from the
    first one's, with the number of different answers and the records (`max-listed`), each with its answer's
    number. Records that repeat a prompt with the same answer are exact duplicates (D001), not conflicts.
    State: 32 bytes per record (two keys, row, line) plus a field index.

    **Why it matters**: the model is taught two answers to one question. With labels this is label noise (one
    of them is wrong, or the text does not decide the label); with generated answers it is often a fixed typo
    or a changed format that left the old version in, which the model then reproduces at random.

    **Example**: `{"prompt": "Abstract ...", "completion": " [{\"mof\": \"ZIF-8\"}]"}` on line 40 and the same
    prompt on line 212 with `" [{\"mof\": \"ZIF-8\", \"guest\": \"CO2\"}]"`.

    **Fix**: decide the right answer and keep one record; or, where several answers are valid by design
    (sampled responses), ignore this rule for that data.
    """

    code = "D003"
    name = "conflicting-answers"
    default_severity = Severity.WARNING
    fix_applicability = Fix.NONE
    Options = ConflictingAnswersOptions
    options: ConflictingAnswersOptions

    def new_state(self) -> ConflictState:
        return ConflictState()

    def update(self, state: ConflictState, record: Record) -> ConflictState:
        prompt, answer, answer_field = prompt_and_answer(record)
        if not prompt or not answer or answer_field is None:
            return state
        split = (record.location.split or "").encode("utf-8", "surrogatepass")
        part = state.table.add(record.location)
        part.columns[0].append(xxhash.xxh3_64_intdigest(split + b"\x1d" + prompt))
        part.columns[1].append(xxhash.xxh3_64_intdigest(answer))
        part.field_ids.append(Table.field_id(part, answer_field))
        return state

    def merge(self, a: ConflictState, b: ConflictState) -> ConflictState:
        return ConflictState(Table.concat(a.table, b.table))

    def finalize(self, state: ConflictState) -> Iterator[Finding]:
        table = state.table
        prompts = table.column(0, np.uint64)
        answers = table.column(1, np.uint64)
        if not len(prompts):
            return
        order, bounds = key_groups(prompts)
        conflicts = []
        for g in np.flatnonzero(np.diff(bounds) > 1):
            members = order[bounds[g] : bounds[g + 1]]
            theirs = answers[members]
            differs = theirs != theirs[0]
            if differs.any():
                conflicts.append((int(members[int(np.argmax(differs))]), members, theirs))
        conflicts.sort(key=lambda c: c[0])
        for at, members, theirs in conflicts:
            here = table.location(at, with_field=True)
            _, first_seen = np.unique(theirs, return_index=True)
            number = {int(theirs[i]): n + 1 for n, i in enumerate(sorted(first_seen))}
            shown = [
                f"{place(table.location(int(i)), here.path)} (answer {number[int(a)]})"
                for i, a in zip(members[: self.options.max_listed], theirs, strict=False)
            ]
            first = place(table.location(int(members[0])), here.path)
            yield self.finding(
                f"same prompt as the record at {first} with a different answer: {len(number)} different answers "
                f"among the {len(members)} records with this prompt: {listing(shown, len(members))}",
                here,
            )
