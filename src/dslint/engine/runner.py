"""The streaming runner: sources -> records -> rules -> a Report.

Each source (file) is scanned by `scan_source` into a `Partial`: exact finding counts, the first findings per
rule, dataset-rule states and summary statistics. Partials merge in source order, so the report is the same
whether the files were scanned by one process or by several (`jobs`). Memory is bounded by the batch being
read, the per-rule samples and the rule states, never by the size of the data.

Cross-split rules need the reference splits (validation, test, `--reference` files) complete before they probe
train records, so when any is active the runner first makes an index pass over every source, indexing the rows
whose split (the file's, or the row's `split` column) is a reference split, and then scans every dataset source
in order, probing the train rows. `--reference` files are only indexed: they are not part of the dataset. The
index pass costs one extra parse of the data, and only when cross-split rules run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import os
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from dslint.config import ActiveRules, Config
from dslint.engine.summary import SummaryState, percentile, suggested_epochs
from dslint.io.formats import Normaliser
from dslint.io.readers import FilePart, ReadIssue, SourceError, file_parts
from dslint.io.sources import Source, normalise_split
from dslint.records import Finding, Location, Record, Severity
from dslint.report.model import (
    Distribution,
    FindingModel,
    Report,
    RuleResult,
    SplitSummary,
    Summary,
    TrainingEstimate,
)
from dslint.rules.base import CrossSplitRule, DatasetRule, InputRule, RecordRule, Rule
from dslint.rules.length.too_many_tokens import TooManyTokens
from dslint.text.tokenizer import TokenCounter
from dslint.version import __version__

#: Tokens a chat template adds per turn, and for the reply primer (OpenAI's counting guide).
TOKENS_PER_TURN = 3
TOKENS_PER_REPLY_PRIMER = 3
#: Distinct system prompts whose token counts are kept (a dataset usually has one or a few).
SYSTEM_PROMPT_CACHE = 256
#: Records checked together (see `SourceScanner._run_batch`): at most this many, and no more once they hold
#: `BATCH_TOKENS` tokens, so the records held in memory meanwhile stay small (~4 MB of text). Each switch between
#: tokenizing and checking costs both their CPU-cache contents (the tokenizer's tables, the rules' indexes): with
#: the leakage rules on, tokenizing took ~103 us a chat record in batches of 64 and ~82 in batches of 1024.
BATCH = 1024
BATCH_TOKENS = 1_000_000

#: Allocations between two collections of the young generation while sources are scanned (CPython's default is
#: 700). A scan allocates millions of short-lived objects while the records of a batch and the rules' states stay
#: alive, and a collection every 700 allocations walks those again and again: ~9% of a scan with the duplicate
#: and leakage rules on, ~4% with the text rules. Reference cycles are still collected, less often.
GC_YOUNG_THRESHOLD = 50_000


class ScanError(Exception):
    """A scan that cannot run (a file that cannot be opened); the message names the file."""


@dataclass
class Plan:
    """Everything a worker needs to scan a source; picklable."""

    active: ActiveRules
    encoding: str
    role_map: dict[str, str]
    sample_size: int
    findings_dir: str | None = None
    profile: bool = False

    def rules_of(self, kind: type[Rule]) -> list[Any]:
        return [r for r in self.active.rules if isinstance(r, kind)]


@dataclass
class Partial:
    """The mergeable result of scanning some sources."""

    counts: Counter[str] = field(default_factory=Counter)
    worst: dict[str, Severity] = field(default_factory=dict)
    severities: Counter[Severity] = field(default_factory=Counter)
    samples: dict[str, list[Finding]] = field(default_factory=dict)
    dataset_states: dict[str, Any] = field(default_factory=dict)
    #: The cross-split indexes: built here in the index phase; in the scan phase, the complete indexes probed,
    #: emptied before the Partial goes back (only `notes` travel).
    cross_indexes: dict[str, Any] = field(default_factory=dict)
    #: What the probes noted in each cross-split index (scan phase, `CrossSplitRule.notes`).
    notes: dict[str, Any] = field(default_factory=dict)
    #: Reference records added to each cross-split rule's index (index phase).
    indexed: Counter[str] = field(default_factory=Counter)
    summary: SummaryState = field(default_factory=SummaryState)
    findings_files: list[str] = field(default_factory=list)
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))


class _Sink:
    """Collects findings into a Partial: exact counts, bounded samples, and the optional findings file."""

    def __init__(self, partial: Partial, plan: Plan) -> None:
        self.partial = partial
        self.sample_size = plan.sample_size
        self._ignored: dict[str, frozenset[str]] = {}
        self._active = plan.active
        self._out: IO[bytes] | None = None
        if plan.findings_dir is not None:
            fd, name = tempfile.mkstemp(suffix=".jsonl", dir=plan.findings_dir)
            self._out = os.fdopen(fd, "wb")
            partial.findings_files.append(name)

    def add(self, finding: Finding) -> None:
        path = finding.location.path
        ignored = self._ignored.get(path)
        if ignored is None:
            ignored = self._ignored[path] = self._active.ignored_in(path)
        if finding.code in ignored:
            return
        p = self.partial
        p.counts[finding.code] += 1
        p.severities[finding.severity] += 1
        if finding.severity > p.worst.get(finding.code, Severity.INFO):
            p.worst[finding.code] = finding.severity
        samples = p.samples.setdefault(finding.code, [])
        if len(samples) < self.sample_size:
            samples.append(finding)
        if self._out is not None:
            self._out.write(orjson.dumps(finding.to_dict()) + b"\n")

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


class SourceScanner:
    """Scans one source with a plan: the per-record hot path."""

    def __init__(self, plan: Plan, phase: str) -> None:
        self.plan = plan
        self.phase = phase
        self.normaliser = Normaliser(plan.role_map)
        self.count = TokenCounter(plan.encoding).count
        self.system_counts: dict[str, int] = {}
        self.input_rules = {r.name: r for r in plan.rules_of(InputRule)}
        self.record_rules: list[RecordRule] = plan.rules_of(RecordRule)
        self.dataset_rules: list[DatasetRule[Any]] = plan.rules_of(DatasetRule)
        self.cross_rules: list[CrossSplitRule[Any]] = plan.rules_of(CrossSplitRule)
        if plan.profile:
            self.seconds: defaultdict[str, float] = defaultdict(float)
            self.record_rules = [_Timed(r, self.seconds) for r in self.record_rules]  # type: ignore[misc]
            self.dataset_rules = [_Timed(r, self.seconds) for r in self.dataset_rules]  # type: ignore[misc]
            self.cross_rules = [_Timed(r, self.seconds) for r in self.cross_rules]  # type: ignore[misc]
            self.count_tokens = _timed_call(self.count_tokens, "tokenize", self.seconds)  # type: ignore[method-assign]

    def count_tokens(self, record: Record) -> None:
        count = self.count
        system_counts = self.system_counts
        total = 0
        for msg in record.messages:
            content = msg.content
            if isinstance(content, str) and content:
                if msg.role == "system":  # system prompts repeat across a dataset: count each once
                    n = system_counts.get(content, -1)
                    if n < 0:
                        if len(system_counts) >= SYSTEM_PROMPT_CACHE:
                            system_counts.clear()
                        n = system_counts[content] = count(content)
                else:
                    n = count(content)
                msg.n_tokens = n
                total += n
        if record.is_conversation:
            total += TOKENS_PER_TURN * len(record.messages) + TOKENS_PER_REPLY_PRIMER
        record.n_tokens = total

    def scan(self, source: Source, partial: Partial, sink: _Sink) -> None:
        source_split, path, reference = source.split, source.path, source.reference
        normalise = self.normaliser.normalise
        count_tokens = self.count_tokens
        indexing = self.phase == "index"
        run_batch = self._index_batch if indexing else self._run_batch
        batch: list[Record] = []
        batch_tokens = 0
        # Indexing a train file needs only its rows that a `split` column puts in another split: a line without
        # that key is not parsed at all.
        containing = b'"split"' if indexing and source_split == "train" and not reference else None
        try:
            for item in source.read(containing):
                if isinstance(item, ReadIssue):
                    if not indexing:
                        self._run_batch(batch, partial, sink)  # findings stay in file order
                        self._read_issue(source, item, sink)
                    continue
                value = item.value
                split = source_split
                if isinstance(value, dict) and not reference:
                    column = value.get("split")
                    if isinstance(column, str) and column.strip():
                        split = normalise_split(column)
                if indexing and split == "train":
                    continue
                record = normalise(value, Location(path, item.row, item.line, split))
                if not indexing:  # the index needs no token counts; the scan pass counts these records
                    count_tokens(record)
                batch.append(record)
                batch_tokens += record.n_tokens
                if len(batch) >= BATCH or batch_tokens >= BATCH_TOKENS:
                    run_batch(batch, partial, sink)
                    batch_tokens = 0
        except SourceError as exc:
            run_batch(batch, partial, sink)
            raise ScanError(str(exc)) from None
        run_batch(batch, partial, sink)

    def _run_batch(self, batch: list[Record], partial: Partial, sink: _Sink) -> None:
        """Check a batch of (tokenized) records, then empty it.

        Rule by rule over the batch rather than record by record: each rule's code and tables (its regexes, word
        sets, state) then stay in the CPU caches across the batch, where ~50 rules per record would push each
        other (and the tokenizer's tables) out: ~10% faster on chat data. The findings are added record by record,
        in rule order, exactly as a record-by-record loop adds them; dataset rules see the records in order.
        """
        if not batch:
            return
        found: list[list[Finding]] = [[] for _ in batch]
        extends = [out.extend for out in found]
        if self.cross_rules:
            indexes = partial.cross_indexes
            train = [record.location.split == "train" for record in batch]
            probed = [record for record, is_train in zip(batch, train, strict=True) if is_train]
            probed_extends = [extend for extend, is_train in zip(extends, train, strict=True) if is_train]
            for cross in self.cross_rules:
                index = indexes.get(cross.code)
                if index is None:  # nothing to probe against (no reference records)
                    continue
                for extend, findings in zip(probed_extends, cross.probe_many(index, probed), strict=True):
                    extend(findings)
        for rule in self.record_rules:
            rule.prepare(batch)
            check = rule.check
            for record, extend in zip(batch, extends, strict=True):
                extend(check(record))
        states = partial.dataset_states
        for drule in self.dataset_rules:
            drule.prepare(batch)
            update, state = drule.update, states[drule.code]
            for record in batch:
                state = update(state, record)
            states[drule.code] = state
        summarise = partial.summary.update
        for record in batch:
            summarise(record)
        add = sink.add
        for out in found:
            for finding in out:
                add(finding)
        batch.clear()

    def scan_timed(self, source: Source, partial: Partial, sink: _Sink) -> None:
        """`scan`, adding the time of each rule, of tokenizing and of the rest (reading, normalising)."""
        start = time.perf_counter()
        self.seconds.clear()
        self.scan(source, partial, sink)
        for key, value in self.seconds.items():
            partial.seconds[key] += value
        partial.seconds["read+normalise"] += time.perf_counter() - start - sum(self.seconds.values())

    def _index_batch(self, batch: list[Record], partial: Partial, sink: _Sink) -> None:
        """Add a batch of reference-split records to the cross-split indexes, then empty it."""
        for cross in self.cross_rules:
            mine = [record for record in batch if record.location.split in cross.reference_splits]
            if mine:
                cross.prepare(mine)
                partial.indexed[cross.code] += len(mine)
                index = partial.cross_indexes[cross.code]
                for record in mine:
                    index = cross.add_reference(index, record)
                partial.cross_indexes[cross.code] = index
        batch.clear()

    def _read_issue(self, source: Source, issue: ReadIssue, sink: _Sink) -> None:
        rule = self.input_rules.get(issue.rule)
        if rule is None:
            return
        location = Location(source.path, issue.row, issue.line, source.split)
        detail = f" (byte {issue.byte_offset})" if issue.byte_offset is not None else ""
        excerpt = issue.text[:80] if issue.text else None
        sink.add(rule.finding(issue.message + detail, location, excerpt))


class _Timed:
    """A rule that adds the time of its calls to a counter (for `--profile`)."""

    def __init__(self, rule: Any, seconds: defaultdict[str, float]) -> None:
        self.rule, self.seconds, self.code = rule, seconds, rule.code

    def __getattr__(self, name: str) -> Any:  # what is not timed (e.g. a cross-split rule's add_reference)
        return getattr(self.rule, name)

    def check(self, record: Record) -> list[Finding]:
        start = time.perf_counter()
        found = list(self.rule.check(record))
        self.seconds[self.code] += time.perf_counter() - start
        return found

    def update(self, state: Any, record: Record) -> Any:
        start = time.perf_counter()
        state = self.rule.update(state, record)
        self.seconds[self.code] += time.perf_counter() - start
        return state

    def prepare(self, records: Sequence[Record]) -> None:
        start = time.perf_counter()
        self.rule.prepare(records)
        self.seconds[self.code] += time.perf_counter() - start

    def probe_many(self, index: Any, records: Sequence[Record]) -> list[list[Finding]]:
        start = time.perf_counter()
        found = [list(findings) for findings in self.rule.probe_many(index, records)]
        self.seconds[self.code] += time.perf_counter() - start
        return found


def _timed_call(func: Any, key: str, seconds: defaultdict[str, float]) -> Any:
    def timed(*args: Any) -> Any:
        start = time.perf_counter()
        result = func(*args)
        seconds[key] += time.perf_counter() - start
        return result

    return timed


def _new_partial(plan: Plan) -> Partial:
    partial = Partial()
    for rule in plan.rules_of(DatasetRule):
        partial.dataset_states[rule.code] = rule.new_state()
    return partial


def scan_sources(
    sources: Sequence[Source], plan: Plan, phase: str, cross_indexes: dict[str, Any] | None = None
) -> Partial:
    """Scan some sources in order into one Partial (runs in a worker process when jobs > 1)."""
    partial = _new_partial(plan)
    if phase == "index":
        partial.cross_indexes = {r.code: r.new_index() for r in plan.rules_of(CrossSplitRule)}
    else:
        partial.cross_indexes = cross_indexes or {}
    scanner = SourceScanner(plan, phase)
    sink = _Sink(partial, plan)
    try:
        with _fewer_collections():
            for source in sources:
                if plan.profile and phase == "scan":
                    scanner.scan_timed(source, partial, sink)
                else:
                    scanner.scan(source, partial, sink)
    finally:
        sink.close()
    if phase == "scan":  # the indexes stay where they are; what the probes noted goes back
        rules = {r.code: r for r in plan.rules_of(CrossSplitRule)}
        partial.notes = {code: rules[code].notes(index) for code, index in partial.cross_indexes.items()}
        partial.cross_indexes = {}
    return partial


#: The cross-split indexes a worker process probes, handed over once when it starts (`_run_phase`).
_worker_indexes: dict[str, Any] | None = None


def _start_worker(cross: dict[str, Any] | None) -> None:
    global _worker_indexes
    _worker_indexes = cross


def _scan_in_worker(sources: Sequence[Source], plan: Plan, phase: str) -> Partial:
    return scan_sources(sources, plan, phase, _worker_indexes)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect the young generation every `GC_YOUNG_THRESHOLD` allocations meanwhile, then as before."""
    before = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _merge(plan: Plan, into: Partial, other: Partial) -> None:
    into.counts += other.counts
    into.severities += other.severities
    for code, sev in other.worst.items():
        into.worst[code] = max(sev, into.worst.get(code, Severity.INFO))
    for code, samples in other.samples.items():
        mine = into.samples.setdefault(code, [])
        mine.extend(samples[: max(0, plan.sample_size - len(mine))])
    for rule in plan.rules_of(DatasetRule):
        into.dataset_states[rule.code] = rule.merge(into.dataset_states[rule.code], other.dataset_states[rule.code])
    into.summary.merge(other.summary)
    into.findings_files.extend(other.findings_files)
    for key, value in other.seconds.items():
        into.seconds[key] += value


def _run_phase(
    sources: Sequence[Source], plan: Plan, phase: str, jobs: int, cross: dict[str, Any] | None
) -> list[Partial]:
    """One Partial per source, in the order given, so merging them is independent of `jobs`. With several
    processes, a big JSON Lines file is read in parts (`_tasks`; a part is a source of its own)."""
    if jobs > 1:
        sources = _tasks(sources, jobs)
    if jobs <= 1 or len(sources) <= 1:
        return [scan_sources([s], plan, phase, cross) for s in sources]
    # the indexes go to each process once, as it starts (not with each task: they can be large)
    with ProcessPoolExecutor(min(jobs, len(sources)), initializer=_start_worker, initargs=(cross,)) as pool:
        n = len(sources)
        return list(pool.map(_scan_in_worker, [[s] for s in sources], [plan] * n, [phase] * n))


def _tasks(sources: Sequence[Source], jobs: int) -> list[Source]:
    """The sources as tasks for `jobs` processes: each file cut into as many parts as its share of all the bytes
    calls for (up to `jobs`), so a large train file beside a small test file keeps every process busy, and many
    files of like size stay whole. Only plain JSON Lines files of `MIN_PART_BYTES` or more are cut."""
    sizes = [_size(source) for source in sources]
    total = sum(sizes)
    if not total:
        return list(sources)
    return [
        part for source, size in zip(sources, sizes, strict=True) for part in _parts(source, -(-size * jobs // total))
    ]


def _size(source: Source) -> int:
    """The bytes of a source's file (0 for an in-memory source, a part, or a file that cannot be read)."""
    if source.rows is not None or source.part is not None:
        return 0
    try:
        return Path(source.path).stat().st_size
    except OSError:  # the reader says what is wrong with the file, naming it
        return 0


def _parts(source: Source, parts: int) -> list[Source]:
    """The source as `parts` parts of its file, or as itself (one part; a small, compressed or in-memory source)."""
    if parts < 2 or source.rows is not None or source.part is not None:
        return [source]
    path = Path(source.path)
    try:
        stat = path.stat()
        found = _file_parts(path, stat.st_size, stat.st_mtime_ns, parts)
    except OSError:  # the reader says what is wrong with the file, naming it
        return [source]
    return [dataclasses.replace(source, part=part) for part in found] if found else [source]


@functools.lru_cache(maxsize=64)
def _file_parts(path: Path, size: int, mtime_ns: int, parts: int) -> list[FilePart] | None:
    """`file_parts`, once per file and version (the index pass and the scan pass cut a file alike)."""
    return file_parts(path, parts)


def _distribution(hist: Counter[int]) -> Distribution:
    n = sum(hist.values())
    total = sum(v * c for v, c in hist.items())
    return Distribution(
        min=min(hist) if hist else 0,
        mean=round(total / n, 2) if n else 0.0,
        p50=percentile(hist, 50),
        p90=percentile(hist, 90),
        p95=percentile(hist, 95),
        max=max(hist) if hist else 0,
        total=total,
    )


def _summary(state: SummaryState, plan: Plan) -> Summary:
    max_tokens = next((r.options.max_tokens for r in plan.active.rules if isinstance(r, TooManyTokens)), None)
    order = {"train": 0, "validation": 1, "test": 2}
    splits = []
    for name in sorted(state.splits, key=lambda s: (order.get(s, 3), s)):
        st = state.splits[name]
        splits.append(
            SplitSummary(
                split=name,
                records=st.records,
                formats=dict(st.formats.most_common()),
                files=dict(sorted(st.files.items())),
                tokens=_distribution(st.tokens),
                turns=_distribution(st.turns),
                assistant_tokens=st.assistant_tokens,
            )
        )
    training = None
    train = state.splits.get("train")
    if train and train.records:
        cap = max_tokens or max(train.tokens)
        per_epoch = sum(min(cap, n) * c for n, c in train.tokens.items())
        epochs = suggested_epochs(train.records)
        training = TrainingEstimate(
            examples=train.records,
            suggested_epochs=epochs,
            tokens_per_epoch=per_epoch,
            training_tokens=per_epoch * epochs,
        )
    return Summary(encoding=plan.encoding, max_tokens=max_tokens, splits=splits, training=training)


def _finding_model(f: Finding) -> FindingModel:
    return FindingModel.model_validate(f.to_dict())


@dataclass
class ScanResult:
    """A scan's Report, with what `dslint clean` needs from it: the plan and the final dataset-rule states."""

    report: Report
    plan: Plan
    dataset_states: dict[str, Any]
    cross_indexes: dict[str, Any]


def run(
    sources: Sequence[Source],
    config: Config,
    active: ActiveRules,
    findings_out: str | Path | None = None,
    profile: bool = False,
) -> Report:
    """Scan `sources` with the active rules and build the Report (and the findings file, if asked)."""
    return scan_dataset(sources, config, active, findings_out, profile).report


def scan_dataset(
    sources: Sequence[Source],
    config: Config,
    active: ActiveRules,
    findings_out: str | Path | None = None,
    profile: bool = False,
) -> ScanResult:
    """`run`, keeping the plan and the merged dataset-rule states."""
    tmpdir = tempfile.mkdtemp(prefix="dslint-") if findings_out else None
    plan = Plan(active, config.encoding, dict(config.role_map), config.sample_size, tmpdir, profile)
    dataset = [s for s in sources if not s.reference]  # reference files are only indexed
    for rule in active.rules:
        rule.begin([s.path for s in dataset])
    try:
        cross_rules = plan.rules_of(CrossSplitRule)
        cross: dict[str, Any] = {r.code: r.new_index() for r in cross_rules}
        indexed: Counter[str] = Counter()
        if cross_rules:  # index the reference rows first, so the indexes are complete before train is probed
            for partial in _run_phase(sources, plan, "index", config.jobs, None):
                indexed.update(partial.indexed)
                for rule in cross_rules:
                    cross[rule.code] = rule.merge(cross[rule.code], partial.cross_indexes[rule.code])
        # a rule whose index is empty (no validation, test or reference rows) has nothing to probe
        probed = {code: index for code, index in cross.items() if indexed[code]}
        partials = _run_phase(dataset, plan, "scan", config.jobs, probed)

        total = _new_partial(plan)
        for p in partials:
            _merge(plan, total, p)
        sink = _Sink(total, plan)
        try:
            for rule in plan.rules_of(DatasetRule):
                start = time.perf_counter()
                for finding in rule.finalize(total.dataset_states[rule.code]):
                    sink.add(finding)
                if profile:
                    total.seconds[rule.code] += time.perf_counter() - start
            for cross_rule in cross_rules:
                if cross_rule.code in probed:
                    notes = [p.notes[cross_rule.code] for p in partials]
                    for finding in cross_rule.finalize(probed[cross_rule.code], notes):
                        sink.add(finding)
        finally:
            sink.close()
        if findings_out is not None:
            _concatenate(total.findings_files, Path(findings_out))
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return ScanResult(_report(dataset, config, plan, total), plan, total.dataset_states, cross)


def _concatenate(parts: Iterable[str], out: Path) -> None:
    """Write the findings file atomically: parts in scan order into a temp file, then rename."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".dslint-", suffix=".jsonl", dir=out.parent)
    with os.fdopen(fd, "wb") as dst:
        for part in parts:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, dst)
    os.replace(tmp, out)


def _report(sources: Sequence[Source], config: Config, plan: Plan, total: Partial) -> Report:
    fail_on = Severity.parse(config.fail_on)
    rules = []
    for rule in sorted(plan.active.rules, key=lambda r: r.code):
        if total.counts[rule.code]:
            rules.append(
                RuleResult(
                    code=rule.code,
                    name=rule.name,
                    severity=total.worst.get(rule.code, Severity.INFO).name.lower(),  # type: ignore[arg-type]
                    count=total.counts[rule.code],
                    samples=[_finding_model(f) for f in total.samples.get(rule.code, [])],
                )
            )
    passed = not any(n for sev, n in total.severities.items() if sev >= fail_on)
    return Report(
        dslint_version=__version__,
        files=list(dict.fromkeys(s.path for s in sources)),
        fail_on=config.fail_on,
        counts={str(sev): total.severities[sev] for sev in sorted(Severity, reverse=True)},
        rules=rules,
        rules_run=[r.code for r in plan.active.rules],
        summary=_summary(total.summary, plan),
        passed=passed,
        profile={k: round(v, 4) for k, v in sorted(total.seconds.items())} if plan.profile else None,
    )
