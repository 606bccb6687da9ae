"""`dslint clean`: a cleaned copy of a dataset that accounts for every input record.

Two passes. The first is a normal scan, which gives every dataset rule its final state (the majority separator,
the typo vocabulary...). The second reads each input again and, per record, applies the fixes of the selected
rules (safe ones always, unsafe ones with `unsafe_fixes`), then checks the fixed record with the record rules:

- *kept*: nothing to fix and nothing at or above `fail-on`; written unchanged,
- *fixed*: fixes applied and nothing left at or above `fail-on`; written with the list of fixes in the manifest,
- *rejected*: a finding at or above `fail-on` that no fix resolved, a line that is not JSON, invalid UTF-8, or a
  train record a selected dataset rule drops (a duplicate copy, a record that leaks into an eval split; rules
  never drop or add eval rows);
  written to the rejects file with its reasons, as it was in the input (a line that is not JSON verbatim).

So `records = kept + fixed + rejected` for every file, and the output holds `kept + fixed + added` rows, where
*added* are new rows a selected rule writes after a record (counterfactual copies, marked in the manifest).

Outputs keep the input's format and layout (one output per input file, same relative path under the output
folder), are staged in a temporary folder inside it and moved into place only when every file is complete, and
never replace an input. The manifest records counts per
outcome and per rule, input and output sha256, the config and the version; it holds no timestamps, so the same
input and config give the same bytes.
"""

from __future__ import annotations

import base64
import contextlib
import difflib
import hashlib
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from pydantic import BaseModel, Field

from dslint.config import ActiveRules, Config
from dslint.engine.runner import ScanResult, SourceScanner, scan_dataset
from dslint.engine.validation import ValidationSplit, plan_validation, validation_path
from dslint.io.readers import RawRow, ReadIssue, SourceError
from dslint.io.sources import MANIFEST_NAME, OWN_OUTPUTS, REJECTS_NAME, Source, normalise_split
from dslint.io.writers import RowWriter
from dslint.records import Finding, Fix, Location, Record, Severity
from dslint.rules import BUILTIN_RULES
from dslint.rules.base import CrossSplitRule, DatasetRule, InputRule, RecordRule, Rule
from dslint.version import __version__

INPUT_RULE_CODES = {cls.name: cls.code for cls in BUILTIN_RULES if issubclass(cls, InputRule)}


class CleanError(Exception):
    """A clean that cannot run (in-memory input, an output that would replace an input)."""


class FileResult(BaseModel):
    input: str
    input_sha256: str
    output: str | None = Field(description="Relative to the output folder; None with --diff.")
    output_sha256: str | None
    records: int
    kept: int
    fixed: int
    rejected: int
    added: int
    validation_output: str | None = Field(None, description="With --make-validation: where its share went.")
    to_validation: int = Field(0, description="Rows written to validation_output instead of output.")
    added_rows: list[int] = Field(
        default_factory=list,
        description="Where the added rows are in output (row numbers from 0); a Parquet output keeps the "
        "input's schema, so this list is the only mark its added rows have.",
    )
    added_validation_rows: list[int] = Field(
        default_factory=list, description="Where the added rows are in validation_output (row numbers from 0)."
    )


class CleanManifest(BaseModel):
    """What `dslint clean` did; written as dslint-manifest.json in the output folder."""

    schema_version: str = "1"
    dslint_version: str = __version__
    unsafe_fixes: bool
    reject_at: str = Field(description="Records with a finding at or above this severity are rejected.")
    files: list[FileResult]
    totals: dict[str, int] = Field(description="records, kept, fixed, rejected, added over all files.")
    fixes: dict[str, int] = Field(description="Records changed by each rule's fix.")
    rejections: dict[str, int] = Field(description="Rejected records per reason (rule code).")
    additions: dict[str, int] = Field(description="Rows added by each rule (e.g. counterfactual copies).")
    rejects_file: str | None
    rejects_sha256: str | None
    config: dict[str, Any]


@dataclass
class CleanResult:
    manifest: CleanManifest
    diff: str = ""

    @property
    def changed(self) -> bool:
        t = self.manifest.totals
        return bool(t["fixed"] or t["rejected"])


