"""The Python API: `dslint.scan(...)` on paths or in-memory data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dslint.config import Config, active_rules, load_config
from dslint.engine.clean import CleanResult
from dslint.engine.clean import clean as clean_sources
from dslint.engine.runner import run
from dslint.io.sources import Source, sources_from_object, sources_from_paths
from dslint.report.model import Report


def _sources(
    data: Any, splits: Mapping[str, str | Path] | None, split: str, references: Sequence[str | Path] = ()
) -> list[Source]:
    if isinstance(data, (str, Path)):
        return sources_from_paths([data], splits, references)
    if isinstance(data, Sequence) and data and all(isinstance(d, (str, Path)) for d in data):
        return sources_from_paths(data, splits, references)
    if data is None:
        return sources_from_paths([], splits, references)
    return sources_from_object(data, split) + sources_from_paths([], splits, references)


def scan(
    data: Any = None,
    *,
    splits: Mapping[str, str | Path] | None = None,
    split: str = "train",
    references: Sequence[str | Path] = (),
    config: Config | str | Path | None = None,
    findings_out: str | Path | None = None,
    **settings: Any,
) -> Report:
    """Scan a dataset and return its Report.

    `data` is a path (file or folder), a list of paths, a list of dicts, a pandas DataFrame or a Hugging Face
    `datasets.Dataset`/`DatasetDict`. `splits` maps split names to more paths (`{"test": "data/test.jsonl"}`);
    `split` names the split of in-memory data; `references` are files to check for leakage against (e.g. a
    public benchmark's test set), not part of the dataset. `config` is a Config, or a path to a config file; by default
    the nearest `dslint.toml`/`pyproject.toml` is used. Other keyword arguments override settings by their
    Python names, e.g. `scan("train.jsonl", select=["C"], fail_on="warning")`.

    >>> report = scan([{"messages": [{"role": "user", "content": "Hi"}]}])
    >>> report.count("no-assistant-turn")
    1
    """
    cfg = _config(config, settings)
    sources = _sources(data, splits, split, references)
    return run(sources, cfg, active_rules(cfg), findings_out)


def clean(
    data: Any,
    out_dir: str | Path,
    *,
    unsafe_fixes: bool = False,
    diff: bool = False,
    make_validation: float | None = None,
    splits: Mapping[str, str | Path] | None = None,
    references: Sequence[str | Path] = (),
    config: Config | str | Path | None = None,
    **settings: Any,
) -> CleanResult:
    """Write a cleaned copy of the dataset files `data` (a path or list of paths) under `out_dir`.

    Safe fixes are applied always, unsafe ones with `unsafe_fixes=True`; records with a finding at or above
    `fail_on` that no fix resolved go to `dslint-rejects.jsonl`, and `dslint-manifest.json` accounts for every
    record. With `diff=True` nothing is written and `result.diff` shows what would change. `make_validation`
    (a fraction) moves that share of train, by near-duplicate group and stratified by label, to a new validation
    file beside each train file. `references` are only read, to drop train records that leak into them.
    """
    cfg = _config(config, settings)
    sources = _sources(data, splits, "train", references)
    return clean_sources(sources, cfg, active_rules(cfg), out_dir, unsafe_fixes, diff, make_validation)


def _config(config: Config | str | Path | None, settings: dict[str, Any]) -> Config:
    if isinstance(config, Config):
        return Config.model_validate({**config.model_dump(), **settings}) if settings else config
    return load_config(config, overrides=settings)
