"""`dslint clean --make-validation FRACTION`: a deterministic validation split that does not leak.

Records are assigned by *group*, never one by one: a group is what a selected dataset rule says must stay
together (a near-duplicate cluster), else the record's exact-duplicate key (D001's), so exact and near copies
land on one side and the new split does not leak into train. Each group gets a hash (xxh3_64 of its key); the
groups with the smallest hashes, `FRACTION` of them, go to validation, within each label when the data is
classification (stratified). Same input, same config: same split, whatever the file order or the number of
processes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import xxhash

from dslint.engine.runner import ScanResult, SourceScanner
from dslint.io.readers import RawRow
from dslint.io.sources import Source
from dslint.records import Location, Record
from dslint.rules.base import DatasetRule
from dslint.text.content import content_key
from dslint.text.labels import is_classification, label_of


@dataclass
class ValidationSplit:
    """Which groups go to validation: per label, the hash at or below which a group's hash is chosen."""

    fraction: float
    thresholds: dict[str | None, int]
    group_rules: list[DatasetRule[Any]]
    states: dict[str, Any]
    stratified: bool = False

    def label(self, record: Record) -> str | None:
        return label_of(record) if self.stratified else None

    def group_hash(self, record: Record) -> int:
        for rule in self.group_rules:
            key = rule.group(record, self.states[rule.code])
            if key is not None:
                return xxhash.xxh3_64_intdigest(f"{rule.code}:{key}".encode())
        return xxhash.xxh3_64_intdigest(content_key(record) or b"")

    def chooses(self, record: Record) -> bool:
        """Whether the record goes to validation (call it on the record as read, before any fix)."""
        return self.group_hash(record) <= self.thresholds.get(self.label(record), -1)


def plan_validation(train: Sequence[Source], scan: ScanResult, fraction: float) -> ValidationSplit:
    """Read the train sources once more (no tokenizing, no rules) to rank each label's groups by hash."""
    group_rules = [r for r in scan.plan.rules_of(DatasetRule) if type(r).group is not DatasetRule.group]
    split = ValidationSplit(fraction, {}, group_rules, scan.dataset_states)
    normalise = SourceScanner(scan.plan, "scan").normaliser.normalise
    groups: dict[str | None, set[int]] = defaultdict(set)
    records = declared = 0
    for source in train:
        for item in source.read():
            if isinstance(item, RawRow):
                record = normalise(item.value, Location(source.path, item.row, item.line, source.split))
                groups[label_of(record)].add(split.group_hash(record))
                records += 1
                declared += record.label is not None
    counts = {label: len(hashes) for label, hashes in groups.items() if label is not None}
    split.stratified = is_classification(counts, records, declared)
    if not split.stratified:  # not classification: one stratum
        groups = {None: set().union(*groups.values())}
    for label, hashes in groups.items():
        ranked = sorted(hashes)
        k = round(fraction * len(ranked))
        if k == 0 and fraction > 0 and len(ranked) >= 2:
            k = 1  # every label with two groups or more is represented in validation
        split.thresholds[label] = ranked[k - 1] if k else -1
    return split


def validation_path(path: str, taken: set[str]) -> str:
    """Where a train file's validation part goes: `train` in its name becomes `validation`, else the name gets
    a `validation-` prefix."""
    head, _, name = path.rpartition("/")
    stem = name.replace("train", "validation", 1) if "train" in name else f"validation-{name}"
    candidate = f"{head}/{stem}" if head else stem
    if candidate in taken:
        raise ValueError(f"{candidate} would be written twice")
    return candidate