@dataclass
class _Tally:
    kept: int = 0
    fixed: int = 0
    rejected: int = 0
    added: int = 0
    fixes: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    additions: Counter[str] = field(default_factory=Counter)

    def add(self, other: _Tally) -> None:
        self.kept += other.kept
        self.fixed += other.fixed
        self.rejected += other.rejected
        self.added += other.added
        self.fixes += other.fixes
        self.rejections += other.rejections
        self.additions += other.additions


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def output_paths(sources: Sequence[Source], out_dir: Path) -> list[Path]:
    """Each input's output path: its path relative to the inputs' common folder, under `out_dir`."""
    if any(s.rows is not None for s in sources):
        raise CleanError("dslint clean works on files; write in-memory data to JSONL first")
    files = [Path(s.path).resolve() for s in sources]
    if len(set(files)) != len(files):
        raise CleanError("a file is given twice; each input gets exactly one output")
    root = Path(os.path.commonpath([f.parent for f in files]))
    outs = [out_dir.resolve() / f.relative_to(root) for f in files]
    for src, out in zip(files, outs, strict=True):
        if out in files:
            raise CleanError(f"{src}: the output would replace an input ({out}); choose another output folder")
        if out.name in OWN_OUTPUTS:
            raise CleanError(f"{src}: an input may not be named {out.name}")
    return outs


