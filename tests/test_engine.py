"""The engine: determinism across processes, ordering, bounded samples, dataset and cross-split rules, the
summary."""

from __future__ import annotations

import gc
import json
import math
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from dslint.config import ActiveRules, Config, active_rules
from dslint.engine.runner import GC_YOUNG_THRESHOLD, TOKENS_PER_REPLY_PRIMER, TOKENS_PER_TURN, ScanError, run
from dslint.engine.summary import percentile, suggested_epochs
from dslint.io.formats import Normaliser
from dslint.io.readers import RawRow
from dslint.io.sources import Source, sources_from_paths
from dslint.records import Finding, Location, Record, Severity
from dslint.report.model import Report
from dslint.rules.base import CrossSplitRule, DatasetRule, excerpt
from dslint.rules.chat.assistant_before_user import AssistantBeforeUser
from dslint.rules.format.mixed_formats import MixedFormats
from dslint.rules.length.too_few_examples import TooFewExamples
from dslint.text.tokenizer import get_encoding

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TOY_CHAT = EXAMPLES / "oai_toy_chat" / "toy_chat_fine_tuning.jsonl"
JSON_MODE = EXAMPLES / "anthropic_json_mode_chat" / "json_mode_dataset.jsonl"


# -- helpers ----------------------------------------------------------------------------------------------


def chat(user: str, reply: str, system: str | None = None) -> dict[str, Any]:
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    if system is not None:
        messages.insert(0, {"role": "system", "content": system})
    return {"messages": messages}


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def json_mode_lines(start: int, stop: int) -> list[str]:
    with JSON_MODE.open(encoding="utf-8") as fh:
        return fh.readlines()[start:stop]


def scan(sources: list[Source], findings_out: Path | None = None, **settings: object) -> Report:
    config = Config(**settings)
    return run(sources, config, active_rules(config), findings_out)


