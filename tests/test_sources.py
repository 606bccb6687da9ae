"""Sources: paths -> one Source per file with its split; in-memory data -> Sources with rows."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dslint
from dslint.io.readers import RawRow, ReadIssue
from dslint.io.sources import (
    Source,
    SourceSpecError,
    expand_path,
    normalise_split,
    sources_from_object,
    sources_from_paths,
    split_from_name,
)

DATA = Path(__file__).parent / "data"
NERRE_GENERAL = DATA / "nerre_prompt_completion" / "general_and_mofs" / "data" / "experiments_general"


@pytest.fixture(autouse=True)
def _no_config_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Config discovery walks up from the working directory; keep scans here independent of the checkout.
    monkeypatch.chdir(tmp_path)


def _touch(path: Path, rows: list[dict] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = rows if rows is not None else [{"text": f"a line in {path.name}"}]
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


# -- split inference --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "split"),
    [
        ("data/train.jsonl", "train"),
        ("data/training.jsonl", "train"),
        ("data/validation.jsonl", "validation"),
        ("data/valid.jsonl", "validation"),
        ("data/val.jsonl", "validation"),
        ("data/dev.jsonl", "validation"),
        ("data/eval.jsonl", "validation"),
        ("data/test.jsonl", "test"),
        ("data/testing.jsonl", "test"),
        ("data/TEST.JSONL", "test"),
        ("fold_0/val.jsonl", "validation"),
        ("fold_1/train.jsonl.gz", "train"),
        ("data/train-00000-of-00002.parquet", "train"),
        ("data/validation-00000-of-00001.parquet", "validation"),
        ("data/test-00000-of-00001.parquet", "test"),
        ("data/my_dataset_val.jsonl", "validation"),
        ("data/chat.dev.jsonl.zst", "validation"),
        ("data/val2.jsonl", "validation"),
        ("data/sft_data.jsonl", "train"),
        ("data/contest_problems.jsonl", "train"),
        ("data/latest.jsonl", "train"),
        ("data/devices.jsonl", "train"),
        ("shards/part-0000.parquet", "train"),
        # The folder's name is used when the file's name says nothing ...
        ("test/part-0000.parquet", "test"),
        ("validation/shard_3.jsonl", "validation"),
        ("dev/data.json", "validation"),
        # ... but the file's own name wins over the folder's.
        ("test/train.jsonl", "train"),
        ("train/val.jsonl", "validation"),
    ],
)
def test_split_from_name(relpath: str, split: str) -> None:
    assert split_from_name(Path("/datasets/project") / relpath) == split


def test_split_from_name_only_looks_at_the_parent_folder() -> None:
    assert split_from_name(Path("/data/test/shards/part-0.jsonl")) == "train"


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("train", "train"),
        ("Training", "train"),
        ("val", "validation"),
        (" VALID ", "validation"),
        ("dev", "validation"),
        ("eval", "validation"),
        ("validation", "validation"),
        ("test", "test"),
        ("Testing", "test"),
        ("holdout", "holdout"),
        (" Holdout ", "Holdout"),
    ],
)
def test_normalise_split(name: str, canonical: str) -> None:
    assert normalise_split(name) == canonical


def test_sources_from_real_fold_folder() -> None:
    sources = sources_from_paths([NERRE_GENERAL])
    rel = [(Path(s.path).relative_to(NERRE_GENERAL).as_posix(), s.split) for s in sources]
    assert rel == [
        ("fold_0/train.jsonl", "train"),
        ("fold_0/val.jsonl", "validation"),
        ("fold_1/val.jsonl", "validation"),
    ]
    assert all(s.rows is None for s in sources)


def test_sources_from_files_keep_argument_order(tmp_path: Path) -> None:
    test = _touch(tmp_path / "d" / "test.jsonl")
    train = _touch(tmp_path / "d" / "train.jsonl")
    sources = sources_from_paths([str(test), train])
    assert [(s.path, s.split) for s in sources] == [(str(test), "test"), (str(train), "train")]


def test_folder_is_expanded_recursively_and_sorted(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    for rel in ["b/train.jsonl", "a/val.jsonl.gz", "a/test.json", "c/train-00001-of-00002.parquet"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    (root / "notes.txt").write_text("ignore me")
    (root / "a" / "data.csv").write_text("x,y\n")
    files = expand_path(root)
    assert [f.relative_to(root).as_posix() for f in files] == [
        "a/test.json",
        "a/val.jsonl.gz",
        "b/train.jsonl",
        "c/train-00001-of-00002.parquet",
    ]
    assert [s.split for s in sources_from_paths([root])] == ["test", "validation", "train", "train"]


def test_parquet_shard_folder_in_sorted_order(tmp_path: Path) -> None:
    folder = tmp_path / "hub" / "data"
    folder.mkdir(parents=True)
    names = [
        "train-00001-of-00002.parquet",
        "test-00000-of-00001.parquet",
        "train-00000-of-00002.parquet",
        "validation-00000-of-00001.parquet",
    ]
    for name in names:
        pq.write_table(pa.Table.from_pylist([{"text": name}]), folder / name)
    sources = sources_from_paths([folder])
    assert [(Path(s.path).name, s.split) for s in sources] == [
        ("test-00000-of-00001.parquet", "test"),
        ("train-00000-of-00002.parquet", "train"),
        ("train-00001-of-00002.parquet", "train"),
        ("validation-00000-of-00001.parquet", "validation"),
    ]
    read = [item.value["text"] for s in sources for item in s.read() if isinstance(item, RawRow)]
    assert read == [Path(s.path).name for s in sources]


# -- explicit splits --------------------------------------------------------------------------------------


def test_explicit_splits(tmp_path: Path) -> None:
    train = _touch(tmp_path / "d" / "train.jsonl")
    other = _touch(tmp_path / "d" / "train_copy.jsonl")
    holdout = _touch(tmp_path / "d" / "hold.jsonl")
    sources = sources_from_paths([train], splits={"val": other, "holdout": str(holdout)})
    assert [(Path(s.path).name, s.split) for s in sources] == [
        ("train.jsonl", "train"),
        ("train_copy.jsonl", "validation"),  # the explicit split wins over the file name
        ("hold.jsonl", "holdout"),
    ]


def test_explicit_split_folder(tmp_path: Path) -> None:
    folder = tmp_path / "evalset"
    _touch(folder / "a.jsonl")
    _touch(folder / "train.jsonl")
    sources = sources_from_paths([], splits={"test": folder})
    assert [(Path(s.path).name, s.split) for s in sources] == [("a.jsonl", "test"), ("train.jsonl", "test")]


# -- errors -----------------------------------------------------------------------------------------------


def test_missing_path_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "data" / "trian.jsonl"
    with pytest.raises(SourceSpecError) as info:
        sources_from_paths([missing])
    assert str(missing) in str(info.value)
    assert "no such file" in str(info.value)


def test_missing_explicit_split_path_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "val.jsonl"
    with pytest.raises(SourceSpecError, match=r"val\.jsonl"):
        sources_from_paths([], splits={"validation": missing})


@pytest.mark.parametrize("name", ["data.csv", "data.txt", "data.tsv", "data.jsonl.bz2", "data.gz"])
def test_unsupported_extension_names_it(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("whatever\n")
    with pytest.raises(SourceSpecError) as info:
        sources_from_paths([path])
    assert str(path) in str(info.value)
    assert "unsupported" in str(info.value)


def test_folder_without_data_files(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "README.md").write_text("# hi\n")
    with pytest.raises(SourceSpecError) as info:
        sources_from_paths([folder])
    assert str(folder) in str(info.value)


def test_source_spec_error_is_a_value_error() -> None:
    assert issubclass(SourceSpecError, ValueError)


# -- in-memory data ---------------------------------------------------------------------------------------


def test_sources_from_list() -> None:
    rows = [{"text": "a"}, {"text": "b"}]
    (source,) = sources_from_object(rows, split="test")
    assert (source.path, source.split) == ("<records>", "test")
    assert list(source.read()) == [RawRow(0, None, rows[0], None), RawRow(1, None, rows[1], None)]


def test_sources_from_dataframe_has_plain_python_values() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"messages": [[{"role": "user", "content": "Hi"}]], "n": [1]})
    (source,) = sources_from_object(df)
    assert (source.path, source.split) == ("<dataframe>", "train")
    (item,) = list(source.read())
    assert isinstance(item, RawRow)
    assert item.value == {"messages": [{"role": "user", "content": "Hi"}], "n": 1}
    assert type(item.value["messages"]) is list


@pytest.mark.parametrize("bad", [42, "not via sources_from_object", {"text": "a dict"}, 3.5])
def test_sources_from_unsupported_object(bad: object) -> None:
    with pytest.raises(SourceSpecError, match="cannot scan"):
        sources_from_object(bad)


def test_source_read_of_a_file(tmp_path: Path) -> None:
    path = _touch(tmp_path / "x" / "train.jsonl", [{"text": "one"}, {"text": "two"}])
    source = Source(str(path), "train")
    items = list(source.read())
    assert all(not isinstance(i, ReadIssue) for i in items)
    assert [(i.row, i.line) for i in items if isinstance(i, RawRow)] == [(0, 1), (1, 2)]


# -- the split column -------------------------------------------------------------------------------------


def _split_records(report: dslint.Report) -> dict[str, int]:
    return {s.split: s.records for s in report.summary.splits}


def test_split_column_is_honoured_in_a_file(tmp_path: Path) -> None:
    rows = [
        {"prompt": "q1", "completion": " a1", "split": "train"},
        {"prompt": "q2", "completion": " a2", "split": "val"},
        {"prompt": "q3", "completion": " a3", "split": "TEST"},
        {"prompt": "q4", "completion": " a4", "split": "test"},
        {"prompt": "q5", "completion": " a5"},
        {"prompt": "q6", "completion": " a6", "split": "  "},
        {"prompt": "q7", "completion": " a7", "split": None},
    ]
    path = _touch(tmp_path / "all" / "everything.jsonl", rows)
    report = dslint.scan(path)
    assert _split_records(report) == {"train": 4, "validation": 1, "test": 2}
    assert [s.split for s in report.summary.splits] == ["train", "validation", "test"]
    assert report.summary.training is not None
    assert report.summary.training.examples == 4


def test_split_column_overrides_the_file_name_split(tmp_path: Path) -> None:
    rows = [{"text": "x", "split": "train"}, {"text": "y"}]
    path = _touch(tmp_path / "d" / "val.jsonl", rows)
    report = dslint.scan(path)
    assert _split_records(report) == {"train": 1, "validation": 1}
    files = {s.split: s.files for s in report.summary.splits}
    assert files == {"train": {str(path): 1}, "validation": {str(path): 1}}


def test_split_column_in_memory_data() -> None:
    rows = [{"text": "a", "split": "dev"}, {"text": "b", "split": "holdout"}, {"text": "c"}]
    report = dslint.scan(rows, split="test")
    assert _split_records(report) == {"validation": 1, "test": 1, "holdout": 1}
    assert [s.split for s in report.summary.splits] == ["validation", "test", "holdout"]


def test_split_column_in_parquet(tmp_path: Path) -> None:
    path = tmp_path / "d" / "data.parquet"
    path.parent.mkdir()
    pq.write_table(pa.Table.from_pylist([{"text": "a", "split": "train"}, {"text": "b", "split": "validation"}]), path)
    report = dslint.scan(path)
    assert _split_records(report) == {"train": 1, "validation": 1}


def test_splits_of_a_folder_scan(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    _touch(root / "train.jsonl", [{"text": f"t{i}"} for i in range(3)])
    _touch(root / "valid.jsonl", [{"text": "v"}])
    _touch(root / "test" / "part-0.jsonl", [{"text": "x"}, {"text": "y"}])
    report = dslint.scan(root)
    assert _split_records(report) == {"train": 3, "validation": 1, "test": 2}
