"""The Python API: `dslint.scan` on paths and in-memory data, and the Report it returns."""

from __future__ import annotations

import doctest
import gzip
import json
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dslint
import dslint.api
from dslint import Config, Report
from dslint.io.sources import SourceSpecError
from dslint.report.model import FindingModel

DATA = Path(__file__).parent / "data"

FINDING_COLUMNS = [
    "code",
    "name",
    "severity",
    "message",
    "path",
    "line",
    "row",
    "split",
    "field",
    "span",
    "excerpt",
    "fix",
]

GOOD_CHAT = [
    {
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": f"What is {i} + {i}?"},
            {"role": "assistant", "content": f"{i} + {i} = {2 * i}. Adding a number to itself doubles it."},
        ]
    }
    for i in range(12)
]
NO_ASSISTANT = {"messages": [{"role": "user", "content": "Is anyone there?"}]}


@pytest.fixture(autouse=True)
def _no_config_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Config discovery walks up from the working directory; keep these scans independent of the checkout.
    monkeypatch.chdir(tmp_path)


def _write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def _by_rule(report: Report) -> dict[str, int]:
    return {r.name: r.count for r in report.rules}


def _where(report: Report, name: str) -> list[tuple[int | None, int | None, str | None]]:
    return [(f.row, f.line, f.field) for r in report.rules if r.name == name for f in r.samples]


# -- scan on paths ----------------------------------------------------------------------------------------


def test_scan_a_path(tmp_path: Path) -> None:
    rows = [*GOOD_CHAT[:3], NO_ASSISTANT, *GOOD_CHAT[3:]]
    path = _write_jsonl(tmp_path / "data" / "train.jsonl", rows)
    report = dslint.scan(path)
    assert isinstance(report, Report)
    assert report.files == [str(path)]
    assert report.count("no-assistant-turn") == 1
    assert report.count("C005") == report.count("no-assistant-turn")
    f = next(f for f in report.findings() if f.name == "no-assistant-turn")
    assert (f.path, f.row, f.line, f.split) == (str(path), 3, 4, "train")
    (split,) = report.summary.splits
    assert (split.split, split.records, split.formats) == ("train", 13, {"openai-chat": 13})
    assert split.files == {str(path): 13}
    assert report.counts["error"] >= 1
    assert report.passed is False
    assert report.exit_code == 1
    # str() also accepted, and gives the same report.
    assert dslint.scan(str(path)) == report


def test_scan_a_clean_file_passes(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "data" / "train.jsonl", GOOD_CHAT)
    report = dslint.scan(path, select=["F", "C"])
    assert report.passed
    assert report.exit_code == 0
    assert report.counts == {"error": 0, "warning": 0, "info": 0}
    assert report.rules == []
    assert report.findings() == []


def test_scan_bad_input_gets_findings_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "data" / "train.jsonl"
    path.parent.mkdir()
    body = (
        b"\xef\xbb\xbf"
        + orjson.dumps(GOOD_CHAT[0])
        + b"\n"
        + b'{"messages": [\n'
        + b'{"messages": [{"role": "user", "content": "caf\xe9"}, {"role": "assistant", "content": "Oui."}]}\n'
        + b"[1, 2, 3]\n"
    )
    path.write_bytes(body)
    report = dslint.scan(path)
    counts = _by_rule(report)
    assert counts["byte-order-mark"] == 1
    assert counts["invalid-json"] == 1
    assert counts["invalid-utf8"] == 1
    assert counts["not-an-object"] == 1
    assert _where(report, "invalid-json") == [(1, 2, None)]
    assert _where(report, "invalid-utf8")[0][:2] == (2, 3)
    assert report.summary.splits[0].records == 3  # the bad line is not a record; the latin-1 one is


