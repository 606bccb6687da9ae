"""Sources: what to scan. Paths (files or folders) become one `Source` per file, each with its split.

Splits come from explicit `--split NAME=PATH`, else from the file name (`train`, `validation`/`valid`/`val`/
`dev`, `test`), else from the parent folder's name; a file that names no split is `train`. Rows may still
override this with a `split` column (the engine honours it). In-memory data (a list of dicts, a pandas
DataFrame, a Hugging Face `datasets.Dataset`) is a Source with rows instead of a path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dslint.io.readers import FilePart, RawRow, ReadIssue, drop_nulls, file_kind, read_jsonl, read_rows

SPLIT_ALIASES = {
    "train": "train",
    "training": "train",
    "validation": "validation",
    "valid": "validation",
    "val": "validation",
    "dev": "validation",
    "eval": "validation",
    "test": "test",
    "testing": "test",
}
_NAME_TOKENS = re.compile(r"[A-Za-z]+")

#: The split of `--reference` files.
REFERENCE = "reference"

MANIFEST_NAME = "dslint-manifest.json"
REJECTS_NAME = "dslint-rejects.jsonl"
#: Files `dslint clean` writes beside the data: a folder scan skips them.
OWN_OUTPUTS = frozenset({MANIFEST_NAME, REJECTS_NAME})


class SourceSpecError(ValueError):
    """A path or split argument that cannot be used (missing file, unsupported file type)."""


@dataclass
class Source:
    """One file (or one in-memory table) and the split its rows belong to."""

    path: str
    split: str
    rows: Iterable[Any] | None = field(default=None, repr=False)
    #: A reference file (`--reference`, e.g. a public benchmark's test set): only cross-split rules read it,
    #: as an eval split to check the dataset against; it is not part of the dataset.
    reference: bool = False

    #: A part of a plain JSON Lines file (`--jobs` spreads a big file's parts over processes): its byte range
    #: and the line and row numbers it starts at, so rows keep the numbers they have in the whole file.
    part: FilePart | None = None

    def read(self, containing: bytes | None = None) -> Iterator[RawRow | ReadIssue]:
        """The rows (see `read_rows` for `containing`, which only a JSON Lines file uses)."""
        if self.part is not None:
            yield from read_jsonl(Path(self.path), containing, self.part)
        elif self.rows is None:
            yield from read_rows(Path(self.path), containing)
        else:
            for i, value in enumerate(self.rows):
                yield RawRow(i, None, value, None)


def normalise_split(name: str) -> str:
    """A split name in canonical form (`val` -> `validation`); unknown names are kept as given."""
    return SPLIT_ALIASES.get(name.strip().lower(), name.strip())


def split_from_name(path: Path) -> str:
    """The split a file's name implies (`valid_00.jsonl`, `train-00000-of-00002.parquet`), else its folder's
    when the folder is named exactly as a split (`data/test/part-0.parquet`); `train` when neither does.
    A folder like `test_fixtures/` names no split: only a file name is read word by word."""
    for token in _NAME_TOKENS.findall(path.name.lower()):
        if token in SPLIT_ALIASES:
            return SPLIT_ALIASES[token]
    return SPLIT_ALIASES.get(path.parent.name.lower(), "train")


def expand_path(path: Path) -> list[Path]:
    """A file as itself; a folder as every supported file below it, sorted so the order is stable."""
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and file_kind(p) is not None and p.name not in OWN_OUTPUTS
        )
        if not files:
            raise SourceSpecError(f"{path}: folder holds no .jsonl, .json or .parquet files")
        return files
    if not path.exists():
        raise SourceSpecError(f"{path}: no such file or folder")
    if file_kind(path) is None:
        raise SourceSpecError(
            f"{path}: unsupported file type (expected .jsonl, .jsonl.gz, .jsonl.zst, .json or .parquet)"
        )
    return [path]


def sources_from_paths(
    paths: Iterable[str | Path],
    splits: Mapping[str, str | Path] | None = None,
    references: Iterable[str | Path] = (),
) -> list[Source]:
    """Sources for positional paths (split from the name), explicit `split -> path` pairs and reference files."""
    sources = [Source(str(f), split_from_name(f)) for p in paths for f in expand_path(Path(p))]
    for split, p in (splits or {}).items():
        sources.extend(Source(str(f), normalise_split(split)) for f in expand_path(Path(p)))
    sources.extend(Source(str(f), REFERENCE, reference=True) for p in references for f in expand_path(Path(p)))
    return sources


def sources_from_object(data: Any, split: str = "train") -> list[Source]:
    """Sources for in-memory data: a list of dicts, a pandas DataFrame, a `datasets.Dataset`/`DatasetDict`."""
    split = normalise_split(split)
    type_name = f"{type(data).__module__}.{type(data).__name__}"
    if type_name.startswith("pandas.") and hasattr(data, "to_dict"):
        import pyarrow as pa

        # Through Arrow, so nested columns come back as plain lists and dicts, not numpy arrays.
        rows = pa.Table.from_pandas(data, preserve_index=False).to_pylist()
        return [Source("<dataframe>", split, [drop_nulls(row) for row in rows])]
    if type_name.startswith("datasets.") and hasattr(data, "keys") and not hasattr(data, "features"):
        return [Source(f"<dataset:{name}>", normalise_split(name), data[name]) for name in data]
    if type_name.startswith("datasets."):
        return [Source("<dataset>", split, data)]
    if isinstance(data, list):
        return [Source("<records>", split, data)]
    raise SourceSpecError(
        f"cannot scan a {type_name}: pass a path, a list of paths, a list of dicts, a pandas DataFrame "
        "or a datasets.Dataset"
    )
