"""dslint clean: every record accounted for, the input's own format, atomic and deterministic output."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dslint
from dslint.cli import main
from dslint.config import ActiveRules, Config, active_rules
from dslint.engine import clean as clean_module
from dslint.engine.clean import CleanError, clean
from dslint.io.readers import BOM
from dslint.io.sources import sources_from_paths
from dslint.records import Finding, Fix, Record, Severity
from dslint.rules.base import DatasetRule, RecordRule, set_text
from dslint.rules.chat.assistant_before_user import AssistantBeforeUser
from dslint.rules.chat.empty_content import EmptyContent
from dslint.rules.input.invalid_json import InvalidJson

ROOT = Path(__file__).resolve().parents[1]
TOY_CHAT = ROOT / "examples" / "oai_toy_chat" / "toy_chat_fine_tuning.jsonl"
JSON_MODE = ROOT / "examples" / "anthropic_json_mode_chat" / "json_mode_dataset.jsonl"
GLAIVE = ROOT / "tests" / "data" / "lf_glaive_toolcall" / "glaive_toolcall_en_demo.json"


class StripTurns(RecordRule):
    """Test rule: leading/trailing spaces in a turn (a safe fix that strips them)."""

    code = "X101"
    name = "strip-turns"
    default_severity = Severity.WARNING
    fix_applicability = Fix.SAFE

    def check(self, record: Record) -> Iterator[Finding]:
        for msg in record.messages:
            if isinstance(msg.content, str) and msg.content != msg.content.strip():
                yield self.finding("padded turn", record.location.at(msg.field))

    def fix(self, record: Record) -> list[str]:
        changed = []
        for msg in record.messages:
            if isinstance(msg.content, str) and msg.content != msg.content.strip():
                set_text(record, msg, msg.content.strip())
                changed.append(msg.field)
        return changed


class ShoutFix(StripTurns):
    """Test rule: an unsafe fix (upper-cases the first assistant turn that is not upper case)."""

    code = "X102"
    name = "shout"
    fix_applicability = Fix.UNSAFE

    def check(self, record: Record) -> Iterator[Finding]:
        return iter(())

    def fix(self, record: Record) -> list[str]:
        for msg in record.messages:
            if msg.role == "assistant" and isinstance(msg.content, str) and msg.content != msg.content.upper():
                set_text(record, msg, msg.content.upper())
                return [msg.field]
        return []


def chat(user: str, assistant: str, **extra: Any) -> dict[str, Any]:
    return {**extra, "messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


def rules(*extra: RecordRule) -> ActiveRules:
    return ActiveRules([InvalidJson(), EmptyContent(), AssistantBeforeUser(), *extra], {})


def run_clean(paths: list[Path], out: Path, active: ActiveRules | None = None, **kwargs: Any) -> Any:
    return clean(sources_from_paths(paths), Config(), active or rules(StripTurns()), out, **kwargs)


def read_jsonl(path: Path) -> list[Any]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    """A chat file with every outcome: kept, fixed, rejected record, a line that is not JSON, bad UTF-8."""
    path = tmp_path / "data" / "train.jsonl"
    path.parent.mkdir()
    lines = [
        json.dumps(chat("What is the capital of France?", "Paris.", id="a")),
        json.dumps(chat("  Name a prime number. ", "Seven.", id="b")),  # fixed: padded user turn
        json.dumps({"id": "c", "messages": [{"role": "assistant", "content": "Unprompted."}]}),  # rejected: C004
        '{"messages": [{"role": "user", "content": "cut off"',  # rejected: invalid JSON, kept verbatim
        "",
        json.dumps(chat("Spell café", "c-a-f-e")).replace("caf\\u00e9", "caf\u00e9"),
    ]
    data = "\n".join(lines).encode() + b"\n" + b'{"messages": [{"role": "user", "content": "caf\xe9"}]}\n'
    path.write_bytes(data)
    return path


def test_every_record_is_kept_fixed_or_rejected(messy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_clean([messy], out)
    m = result.manifest
    assert m.totals == {"records": 6, "kept": 2, "fixed": 1, "rejected": 3, "added": 0}
    (f,) = m.files
    assert (f.records, f.kept, f.fixed, f.rejected, f.added) == (6, 2, 1, 3, 0)
    assert f.output == "train.jsonl"
    assert m.fixes == {"X101": 1}
    assert m.rejections == {"C004": 1, "F001": 1, "F003": 1}

    written = read_jsonl(out / "train.jsonl")
    assert [r.get("id") for r in written] == ["a", "b", None]
    assert written[1]["messages"][0]["content"] == "Name a prime number."
    assert list(written[1]) == ["id", "messages"]  # key order kept

    rejects = read_jsonl(out / "dslint-rejects.jsonl")
    assert [(r["line"], r["row"], [x["code"] for x in r["reasons"]]) for r in rejects] == [
        (3, 2, ["C004"]),
        (4, 3, ["F001"]),
        (7, 5, ["F003"]),
    ]
    assert rejects[0]["record"]["id"] == "c"
    assert rejects[1]["line_text"] == '{"messages": [{"role": "user", "content": "cut off"'
    assert rejects[2]["line_base64"]  # not UTF-8: kept byte for byte

    manifest = json.loads((out / "dslint-manifest.json").read_text())
    assert manifest["totals"] == m.totals
    assert manifest["files"][0]["input_sha256"] == f.input_sha256
    assert manifest["config"]["fail-on"] == "error"


def test_the_input_is_never_modified_or_replaced(messy: Path) -> None:
    before = messy.read_bytes()
    with pytest.raises(CleanError, match="would replace an input"):
        run_clean([messy], messy.parent)
    run_clean([messy], messy.parent / "clean")
    assert messy.read_bytes() == before


def test_a_second_clean_changes_nothing(messy: Path, tmp_path: Path) -> None:
    run_clean([messy], tmp_path / "once")
    second = run_clean([tmp_path / "once" / "train.jsonl"], tmp_path / "twice")
    assert second.manifest.totals == {"records": 3, "kept": 3, "fixed": 0, "rejected": 0, "added": 0}
    assert (tmp_path / "twice" / "train.jsonl").read_bytes() == (tmp_path / "once" / "train.jsonl").read_bytes()


def test_same_input_and_config_give_the_same_bytes(messy: Path, tmp_path: Path) -> None:
    run_clean([messy], tmp_path / "a")
    run_clean([messy], tmp_path / "b")
    for name in ("train.jsonl", "dslint-rejects.jsonl", "dslint-manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_an_interrupted_run_leaves_no_partial_output(
    messy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = clean_module.RowWriter.close

    def close_then_fail(self: clean_module.RowWriter) -> None:
        real(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(clean_module.RowWriter, "close", close_then_fail)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_clean([messy], out)
    assert list(out.iterdir()) == []


def test_unsafe_fixes_are_opt_in(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(chat("Say hi", "hi")) + "\n")
    active = rules(ShoutFix())
    assert run_clean([path], tmp_path / "safe", active).manifest.totals["kept"] == 1
    result = run_clean([path], tmp_path / "unsafe", active, unsafe_fixes=True)
    assert result.manifest.fixes == {"X102": 1}
    assert read_jsonl(tmp_path / "unsafe" / "train.jsonl")[0]["messages"][1]["content"] == "HI"


def test_diff_writes_nothing_and_shows_the_changes(messy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_clean([messy], out, diff=True)
    assert result.changed
    assert '-      "content": "  Name a prime number. "' in result.diff
    assert '+      "content": "Name a prime number."' in result.diff
    assert f"rejected {messy}:3: C004" in result.diff
    assert list(out.iterdir()) == []


def test_layout_is_kept_for_several_inputs(tmp_path: Path) -> None:
    for split in ("train", "test"):
        (tmp_path / "in" / split).mkdir(parents=True)
        (tmp_path / "in" / split / "part-0.jsonl").write_text(json.dumps(chat("Hi", f"{split}!")) + "\n")
    files = sorted((tmp_path / "in").rglob("*.jsonl"))
    result = run_clean(files, tmp_path / "out")
    assert [f.output for f in result.manifest.files] == ["test/part-0.jsonl", "train/part-0.jsonl"]
    # a folder scan of the output does not read the manifest or the rejects as data
    assert [s.path for s in sources_from_paths([tmp_path / "out"])] == [
        str(tmp_path / "out" / "test" / "part-0.jsonl"),
        str(tmp_path / "out" / "train" / "part-0.jsonl"),
    ]


def test_json_array_stays_a_json_array(tmp_path: Path) -> None:
    rows = json.loads(GLAIVE.read_text())[:20]
    rows[3]["conversations"][0]["value"] = "  " + rows[3]["conversations"][0]["value"]
    path = tmp_path / "glaive.json"
    path.write_text(json.dumps(rows, indent=2))
    result = run_clean([path], tmp_path / "out")
    assert result.manifest.totals == {"records": 20, "kept": 19, "fixed": 1, "rejected": 0, "added": 0}
    out = json.loads((tmp_path / "out" / "glaive.json").read_text())
    rows[3]["conversations"][0]["value"] = rows[3]["conversations"][0]["value"].strip()
    assert out == rows


def test_parquet_keeps_its_schema(tmp_path: Path) -> None:
    table = pa.Table.from_pylist(
        [chat(" Hello ", "Hi!", id=1), {"id": 2, "messages": [{"role": "assistant", "content": "Bye"}]}]
        + [chat(f"Q{i}", f"A{i}", id=i) for i in range(3, 10)]
    )
    path = tmp_path / "train.parquet"
    pq.write_table(table, path)
    result = run_clean([path], tmp_path / "out")
    assert result.manifest.totals == {"records": 9, "kept": 7, "fixed": 1, "rejected": 1, "added": 0}
    out = pq.read_table(tmp_path / "out" / "train.parquet")
    assert out.schema == table.schema
    assert out.column("id").to_pylist() == [1, *range(3, 10)]
    assert out.to_pylist()[0]["messages"][0]["content"] == "Hello"


def test_gzip_stays_gzip_and_is_deterministic(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(orjson.dumps(chat(f" Q{i}", f"A{i}")) + b"\n" for i in range(5))))
    run_clean([path], tmp_path / "a")
    run_clean([path], tmp_path / "b")
    assert (tmp_path / "a" / "train.jsonl.gz").read_bytes() == (tmp_path / "b" / "train.jsonl.gz").read_bytes()
    rows = [orjson.loads(x) for x in gzip.decompress((tmp_path / "a" / "train.jsonl.gz").read_bytes()).splitlines()]
    assert [r["messages"][0]["content"] for r in rows] == [f"Q{i}" for i in range(5)]


def test_real_data_accounting(tmp_path: Path) -> None:
    config = Config()
    sources = sources_from_paths([TOY_CHAT, JSON_MODE])
    result = clean(sources, config, active_rules(config), tmp_path / "out")
    m = result.manifest
    assert m.totals["records"] == 505
    assert m.totals["records"] == m.totals["kept"] + m.totals["fixed"] + m.totals["rejected"]
    # the toy set's record without a user turn, and its answer that is one sentence 2000 times (8k tokens)
    assert m.rejections == {"C004": 1, "L001": 1, "T009": 1}
    assert m.totals["rejected"] == 2
    written = sum(len(read_jsonl(tmp_path / "out" / f.output)) for f in m.files if f.output)
    assert written == m.totals["kept"] + m.totals["fixed"]
    assert len(read_jsonl(tmp_path / "out" / "dslint-rejects.jsonl")) == m.totals["rejected"]


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_turn = st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "system", "bot"]), "content": _text})
_record = st.one_of(
    st.fixed_dictionaries({"messages": st.lists(_turn, max_size=4)}),
    st.fixed_dictionaries({"prompt": _text, "completion": _text}),
    st.fixed_dictionaries({"text": _text}),
    st.dictionaries(_text, _text, max_size=2),
)
_line = st.one_of(_record.map(lambda r: orjson.dumps(r)), st.binary(max_size=20).filter(lambda b: b"\n" not in b))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_line, max_size=12))
def test_fuzzed_input_is_fully_accounted_for(tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "train.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = run_clean([path], folder / "out")
    m = result.manifest
    # blank lines are not records; a byte order mark opening the file is not part of its first line
    non_blank = sum(1 for i, line in enumerate(lines) if (line.removeprefix(BOM) if i == 0 else line).strip())
    assert m.totals["records"] == non_blank == m.totals["kept"] + m.totals["fixed"] + m.totals["rejected"]
    assert len(read_jsonl(folder / "out" / "train.jsonl")) == m.totals["kept"] + m.totals["fixed"]
    assert len((folder / "out" / "dslint-rejects.jsonl").read_bytes().splitlines()) == m.totals["rejected"]


def test_cli_clean_and_diff(messy: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli-out"
    result = runner.invoke(main, ["clean", str(messy), "-o", str(out), "--select", "F,C"])
    assert result.exit_code == 0, result.output
    assert "6 records: 3 kept, 0 fixed, 3 rejected" in result.output
    assert (out / "dslint-manifest.json").is_file()
    result = runner.invoke(main, ["clean", str(messy), "-o", str(tmp_path / "d"), "--diff", "--select", "F,C"])
    assert result.exit_code == 1
    assert "rejected" in result.output
    result = runner.invoke(main, ["clean", str(messy), "-o", str(messy.parent)])
    assert result.exit_code == 2 and "would replace an input" in result.output


def test_api_clean(messy: Path, tmp_path: Path) -> None:
    result = dslint.clean(messy, tmp_path / "api", select=["F", "C"])
    assert result.manifest.totals["records"] == 6
    with pytest.raises(CleanError, match="works on files"):
        dslint.clean([chat("a", "b")], tmp_path / "mem")


class RepeatedUser(DatasetRule[dict[str, int]]):
    """Test rule: drops later copies of a user turn (safe) and adds a shouted copy of each record (unsafe)."""

    code = "X103"
    name = "repeated-user"
    default_severity = Severity.WARNING
    fix_applicability = Fix.UNSAFE

    def new_state(self) -> dict[str, int]:
        return {}

    def update(self, state: dict[str, int], record: Record) -> dict[str, int]:
        key = record.messages[0].text
        state.setdefault(key, record.location.row or 0)
        return state

    def merge(self, a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
        return {**b, **a}

    def finalize(self, state: dict[str, int]) -> Iterator[Finding]:
        return iter(())

    def drop(self, record: Record, state: dict[str, int]) -> str | None:
        first = state[record.messages[0].text]
        return f"repeats row {first}" if first != record.location.row else None

    def augment(self, record: Record, state: dict[str, int]) -> list[Any]:
        return [{**record.raw, "augmented": True}]


def test_dataset_rules_drop_and_add_rows_and_the_manifest_says_so(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    rows = [chat("Hi", "Hello!"), chat("Bye", "Goodbye."), chat("Hi", "Hey.")]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    active = rules(RepeatedUser())
    assert run_clean([path], tmp_path / "safe", active).manifest.totals["rejected"] == 0  # unsafe: opt-in
    result = run_clean([path], tmp_path / "out", active, unsafe_fixes=True)
    m = result.manifest
    assert m.totals == {"records": 3, "kept": 2, "fixed": 0, "rejected": 1, "added": 2}
    assert (m.rejections, m.additions) == ({"X103": 1}, {"X103": 2})
    written = read_jsonl(tmp_path / "out" / "train.jsonl")
    assert [(r["messages"][0]["content"], r.get("augmented", False)) for r in written] == [
        ("Hi", False),
        ("Hi", True),
        ("Bye", False),
        ("Bye", True),
    ]
    assert (m.files[0].added_rows, m.files[0].added_validation_rows) == ([1, 3], [])
    (reject,) = read_jsonl(tmp_path / "out" / "dslint-rejects.jsonl")
    assert (reject["row"], reject["reasons"][0]["message"], reject["record"]) == (2, "repeats row 0", rows[2])
    # a Parquet output keeps the input's schema: the manifest alone says which rows were added
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, tmp_path / "train.parquet")
    parquet = run_clean([tmp_path / "train.parquet"], tmp_path / "pq", active, unsafe_fixes=True).manifest
    assert parquet.files[0].added_rows == [1, 3]
    out = pq.read_table(tmp_path / "pq" / "train.parquet")
    assert out.schema == table.schema and out.num_rows == 4


def test_make_validation_is_deterministic_stratified_and_keeps_copies_together(tmp_path: Path) -> None:
    rows = [
        {"text": f"Review number {i}: the product was {'great' if i % 4 else 'awful'}.", "label": i % 4 == 0}
        for i in range(200)
    ]
    rows += [dict(rows[7]) for _ in range(5)]  # exact copies of one record must land on one side
    path = tmp_path / "data" / "train.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = Config(select=["F"])  # only what reading needs: this test is about the split
    a = clean(sources_from_paths([path]), config, active_rules(config), tmp_path / "a", make_validation=0.2)
    clean(sources_from_paths([path]), config, active_rules(config), tmp_path / "b", make_validation=0.2)
    (f,) = a.manifest.files
    assert (f.output, f.validation_output) == ("train.jsonl", "validation.jsonl")
    train = read_jsonl(tmp_path / "a" / "train.jsonl")
    val = read_jsonl(tmp_path / "a" / "validation.jsonl")
    assert len(train) + len(val) == 205 == f.kept and f.to_validation == len(val)
    for name in ("train.jsonl", "validation.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # stratified: each label's share in validation is about 20% of its distinct records
    for label in (True, False):
        distinct = {r["text"] for r in rows if r["label"] is label}
        chosen = {r["text"] for r in val if r["label"] is label}
        assert abs(len(chosen) / len(distinct) - 0.2) < 0.02
    copies = rows[7]["text"]
    assert sum(r["text"] == copies for r in train) in (0, 6) and sum(r["text"] == copies for r in val) in (0, 6)
    with pytest.raises(CleanError, match="already has a validation split"):
        other = tmp_path / "data" / "validation.jsonl"
        other.write_text(json.dumps(rows[0]) + "\n")
        clean(sources_from_paths([path, other]), config, active_rules(config), tmp_path / "c", make_validation=0.2)