def test_scan_gzip_and_zstd_same_as_plain(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    rows = [*GOOD_CHAT, NO_ASSISTANT]
    body = b"".join(orjson.dumps(r) + b"\n" for r in rows)
    plain = tmp_path / "a" / "train.jsonl"
    plain.parent.mkdir()
    plain.write_bytes(body)
    gz = tmp_path / "b" / "train.jsonl.gz"
    gz.parent.mkdir()
    gz.write_bytes(gzip.compress(body))
    zst = tmp_path / "c" / "train.jsonl.zst"
    zst.parent.mkdir()
    zst.write_bytes(zstandard.ZstdCompressor().compress(body))
    reports = [dslint.scan(p) for p in (plain, gz, zst)]
    assert len({json.dumps(_by_rule(r), sort_keys=True) for r in reports}) == 1
    assert len({tuple(_where(r, "no-assistant-turn")) for r in reports}) == 1
    assert [w[:2] for w in _where(reports[0], "no-assistant-turn")] == [(12, 13)]


def test_scan_a_list_of_paths(tmp_path: Path) -> None:
    train = _write_jsonl(tmp_path / "d" / "train.jsonl", GOOD_CHAT)
    val = _write_jsonl(tmp_path / "d" / "val.jsonl", [NO_ASSISTANT, *GOOD_CHAT[:2]])
    report = dslint.scan([train, str(val)])
    assert report.files == [str(train), str(val)]
    assert [(s.split, s.records) for s in report.summary.splits] == [("train", 12), ("validation", 3)]
    f = next(f for f in report.findings() if f.name == "no-assistant-turn")
    assert (f.path, f.split, f.row, f.line) == (str(val), "validation", 0, 1)


def test_scan_with_explicit_splits(tmp_path: Path) -> None:
    train = _write_jsonl(tmp_path / "d" / "train.jsonl", GOOD_CHAT)
    other = _write_jsonl(tmp_path / "d" / "other.jsonl", GOOD_CHAT[:4])
    report = dslint.scan(train, splits={"test": other})
    assert [(s.split, s.records) for s in report.summary.splits] == [("train", 12), ("test", 4)]
    only_splits = dslint.scan(splits={"val": other})
    assert [(s.split, s.records) for s in only_splits.summary.splits] == [("validation", 4)]


def test_scan_real_json_array_file() -> None:
    path = DATA / "fastchat_dummy_conv" / "dummy_conversation.json"
    report = dslint.scan(path, rules={"too-many-tokens": {"max-tokens": 80}})  # the longest tenth of it
    (split,) = report.summary.splits
    assert split.formats == {"sharegpt": len(json.loads(path.read_text(encoding="utf-8")))}
    assert report.count("L001") > 0
    for f in report.findings():
        assert f.path == str(path)
        if f.row is not None:  # a finding about a record (not about the whole split, such as a missing one)
            assert f.line is not None  # points at its line in the JSON text file


def test_scan_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(SourceSpecError, match=r"nope\.jsonl"):
        dslint.scan(missing)


def test_scan_unsupported_object() -> None:
    with pytest.raises(SourceSpecError, match="cannot scan"):
        dslint.scan(12345)


def test_scan_settings_as_keywords(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "d" / "train.jsonl", [*GOOD_CHAT, NO_ASSISTANT])
    report = dslint.scan(path, select=["no-assistant-turn"], fail_on="warning")
    assert report.rules_run == ["C005"]
    assert report.fail_on == "warning"
    assert _by_rule(report) == {"no-assistant-turn": 1}
    ignored = dslint.scan(path, ignore=["C005"])
    assert "C005" not in ignored.rules_run
    assert ignored.count("no-assistant-turn") == 0
    cfg = Config(select=["C005"], encoding="cl100k_base")
    with_config = dslint.scan(path, config=cfg)
    assert with_config.summary.encoding == "cl100k_base"
    assert with_config.rules_run == ["C005"]


# -- scan on in-memory data -------------------------------------------------------------------------------


def test_scan_a_list_of_dicts() -> None:
    report = dslint.scan([*GOOD_CHAT, NO_ASSISTANT])
    assert report.files == ["<records>"]
    f = next(f for f in report.findings() if f.name == "no-assistant-turn")
    assert (f.path, f.row, f.line, f.split) == ("<records>", 12, None, "train")
    assert report.summary.splits[0].records == 13


def test_scan_list_split_argument() -> None:
    report = dslint.scan(GOOD_CHAT[:3], split="val")
    assert [s.split for s in report.summary.splits] == ["validation"]
    f_split = dslint.scan([NO_ASSISTANT], split="test").findings()
    assert {f.split for f in f_split} == {"test"}


def test_scan_an_empty_list() -> None:
    report = dslint.scan([])
    assert report.summary.splits == []
    assert report.summary.training is None


def test_scan_a_dataframe() -> None:
    rows = [*GOOD_CHAT, NO_ASSISTANT]
    report = dslint.scan(pd.DataFrame(rows))
    assert report.files == ["<dataframe>"]
    assert _by_rule(report) == _by_rule(dslint.scan(rows))
    f = next(f for f in report.findings() if f.name == "no-assistant-turn")
    assert (f.path, f.row) == ("<dataframe>", 12)


def test_scan_a_dataframe_read_from_parquet_with_nested_lists(tmp_path: Path) -> None:
    rows = [
        {
            "conversations": [
                {"from": "human", "value": f"Tell me fact number {i}."},
                {"from": "gpt", "value": f"Fact {i}: water boils at 100 degrees Celsius at sea level."},
            ],
            "id": f"conv-{i}",
        }
        for i in range(8)
    ]
    rows.append({"conversations": [{"from": "gpt", "value": "I speak first."}, {"from": "human", "value": "Hm."}]})
    path = tmp_path / "shards" / "train-00000-of-00001.parquet"
    path.parent.mkdir()
    pq.write_table(pa.Table.from_pylist(rows), path)
    df = pd.read_parquet(path)
    assert not isinstance(df["conversations"].iloc[0], list)  # pandas gives numpy arrays for list columns
    from_df = dslint.scan(df)
    from_list = dslint.scan(rows)
    from_file = dslint.scan(path)
    assert from_df.summary.splits[0].formats == {"sharegpt": 9}
    assert _by_rule(from_df) == _by_rule(from_list) == _by_rule(from_file)
    assert "wrong-type" not in _by_rule(from_df)
    assert _where(from_df, "assistant-before-user") == _where(from_list, "assistant-before-user")
    assert _where(from_df, "assistant-before-user")
    assert all(line is None for _, line, _ in _where(from_file, "assistant-before-user"))


def test_scan_a_dataframe_of_mixed_formats_like_the_same_list() -> None:
    # In a DataFrame every row has every column; a missing value (None/NaN) is not a key the row has.
    rows = [
        {"prompt": "Q: 2+2?\nA:", "completion": " 4"},
        {"prompt": "Q: 3+3?\nA:", "completion": " 6"},
        {"text": "A plain pre-training document."},
    ]
    from_list = dslint.scan(rows)
    from_df = dslint.scan(pd.DataFrame(rows))
    assert from_df.summary.splits[0].formats == from_list.summary.splits[0].formats
    assert _by_rule(from_df) == _by_rule(from_list)


def test_scan_a_hugging_face_dataset() -> None:
    datasets = pytest.importorskip("datasets")
    rows = [*GOOD_CHAT, NO_ASSISTANT]
    ds = datasets.Dataset.from_list(rows)
    report = dslint.scan(ds)
    assert report.files == ["<dataset>"]
    assert report.count("no-assistant-turn") == 1
    assert report.summary.splits[0].records == len(rows)
    dd = datasets.DatasetDict({"train": ds, "validation": datasets.Dataset.from_list(GOOD_CHAT[:2])})
    report = dslint.scan(dd)
    assert [(s.split, s.records) for s in report.summary.splits] == [("train", 13), ("validation", 2)]


# -- the Report -------------------------------------------------------------------------------------------


def test_to_pandas_columns(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "d" / "train.jsonl", [*GOOD_CHAT, NO_ASSISTANT, {"foo": "bar"}])
    report = dslint.scan(path)
    df = report.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == FINDING_COLUMNS == list(FindingModel.model_fields)
    assert len(df) == len(report.findings()) == sum(len(r.samples) for r in report.rules)
    row = df[df["name"] == "no-assistant-turn"].iloc[0]
    assert (row["code"], row["path"], row["row"], row["line"], row["split"]) == ("C005", str(path), 12, 13, "train")
    assert set(df["severity"]) <= {"info", "warning", "error"}


def test_to_pandas_of_a_clean_report_has_the_columns() -> None:
    df = dslint.scan(GOOD_CHAT, select=["C005"]).to_pandas()
    assert df.empty
    assert list(df.columns) == FINDING_COLUMNS


def test_to_json_round_trips(tmp_path: Path) -> None:
    rows = [*GOOD_CHAT, NO_ASSISTANT, {"foo": 1}, {"messages": [{"role": "robot", "content": "beep"}]}]
    path = _write_jsonl(tmp_path / "d" / "train.jsonl", rows)
    _write_jsonl(tmp_path / "d" / "test.jsonl", GOOD_CHAT[:2])
    report = dslint.scan(tmp_path / "d")
    text = report.to_json()
    back = Report.model_validate_json(text)
    assert back == report
    assert back.to_json() == text
    data = json.loads(text)
    assert data["schema_version"] == report.schema_version
    assert data["files"] == [str(tmp_path / "d" / "test.jsonl"), str(path)]
    assert {s["split"] for s in data["summary"]["splits"]} == {"train", "test"}


def test_report_str_and_html_render() -> None:
    report = dslint.scan([*GOOD_CHAT, NO_ASSISTANT])
    assert "no-assistant-turn" in str(report)
    html = report._repr_html_()
    assert "no-assistant-turn" in html


def test_findings_out_streams_every_finding(tmp_path: Path) -> None:
    rows = [NO_ASSISTANT] * 30
    out = tmp_path / "out" / "findings.jsonl"
    report = dslint.scan(rows, findings_out=out, sample_size=5, select=["C005"])
    assert report.count("no-assistant-turn") == 30
    assert len(report.findings()) == 5
    lines = out.read_bytes().splitlines()
    assert len(lines) == 30
    assert [orjson.loads(line)["row"] for line in lines] == list(range(30))


# -- the doctest ------------------------------------------------------------------------------------------


def test_api_doctest() -> None:
    result = doctest.testmod(dslint.api, verbose=False, report=True)
    assert result.attempted >= 2
    assert result.failed == 0