class _Cleaner:
    """The second pass over one source: fix, check, and sort each record into kept/fixed/rejected."""

    def __init__(
        self, scan: ScanResult, config: Config, unsafe_fixes: bool, validation: ValidationSplit | None = None
    ) -> None:
        self.validation = validation
        self.scanner = SourceScanner(scan.plan, "scan")
        self.states = scan.dataset_states
        self.cross_indexes = scan.cross_indexes
        self.reject_at = Severity.parse(config.fail_on)
        allowed = {Fix.SAFE, Fix.UNSAFE} if unsafe_fixes else {Fix.SAFE}
        rules = scan.plan.active.rules
        self.record_fixers = [r for r in rules if isinstance(r, RecordRule) and r.fix_applicability in allowed]
        self.dataset_fixers = [r for r in rules if isinstance(r, DatasetRule) and r.fix_applicability in allowed]
        self.cross_fixers = [r for r in rules if isinstance(r, CrossSplitRule) and r.fix_applicability in allowed]
        self.active: ActiveRules = scan.plan.active

    def run(
        self, source: Source, tally: _Tally, rejects: IO[bytes], diff: list[str] | None
    ) -> Iterator[tuple[Any, bool, bool]]:
        """The rows to write for `source`, in order, each with whether it goes to the new validation split;
        rejected rows go to `rejects` as they are met."""
        ignored = self.active.ignored_in(source.path)
        bad_rows: dict[int, tuple[list[dict[str, Any]], bytes | None]] = {}
        for item in source.read():
            if isinstance(item, ReadIssue):
                self._read_issue(source, item, tally, rejects, bad_rows, diff)
                continue
            if item.row in bad_rows:  # invalid UTF-8, read with U+FFFD: reject it as it was
                reasons, raw = bad_rows.pop(item.row)
                self._reject(source, item.row, item.line, reasons, tally, rejects, diff, raw_bytes=raw)
                continue
            yield from self._record(source, item, tally, rejects, diff, ignored)

    def _record(
        self,
        source: Source,
        item: RawRow,
        tally: _Tally,
        rejects: IO[bytes],
        diff: list[str] | None,
        ignored: frozenset[str],
    ) -> Iterator[tuple[Any, bool, bool]]:
        value = item.value
        original = orjson.dumps(value)
        split = source.split
        if isinstance(value, dict) and isinstance(value.get("split"), str) and value["split"].strip():
            split = normalise_split(value["split"])
        record = self.scanner.normaliser.normalise(value, Location(source.path, item.row, item.line, split))
        self.scanner.count_tokens(record)
        # Groups and drops first: both were decided on the records as they are in the input.
        to_validation = bool(self.validation and split == "train" and self.validation.chooses(record))
        reasons = [
            {"code": rule.code, "name": rule.name, "severity": "error", "message": why, "field": None}
            for rule, why in self._drops(record, ignored)
        ]
        if reasons:
            self._reject(source, item.row, item.line, reasons, tally, rejects, diff, value=value)
            return
        applied: list[str] = []
        for rule in self.record_fixers:
            if rule.code not in ignored and rule.fix(record):
                applied.append(rule.code)
        for drule in self.dataset_fixers:
            if drule.code not in ignored and drule.fix(record, self.states[drule.code]):
                applied.append(drule.code)
        if applied:
            record.derived.clear()  # `set_text` does it; this is for a plugin's fix that set a text itself
            self.scanner.count_tokens(record)
        problems = [
            f
            for rule in self.scanner.record_rules
            if rule.code not in ignored
            for f in rule.check(record)
            if f.severity >= self.reject_at
        ]
        if problems:
            reasons = [_reason(f) for f in problems]
            self._reject(source, item.row, item.line, reasons, tally, rejects, diff, value=orjson.loads(original))
            return
        if applied:
            tally.fixed += 1
            tally.fixes.update(applied)
            if diff is not None:
                diff.extend(_record_diff(source.path, item.line, item.row, original, record.raw, applied))
        else:
            tally.kept += 1
        yield record.raw, to_validation, False
        if split != "train":
            return
        for drule in self.dataset_fixers:
            if drule.code not in ignored:
                extra = drule.augment(record, self.states[drule.code])
                tally.added += len(extra)
                tally.additions[drule.code] += len(extra)
                for row in extra:  # a copy stays on its record's side of the split
                    yield row, to_validation, True

    def _drops(self, record: Record, ignored: frozenset[str]) -> list[tuple[Rule, str]]:
        """Why the selected dataset and cross-split rules drop a train record. An eval split is never shrunk
        (nor grown, see `augment`): it measures the model, and two cleaned copies must measure alike; the
        report still lists what its rows have (duplicates among them, say)."""
        drops: list[tuple[Rule, str]] = []
        if record.location.split != "train":
            return drops
        for drule in self.dataset_fixers:
            if drule.code not in ignored and (why := drule.drop(record, self.states[drule.code])):
                drops.append((drule, why))
        for crule in self.cross_fixers:
            if crule.code not in ignored and (why := crule.drop(record, self.cross_indexes[crule.code])):
                drops.append((crule, why))
        return drops

    def _read_issue(
        self,
        source: Source,
        issue: ReadIssue,
        tally: _Tally,
        rejects: IO[bytes],
        bad_rows: dict[int, tuple[list[dict[str, Any]], bytes | None]],
        diff: list[str] | None,
    ) -> None:
        # Rejected even where the rule is not selected: such a row cannot be written back faithfully.
        code = INPUT_RULE_CODES.get(issue.rule, issue.rule)
        reason = {"code": code, "name": issue.rule, "severity": "error", "message": issue.message, "field": None}
        if issue.rule == "invalid-json" and issue.row is not None:
            self._reject(source, issue.row, issue.line, [reason], tally, rejects, diff, raw_bytes=issue.raw)
        elif issue.rule == "invalid-utf8" and issue.row is not None:
            bad_rows[issue.row] = ([reason], issue.raw)
        # a byte order mark is simply not written again; an empty file gives an empty output

    def _reject(
        self,
        source: Source,
        row: int | None,
        line: int | None,
        reasons: list[dict[str, Any]],
        tally: _Tally,
        rejects: IO[bytes],
        diff: list[str] | None,
        value: Any = None,
        raw_bytes: bytes | None = None,
    ) -> None:
        tally.rejected += 1
        tally.rejections.update(sorted({r["code"] for r in reasons}))
        entry: dict[str, Any] = {"path": source.path, "line": line, "row": row, "reasons": reasons}
        if raw_bytes is not None:
            try:
                entry["line_text"] = raw_bytes.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                entry["line_base64"] = base64.b64encode(raw_bytes).decode("ascii")
        else:
            entry["record"] = value
        rejects.write(orjson.dumps(entry) + b"\n")
        if diff is not None:
            where = f"{source.path}:{line}" if line is not None else f"{source.path}[row {row}]"
            codes = ", ".join(sorted({r["code"] for r in reasons}))
            diff.append(f"rejected {where}: {codes}\n")


def _reason(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "name": f.name,
        "severity": str(f.severity),
        "message": f.message,
        "field": f.location.field,
    }


def _record_diff(
    path: str, line: int | None, row: int | None, before: bytes, after: Any, codes: list[str]
) -> list[str]:
    where = f"{path}:{line}" if line is not None else f"{path}[row {row}]"
    old = orjson.dumps(orjson.loads(before), option=orjson.OPT_INDENT_2).decode().splitlines(keepends=True)
    new = orjson.dumps(after, option=orjson.OPT_INDENT_2).decode().splitlines(keepends=True)
    header = f"{where} (fixed by {', '.join(codes)})"
    return [line if line.endswith("\n") else line + "\n" for line in difflib.unified_diff(old, new, header, header)]


