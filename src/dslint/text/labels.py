"""Class labels of classification data, shared by the label rules (B001 label-imbalance, S003 label-shift).

A record's label is `record.label` where the format has one (`{"text", "label"}`), else a short final reply
read as a label: the OpenAI legacy classification fine-tune (`{"prompt": "Review: ...\\n\\n###\\n\\n",
"completion": " positive"}`) and chat records whose one assistant turn is a word or two. A short reply is
only a *candidate* label: whether a dataset is classification data is decided over the whole dataset by
`is_classification` (few distinct labels, used by nearly every record), since a Q&A set also has short answers.

    label_of(record) -> str | None         # the label text, or None
    labelled(record) -> Label | None       # the label with its field and whether the format declared it
    is_classification(counts, records, explicit)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from dslint.records import Record

#: A reply read as a label has at most this many characters and words (after stripping stop markers).
MAX_LABEL_CHARS = 40
MAX_LABEL_WORDS = 4
#: Stop markers and end-of-text tokens a classification completion often ends with; stripped (at the end,
#: repeatedly, with surrounding whitespace; `END` only as a word of its own) before the reply is read as a label.
STOP_MARKERS = ("<|endoftext|>", "<|im_end|>", "<|eot_id|>", "</s>", "###", "END")
#: `is_classification` defaults: at most this many distinct labels, on at least this share of the records,
#: with at least this many records per label on average.
MAX_CLASSES = 20
MIN_LABELLED_SHARE = 0.9
MIN_RECORDS_PER_LABEL = 5


@dataclass(frozen=True, slots=True)
class Label:
    """A record's label: its text, the field it is in (`label`, `completion`, `messages[2].content`) and
    whether the format declares it (`record.label`) rather than it being read from a short reply."""

    text: str
    field: str | None
    explicit: bool


def _label_text(value: Any) -> str | None:
    """A declared label as text: strings as they are (stripped), numbers and booleans as JSON writes them,
    lists and objects as compact JSON with sorted keys; None for null or an empty string."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (bool, int, float)):
        return orjson.dumps(value).decode()
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return repr(value)


def _strip_stops(text: str) -> str:
    text = text.strip()
    changed = True
    while changed and text:
        changed = False
        for marker in STOP_MARKERS:
            cut = len(text) - len(marker)
            # a word marker (END) only as a word of its own: "WEEKEND" keeps its END
            if text.endswith(marker) and not (marker.isalnum() and cut > 0 and not text[cut - 1].isspace()):
                text = text[:cut].rstrip()
                changed = True
    return text


def labelled(record: Record) -> Label | None:
    """The record's label, or None.

    - `record.label` (the classification format's `label` field), as text (see `_label_text`);
    - else, for a record with exactly one assistant turn, which is its last turn, and at least one turn
      before it: that reply, stripped of whitespace and trailing stop markers (`STOP_MARKERS`), when it is one
      line of at most `MAX_LABEL_CHARS` characters and `MAX_LABEL_WORDS` words. Case is kept: `Positive` and
      `positive` are different labels (a finding of their own).
    """
    if record.label is not None:
        text = _label_text(record.label)
        return None if text is None else Label(text, record.label_field, True)
    messages = record.messages
    if len(messages) < 2 or messages[-1].role != "assistant":
        return None
    if sum(1 for m in messages if m.role == "assistant") != 1:
        return None
    reply = messages[-1].content
    if not isinstance(reply, str) or len(reply) > 4 * MAX_LABEL_CHARS:
        return None
    text = _strip_stops(reply)
    if not text or len(text) > MAX_LABEL_CHARS or "\n" in text or len(text.split()) > MAX_LABEL_WORDS:
        return None
    return Label(text, messages[-1].field, False)


def label_of(record: Record) -> str | None:
    """The record's label text (`labelled(record).text`), or None when it has none.

    Declared labels (`record.label`) are always labels; a short final reply is a candidate, and a rule must
    check with `is_classification` that the dataset's candidates look like classes before using them."""
    found = labelled(record)
    return None if found is None else found.text


def is_classification(
    counts: Mapping[str, int],
    records: int,
    explicit: int = 0,
    max_classes: int = MAX_CLASSES,
    min_labelled_share: float = MIN_LABELLED_SHARE,
) -> bool:
    """Whether a split's labels (`counts`: records per label, over `records` records, of which `explicit`
    had a declared label) are classification labels.

    Declared labels on most labelled records: yes. Labels read from short replies: only when there are 2 to
    `max_classes` distinct ones, at least `min_labelled_share` of the records have one, and there are at
    least `MIN_RECORDS_PER_LABEL` records per label on average (a Q&A set's short answers are mostly distinct).
    """
    labelled_records = sum(counts.values())
    if not labelled_records or not records:
        return False
    if explicit * 2 >= labelled_records:
        return True
    distinct = len(counts)
    return (
        2 <= distinct <= max_classes
        and labelled_records >= min_labelled_share * records
        and labelled_records >= MIN_RECORDS_PER_LABEL * distinct
    )