def records_of(paths: list[Path]) -> list[Record]:
    normaliser = Normaliser()
    out = []
    for source in sources_from_paths(paths):
        for item in source.read():
            if isinstance(item, RawRow):
                location = Location(source.path, item.row, item.line, source.split)
                out.append(normaliser.normalise(item.value, location))
    return out


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A folder of five files, in sorted order: real chats, broken lines, mixed formats, a JSON array."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(TOY_CHAT, folder / "a_toy.jsonl")
    (folder / "b_json_mode.jsonl").write_text("".join(json_mode_lines(0, 40)), encoding="utf-8")
    lines = [
        json.dumps(chat("What is the boiling point of water?", "100 degrees Celsius at sea level.")),
        '{"messages": [{"role": "user", "content": "unterminated',
        json.dumps({"messages": [{"role": "user", "content": "Hi"}, {"role": "bot", "content": "Hello!"}]}),
        json.dumps({"prompt": "Translate to French: cat ->", "completion": " chat"}),
        json.dumps(chat("Say nothing.", "")),
        "[1, 2, 3]",
        json.dumps({"messages": [{"role": "user", "content": "Thanks!"}]}),
        json.dumps({"messages": [{"role": "assistant", "content": "Hi."}, {"role": "user", "content": "Hi."}]}),
    ]
    (folder / "c_broken.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    more = json_mode_lines(40, 70)
    for i in range(0, len(more), 4):  # every 4th: the assistant speaks first
        row = json.loads(more[i])
        row["messages"].reverse()
        more[i] = json.dumps(row) + "\n"
    (folder / "d_more.jsonl").write_text("".join(more), encoding="utf-8")
    array = [
        {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello! How can I help?"}]},
        {"conversations": [{"from": "human", "value": "2+2?"}, {"from": "robot", "value": "4"}]},
        {"conversations": [{"from": "gpt", "value": "Welcome."}, {"from": "human", "value": "Thanks"}]},
    ]
    (folder / "e_array.json").write_text(json.dumps(array, indent=2), encoding="utf-8")
    return folder


# -- determinism and order --------------------------------------------------------------------------------


def test_dataset_fixture_has_errors_in_several_files(dataset: Path) -> None:
    report = scan(sources_from_paths([dataset]))
    assert report.files == [str(p) for p in sorted(dataset.iterdir())]
    assert not report.passed
    files_with_findings = {f.path for f in report.findings()}
    assert len(files_with_findings) >= 4
    assert report.count("C004") == 1 + 1 + 8 + 1  # toy, c_broken, d_more (rows 0, 4, ..., 28), e_array
    assert report.count("F001") == 1 and report.count("F002") == 1 and report.count("F007") == 1
    assert report.count("C001") == 2  # "bot" in c_broken, "robot" in e_array


@pytest.mark.parametrize("sample_size", [1, 20])
def test_report_is_identical_for_one_and_two_jobs(dataset: Path, tmp_path: Path, sample_size: int) -> None:
    sources = sources_from_paths([dataset])
    one = scan(sources, tmp_path / "one.jsonl", jobs=1, sample_size=sample_size)
    two = scan(sources, tmp_path / "two.jsonl", jobs=2, sample_size=sample_size)
    assert one.model_dump() == two.model_dump()
    assert one.to_json() == two.to_json()  # the same bytes, dict order included
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_findings_are_in_file_and_row_order(dataset: Path, tmp_path: Path) -> None:
    sources = sources_from_paths([dataset])
    order = {s.path: i for i, s in enumerate(sources)}
    out = tmp_path / "findings.jsonl"
    report = scan(sources, out, jobs=2)

    def key(f: dict[str, Any]) -> tuple[int, int]:
        return order[f["path"]], f["row"] if f["row"] is not None else -1

    for rule in report.rules:
        positions = [key(f.model_dump()) for f in rule.samples]
        assert positions == sorted(positions), rule.code
    everything = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    # dataset rules report when the whole dataset is read, so their findings come last
    dataset_codes = {rule.code for rule in active_rules(Config()).rules if isinstance(rule, DatasetRule)}
    assert {"F007", "L003"} <= dataset_codes
    per_record = [f for f in everything if f["code"] not in dataset_codes]
    positions = [key(f) for f in per_record]
    assert positions == sorted(positions)
    assert everything[: len(per_record)] == per_record
    assert {"F007", "L003"} <= {f["code"] for f in everything[len(per_record) :]} <= dataset_codes


def test_sample_is_bounded_but_counts_are_exact(dataset: Path) -> None:
    sources = sources_from_paths([dataset])
    full = scan(sources, sample_size=1000)
    assert full.count("C004") == 11
    for size in (0, 1, 3):
        bounded = scan(sources, sample_size=size, jobs=2)
        assert bounded.counts == full.counts
        assert [(r.code, r.count, r.severity) for r in bounded.rules] == [
            (r.code, r.count, r.severity) for r in full.rules
        ]
        for small, large in zip(bounded.rules, full.rules, strict=True):
            assert len(small.samples) == min(size, large.count)
            assert small.samples == large.samples[:size]


def test_per_file_ignores_are_applied_by_the_engine(dataset: Path) -> None:
    config = Config(per_file_ignores={"d_*.jsonl": ["C004"], "e_array.json": ["C"]})
    report = run(sources_from_paths([dataset]), config, active_rules(config))
    assert report.count("C004") == 2  # a_toy and c_broken; d_more's 8 and e_array's 1 are ignored
    names = {(f.code, Path(f.path).name) for f in report.findings()}
    assert {name for code, name in names if code == "C004"} == {"a_toy.jsonl", "c_broken.jsonl"}
    assert not any(code.startswith("C") for code, name in names if name == "e_array.json")
    assert ("C006", "d_more.jsonl") in names  # only C004 is ignored there
    assert ("C001", "e_array.json") not in names and report.count("C001") == 1


# -- dataset rules ----------------------------------------------------------------------------------------


def _finalized(rule: DatasetRule[Any], state: Any) -> list[tuple[dict[str, Any], Severity]]:
    return [(f.to_dict(), f.severity) for f in rule.finalize(state)]


def _state(rule: DatasetRule[Any], records: list[Record]) -> Any:
    state = rule.new_state()
    for record in records:
        state = rule.update(state, record)
    return state


@pytest.mark.parametrize("rule", [MixedFormats(), TooFewExamples()], ids=lambda r: r.name)
def test_dataset_rule_merge_equals_one_pass(dataset: Path, rule: DatasetRule[Any]) -> None:
    records = records_of([dataset])
    one_pass = _finalized(rule, _state(rule, records))
    assert one_pass, "the fixture should trigger this rule"
    for cut in (1, 3, len(records) // 2, len(records) - 1):
        merged = rule.merge(_state(rule, records[:cut]), _state(rule, records[cut:]))
        assert _finalized(rule, merged) == one_pass
    # associative, and a fresh state is neutral
    a, b, c = (_state(rule, part) for part in (records[:5], records[5:30], records[30:]))
    left = rule.merge(rule.merge(a, b), c)
    right = rule.merge(a, rule.merge(b, c))
    assert _finalized(rule, left) == _finalized(rule, right) == one_pass
    assert _finalized(rule, rule.merge(rule.new_state(), _state(rule, records))) == one_pass


Occurrences = dict[str, list[tuple[str, int, int | None]]]


class RepeatedReply(DatasetRule[Occurrences]):
    """An assistant reply given word for word in more than one example (test-only rule).

    **What it does**: reports every repeat after the first, pointing at the first occurrence.
    """

    code = "X902"
    name = "repeated-reply"
    default_severity = Severity.WARNING

    def new_state(self) -> Occurrences:
        return {}

    def update(self, state: Occurrences, record: Record) -> Occurrences:
        for msg in record.messages:
            if msg.role == "assistant" and msg.text:
                loc = record.location
                state.setdefault(msg.text, []).append((loc.path, loc.row or 0, loc.line))
        return state

    def merge(self, a: Occurrences, b: Occurrences) -> Occurrences:
        out = {text: list(places) for text, places in a.items()}
        for text, places in b.items():
            out.setdefault(text, []).extend(places)
        return out

    def finalize(self, state: Occurrences) -> Iterator[Finding]:
        for text, places in state.items():
            first, *rest = places
            for path, row, line in rest:
                yield self.finding(
                    f"reply also at {first[0]} row {first[1]}", Location(path, row, line, "train"), excerpt(text)
                )


def test_custom_dataset_rule_gives_the_same_result_across_processes(tmp_path: Path) -> None:
    folder = tmp_path / "shards"
    lines = json_mode_lines(0, 30)
    for i in range(3):  # overlapping shards: lines 0-14, 10-24, 20-29 and a copy of the first
        (folder / f"shard_{i}.jsonl").parent.mkdir(exist_ok=True)
        (folder / f"shard_{i}.jsonl").write_text("".join(lines[i * 10 : i * 10 + 15]), encoding="utf-8")
    (folder / "shard_3.jsonl").write_text("".join(lines[:3]), encoding="utf-8")
    sources = sources_from_paths([folder])
    reports = []
    for jobs in (1, 2):
        config = Config(jobs=jobs, sample_size=100)
        reports.append(run(sources, config, ActiveRules([RepeatedReply()], {})))
    assert reports[0].model_dump() == reports[1].model_dump()
    assert reports[0].count("X902") == 5 + 5 + 3


# -- cross-split rules ------------------------------------------------------------------------------------


def user_texts(record: Record) -> list[str]:
    return [m.text for m in record.messages if m.role == "user" and m.text]


class ExactPromptLeak(CrossSplitRule[frozenset[str]]):
    """A train example whose user prompt also appears, word for word, in a validation or test example.

    **What it does**: indexes the user turns of the reference splits, then flags train examples that reuse one.
    (Test-only rule.)
    """

    code = "X901"
    name = "exact-prompt-leak"
    default_severity = Severity.ERROR

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str | None, str]] = []

    def new_index(self) -> frozenset[str]:
        return frozenset()

    def add_reference(self, index: frozenset[str], record: Record) -> frozenset[str]:
        self.events.append(("index", record.location.split, Path(record.location.path).name))
        return index | set(user_texts(record))

    def merge(self, a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
        return a | b

    def probe(self, index: frozenset[str], record: Record) -> Iterator[Finding]:
        self.events.append(("probe", record.location.split, Path(record.location.path).name))
        for msg in record.messages:
            if msg.role == "user" and msg.text in index:
                yield self.finding("user prompt also in a reference split", record.location.at(msg.field), msg.text)


LEAKED = ["What is the capital of Australia?", "Name three primary colours."]


@pytest.fixture
def splits(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "splits"
    train = write_jsonl(
        folder / "train.jsonl",
        [
            chat("What is the tallest mountain on Earth?", "Mount Everest, 8,849 m."),
            chat(LEAKED[0], "Canberra."),
            chat("How many legs does a spider have?", "Eight."),
            chat(LEAKED[1], "Red, yellow and blue."),
            chat("What is 12 x 12?", "144."),
        ],
    )
    test = write_jsonl(
        folder / "test.jsonl",
        [
            chat(LEAKED[1], "Red, blue and yellow."),
            chat("Who wrote Hamlet?", "William Shakespeare."),
            chat(LEAKED[0], "Canberra is the capital."),
        ],
    )
    return train, test


@pytest.mark.parametrize("jobs", [1, 2])
def test_cross_split_rule_indexes_the_test_split_before_probing_train(splits: tuple[Path, Path], jobs: int) -> None:
    train, test = splits
    sources = sources_from_paths([train, test])  # the test file comes AFTER the train file
    assert [(Path(s.path).name, s.split) for s in sources] == [("train.jsonl", "train"), ("test.jsonl", "test")]
    rule = ExactPromptLeak()
    report = run(sources, Config(jobs=jobs), ActiveRules([rule], {}))
    assert report.count("X901") == 2
    leaks = report.rules[0].samples
    assert [(f.path, f.row, f.line, f.split, f.field) for f in leaks] == [
        (str(train), 1, 2, "train", "messages[0].content"),
        (str(train), 3, 4, "train", "messages[0].content"),
    ]
    assert [f.excerpt for f in leaks] == LEAKED
    assert [(s.split, s.records) for s in report.summary.splits] == [("train", 5), ("test", 3)]
    if jobs == 1:  # the rule instance itself ran here, so its log shows the order
        kinds = [kind for kind, _, _ in rule.events]
        assert kinds == ["index"] * 3 + ["probe"] * 5
        assert {(split, name) for kind, split, name in rule.events if kind == "index"} == {("test", "test.jsonl")}
        assert {(split, name) for kind, split, name in rule.events if kind == "probe"} == {("train", "train.jsonl")}


def test_cross_split_rule_with_an_explicit_validation_split(splits: tuple[Path, Path], tmp_path: Path) -> None:
    train, test = splits
    holdout = tmp_path / "holdout"
    holdout.mkdir()
    shutil.copy(test, holdout / "heldout_prompts.jsonl")
    sources = sources_from_paths([train], {"val": holdout})
    assert [s.split for s in sources] == ["train", "validation"]
    rule = ExactPromptLeak()
    report = run(sources, Config(), ActiveRules([rule], {}))
    assert report.count("X901") == 2
    assert rule.events[0] == ("index", "validation", "heldout_prompts.jsonl")


def test_cross_split_rule_ignores_splits_it_does_not_reference(splits: tuple[Path, Path], tmp_path: Path) -> None:
    train, test = splits
    sources = sources_from_paths([train], {"holdout": test})
    report = run(sources, Config(), ActiveRules([ExactPromptLeak()], {}))
    assert report.count("X901") == 0
    assert [s.split for s in report.summary.splits] == ["train", "holdout"]


def test_cross_split_rules_are_not_probed_without_reference_rows(splits: tuple[Path, Path]) -> None:
    probed: list[int] = []

    class CountingLeak(ExactPromptLeak):
        def probe_many(self, index: Any, records: Any) -> Any:
            probed.append(len(records))
            return super().probe_many(index, records)

    train, test = splits
    run(sources_from_paths([train]), Config(), ActiveRules([CountingLeak()], {}))
    assert probed == []  # nothing to look train records up in
    report = run(sources_from_paths([train, test]), Config(), ActiveRules([CountingLeak()], {}))
    assert sum(probed) == next(s.records for s in report.summary.splits if s.split == "train")


def test_cross_split_rule_with_a_split_column(tmp_path: Path) -> None:
    # One file whose rows name their split (a common export); the engine honours the column, so the test rows
    # must be indexed before the train rows are probed, even though they come later in the file.
    rows = [
        {**chat(LEAKED[0], "Canberra."), "split": "train"},
        {**chat("What is 12 x 12?", "144."), "split": "train"},
        {**chat(LEAKED[0], "Canberra is the capital."), "split": "test"},
    ]
    path = write_jsonl(tmp_path / "exports" / "all_rows.jsonl", rows)
    report = run(sources_from_paths([path]), Config(), ActiveRules([ExactPromptLeak()], {}))
    assert [(s.split, s.records) for s in report.summary.splits] == [("train", 2), ("test", 1)]
    assert report.count("X901") == 1
    assert report.rules[0].samples[0].row == 0


def test_samples_follow_the_command_line_file_order_with_cross_split_rules(splits: tuple[Path, Path]) -> None:
    # Reference splits are scanned first, but the report still lists findings in file order (train file first),
    # as RuleResult.samples documents ("the first findings, in file and row order").
    train, test = splits
    assistant_first = {"messages": [{"role": "assistant", "content": "Hi"}, {"role": "user", "content": "Hey"}]}
    for path in (train, test):
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(assistant_first) + "\n")
    rules = ActiveRules([ExactPromptLeak(), AssistantBeforeUser()], {})
    report = run(sources_from_paths([train, test]), Config(), rules)
    c004 = next(r for r in report.rules if r.code == "C004")
    assert [Path(f.path).name for f in c004.samples] == ["train.jsonl", "test.jsonl"]


# -- errors -----------------------------------------------------------------------------------------------


def test_a_file_that_vanished_is_a_scan_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "data" / "chat.jsonl", [chat("Hi", "Hello")])
    sources = sources_from_paths([path])
    path.unlink()
    with pytest.raises(ScanError, match=r"chat\.jsonl: cannot open"):
        scan(sources)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_corrupt_parquet_file_is_a_scan_error(tmp_path: Path, jobs: int) -> None:
    folder = tmp_path / "data"
    write_jsonl(folder / "a_chat.jsonl", [chat("Hi", "Hello")])
    (folder / "b_chat.parquet").write_bytes(b"PAR1 but not really\n")
    with pytest.raises(ScanError, match=r"b_chat\.parquet"):
        scan(sources_from_paths([folder]), jobs=jobs)


# -- summary ----------------------------------------------------------------------------------------------


def nearest_rank(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def test_percentile_on_known_histograms() -> None:
    ten = Counter(range(1, 11))
    assert [percentile(ten, q) for q in (10, 50, 90, 95, 100)] == [1, 5, 9, 10, 10]
    skewed = Counter({5: 98, 1000: 2})
    assert [percentile(skewed, q) for q in (50, 90, 98, 99, 100)] == [5, 5, 5, 1000, 1000]
    assert percentile(Counter({7: 1}), 50) == 7
    assert percentile(Counter(), 95) == 0
    values = [3, 3, 3, 8, 8, 20, 21, 21, 400, 400, 400, 400, 1200]
    for q in (1, 25, 50, 75, 90, 95, 99, 100):
        assert percentile(Counter(values), q) == nearest_rank(values, q), q


@pytest.mark.parametrize(
    ("n", "epochs"),
    [
        (0, 0),
        (1, 25),  # 100 // 1 = 100, capped at 25
        (3, 25),
        (4, 25),
        (5, 20),  # raised: 5 x 20 = 100
        (10, 10),
        (20, 5),
        (25, 4),
        (34, 3),  # 34 x 3 = 102 >= 100: the default
        (500, 3),
        (8333, 3),  # 8333 x 3 = 24999 <= 25000
        (8334, 2),  # lowered: 8334 x 3 > 25000
        (10_000, 2),
        (25_000, 1),
        (100_000, 1),  # never below 1
    ],
)
def test_suggested_epochs(n: int, epochs: int) -> None:
    assert suggested_epochs(n) == epochs


def test_summary_distribution_and_training_estimate(tmp_path: Path) -> None:
    enc = get_encoding("o200k_base")
    texts = [" ".join(["token"] * k) for k in (1, 2, 2, 5, 9, 9, 9, 40, 120, 300, 301, 1000)]
    lengths = [len(enc.encode_ordinary(t)) for t in texts]
    path = write_jsonl(tmp_path / "corpus" / "docs.jsonl", [{"text": t} for t in texts])
    report = scan(sources_from_paths([path]), rules={"too-many-tokens": {"max-tokens": 250}})
    split = report.summary.splits[0]
    assert (split.split, split.records, split.formats) == ("train", 12, {"text": 12})
    tokens = split.tokens
    assert tokens.min == min(lengths) and tokens.max == max(lengths)
    assert tokens.total == sum(lengths)
    assert tokens.mean == round(sum(lengths) / len(lengths), 2)
    assert (tokens.p50, tokens.p90, tokens.p95) == tuple(nearest_rank(lengths, q) for q in (50, 90, 95))
    assert report.summary.max_tokens == 250
    training = report.summary.training
    assert training is not None
    assert training.examples == 12
    assert training.suggested_epochs == suggested_epochs(12) == 8
    assert training.tokens_per_epoch == sum(min(250, n) for n in lengths)
    assert training.training_tokens == training.tokens_per_epoch * 8
    assert report.count("L001") == sum(n > 250 for n in lengths)


def test_chat_token_count_adds_the_template_overhead(tmp_path: Path) -> None:
    enc = get_encoding("o200k_base")
    row = chat("Tell me a joke about compilers.", "Why did the compiler break up? Too many type errors.", "Be funny.")
    path = write_jsonl(tmp_path / "corpus" / "one.jsonl", [row])
    report = scan(sources_from_paths([path]))
    contents = [m["content"] for m in row["messages"]]
    expected = sum(len(enc.encode_ordinary(c)) for c in contents) + TOKENS_PER_TURN * 3 + TOKENS_PER_REPLY_PRIMER
    split = report.summary.splits[0]
    assert split.tokens.total == expected
    assert split.assistant_tokens == len(enc.encode_ordinary(contents[2]))
    assert split.turns.total == 3


def test_summary_of_the_toy_chat_set() -> None:
    report = scan(sources_from_paths([TOY_CHAT]))
    split = report.summary.splits[0]
    assert split.records == 5
    assert split.turns.total == 19
    assert split.tokens.max == 8028
    training = report.summary.training
    assert training is not None
    assert training.suggested_epochs == 20
    assert training.tokens_per_epoch == split.tokens.total - (8028 - 4096)  # the long one capped at max-tokens


def test_one_big_file_is_read_in_parts_with_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # --jobs cuts a single JSON Lines file into byte ranges, one process each; rows and lines keep their numbers
    import dslint
    from dslint.io import readers

    monkeypatch.setattr(readers, "MIN_PART_BYTES", 1)
    lines = [readers.BOM + json.dumps(chat("Hello there", "Hi! How can I help?")).encode()]
    for i in range(120):
        if i % 17 == 0:
            lines.append(b"   ")  # a blank line is not a row
        if i % 29 == 0:
            lines.append(b"{not json")
        answer = f"Answer {i % 7} with <b>bold</b> text and a  double space." if i % 5 else "Same answer."
        lines.append(json.dumps(chat(f"Question {i % 40}?", answer)).encode())
    path = tmp_path / "train.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert readers.file_parts(path, 3) is not None and len(readers.file_parts(path, 3) or []) == 3
    one = dslint.scan(path, jobs=1, sample_size=1000)
    three = dslint.scan(path, jobs=3, sample_size=1000)
    assert one.model_dump() == three.model_dump()
    assert one.count("F001") == 5 and one.count("F004") == 1
    parts = readers.file_parts(path, 3) or []
    rows = [r for part in parts for r in readers.read_jsonl(path, part=part) if isinstance(r, readers.RawRow)]
    whole = [r for r in readers.read_jsonl(path) if isinstance(r, readers.RawRow)]
    assert [(r.row, r.line, r.byte_offset) for r in rows] == [(r.row, r.line, r.byte_offset) for r in whole]


class GcThreshold(DatasetRule[list[int]]):
    """Notes the young generation's collection threshold while records are checked (test-only rule)."""

    code = "X903"
    name = "gc-threshold"
    default_severity = Severity.INFO

    def new_state(self) -> list[int]:
        return []

    def update(self, state: list[int], record: Record) -> list[int]:
        state.append(gc.get_threshold()[0])
        return state

    def merge(self, a: list[int], b: list[int]) -> list[int]:
        return a + b

    def finalize(self, state: list[int]) -> Iterator[Finding]:
        yield self.finding(f"thresholds {sorted(set(state))}", Location("x", None, None, "train"))


def test_the_scan_collects_garbage_less_often_and_restores_the_setting(dataset: Path) -> None:
    before = gc.get_threshold()
    report = run(sources_from_paths([dataset]), Config(), ActiveRules([GcThreshold()], {}))
    (found,) = [f for f in report.findings() if f.code == "X903"]
    assert found.message == f"thresholds [{GC_YOUNG_THRESHOLD}]"
    assert gc.get_threshold() == before


def test_a_big_file_beside_a_small_one_is_cut_for_the_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # train 90 records, test 10: with two processes train is read in two parts, test whole; the same report
    import dslint
    from dslint.engine import runner
    from dslint.io import readers

    monkeypatch.setattr(readers, "MIN_PART_BYTES", 1)
    folder = tmp_path / "data"
    folder.mkdir()
    rows = [chat(f"Question {i % 30}?", f"Answer {i % 9}, with  a double space.") for i in range(100)]
    (folder / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:90]))
    (folder / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[90:]))
    tasks = runner._tasks(sources_from_paths([folder]), 2)
    assert [(Path(t.path).name, t.part is not None) for t in tasks] == [
        ("test.jsonl", False),
        ("train.jsonl", True),
        ("train.jsonl", True),
    ]
    assert runner._tasks(sources_from_paths([folder]), 1) == sources_from_paths([folder])
    one = dslint.scan(folder, jobs=1, sample_size=1000)
    two = dslint.scan(folder, jobs=2, sample_size=1000)
    assert one.model_dump() == two.model_dump()
    assert one.count("X001") > 0 and one.count("T005") > 0