def clean(
    sources: Sequence[Source],
    config: Config,
    active: ActiveRules,
    out_dir: str | Path,
    unsafe_fixes: bool = False,
    diff: bool = False,
    make_validation: float | None = None,
) -> CleanResult:
    """Write the cleaned copy of `sources` under `out_dir` (or, with `diff`, only say what would change).

    With `make_validation`, that fraction of the train records (by near-duplicate group, stratified by label)
    is written to a new validation file beside each train file instead (see engine/validation.py).
    """
    out_root = Path(out_dir)
    dataset = [s for s in sources if not s.reference]  # reference files are only read
    outs = output_paths(dataset, out_root)
    scan = scan_dataset(sources, config, active)
    validation = None
    if make_validation is not None:
        if not 0 < make_validation < 1:
            raise CleanError(f"--make-validation takes a fraction between 0 and 1, not {make_validation}")
        if any(s.split == "validation" for s in dataset):
            raise CleanError("the dataset already has a validation split; --make-validation would add a second")
        validation = plan_validation([s for s in dataset if s.split == "train"], scan, make_validation)
    cleaner = _Cleaner(scan, config, unsafe_fixes, validation)
    diff_lines: list[str] | None = [] if diff else None
    results: list[FileResult] = []
    totals = _Tally()
    out_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dslint-staging-", dir=out_root))
    try:
        rejects_path = staging / REJECTS_NAME
        with rejects_path.open("wb") as rejects:
            taken = {out.relative_to(out_root.resolve()).as_posix() for out in outs}
            for source, out in zip(dataset, outs, strict=True):
                tally = _Tally()
                rel = out.relative_to(out_root.resolve()).as_posix()
                staged = staging / rel
                staged.parent.mkdir(parents=True, exist_ok=True)
                val_rel = validation_path(rel, taken) if validation and source.split == "train" else None
                try:
                    with contextlib.ExitStack() as stack:
                        writer = stack.enter_context(RowWriter(staged, Path(source.path)))
                        val_writer = (
                            stack.enter_context(RowWriter(staging / val_rel, Path(source.path))) if val_rel else None
                        )
                        added_rows: tuple[list[int], list[int]] = ([], [])
                        for row, to_validation, added in cleaner.run(source, tally, rejects, diff_lines):
                            into = val_writer if to_validation and val_writer else writer
                            if added:
                                added_rows[into is val_writer].append(into.count)
                            into.write(row)
                except SourceError as exc:
                    raise CleanError(str(exc)) from None
                n_val = val_writer.count if val_writer is not None else 0
                n = writer.count + n_val
                results.append(
                    FileResult(
                        input=source.path,
                        input_sha256=_sha256(Path(source.path)),
                        output=None if diff else out.relative_to(out_root.resolve()).as_posix(),
                        output_sha256=None if diff else _sha256(staged),
                        records=tally.kept + tally.fixed + tally.rejected,
                        kept=tally.kept,
                        fixed=tally.fixed,
                        rejected=tally.rejected,
                        added=tally.added,
                        validation_output=None if diff else val_rel,
                        to_validation=n_val,
                        added_rows=added_rows[0],
                        added_validation_rows=added_rows[1],
                    )
                )
                if n != tally.kept + tally.fixed + tally.added:
                    raise RuntimeError(f"{source.path}: wrote {n} rows, accounted for {tally}")
                totals.add(tally)
        manifest = CleanManifest(
            unsafe_fixes=unsafe_fixes,
            reject_at=config.fail_on,
            files=results,
            totals={
                "records": totals.kept + totals.fixed + totals.rejected,
                "kept": totals.kept,
                "fixed": totals.fixed,
                "rejected": totals.rejected,
                "added": totals.added,
            },
            fixes=dict(sorted(totals.fixes.items())),
            rejections=dict(sorted(totals.rejections.items())),
            additions={k: v for k, v in sorted(totals.additions.items()) if v},
            rejects_file=None if diff else REJECTS_NAME,
            rejects_sha256=None if diff else _sha256(rejects_path),
            config=config.model_dump(mode="json", by_alias=True),
        )
        if not diff:
            (staging / MANIFEST_NAME).write_bytes(
                orjson.dumps(manifest.model_dump(mode="json"), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
                + b"\n"
            )
            _commit(staging, out_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return CleanResult(manifest, "".join(diff_lines or []))


def _commit(staging: Path, out_root: Path) -> None:
    """Move every staged file into place, the manifest last (its presence marks a complete output)."""
    files = sorted(p for p in staging.rglob("*") if p.is_file())
    files.sort(key=lambda p: p.name == MANIFEST_NAME)
    for path in files:
        target = out_root / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
