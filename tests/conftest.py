"""Shared test fixtures: write small dataset files, build a normalised Record for a rule's `check()`, and run a
dataset rule in one pass and in merged parts."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from dslint.io.formats import Normaliser
from dslint.records import Location, Record


@pytest.fixture
def write_jsonl(tmp_path: Path) -> Callable[..., Path]:
    """`write_jsonl(rows, name="train.jsonl")`: one JSON object (or raw str line) per line, in tmp_path."""

    def write(rows: Iterable[Any], name: str = "train.jsonl") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[..., Path]:
    """`write_json(value, name="train.json")`: a pretty-printed JSON file (indent 2, like most exports)."""

    def write(value: Any, name: str = "train.json") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def make_record() -> Callable[..., Record]:
    """`make_record(value, role_map=None, path="train.jsonl", row=0, line=1, split="train")`: a normalised Record."""

    def make(
        value: Any,
        role_map: Mapping[str, str] | None = None,
        path: str = "train.jsonl",
        row: int = 0,
        line: int | None = 1,
        split: str = "train",
    ) -> Record:
        return Normaliser(role_map).normalise(value, Location(path, row, line, split))

    return make


@pytest.fixture
def merged_parts() -> Callable[..., tuple[Any, Any, Any]]:
    """`merged_parts(rule, records, cuts)`: a dataset rule's state over `records` in one pass, and over three parts
    cut at `cuts` (each pickled, as from a worker process) merged both ways: (whole, (a+b)+c, a+(b+c))."""

    def merged(rule: Any, records: Sequence[Record], cuts: tuple[int, int]) -> tuple[Any, Any, Any]:
        def run(part: Sequence[Record]) -> Any:
            state = rule.new_state()
            for record in part:
                state = rule.update(state, record)
            return state

        i, j = cuts
        a, b, c = (pickle.loads(pickle.dumps(run(part))) for part in (records[:i], records[i:j], records[j:]))
        return run(records), rule.merge(rule.merge(a, b), c), rule.merge(a, rule.merge(b, c))

    return merged
