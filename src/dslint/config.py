"""Configuration: `[tool.dslint]` in pyproject.toml or a `dslint.toml`, presets, and rule selection.

Discovery walks up from the working directory; the nearest folder with a `dslint.toml`, or a `pyproject.toml`
that has a `[tool.dslint]` table, wins (`dslint.toml` first within one folder). A preset (TOML in the
top-level `rules/presets/` folder, shipped inside the wheel) is the base; the file's settings apply on top,
and command-line flags on top of those. Anything wrong in a config file is a `ConfigError` naming the file,
the line and what is wrong.
"""

from __future__ import annotations

import contextlib
import difflib
import fnmatch
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from dslint.packs import packs_root
from dslint.records import Severity
from dslint.rules import all_rules
from dslint.rules.base import Rule
from dslint.text.tokenizer import ENCODINGS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SeverityName = Literal["info", "warning", "error"]


class ConfigError(Exception):
    """A configuration that cannot be used; `str()` names the file and line where known."""

    def __init__(
        self, message: str, path: str | Path | None = None, line: int | None = None, key: str | None = None
    ) -> None:
        self.message, self.path, self.line, self.key = message, (str(path) if path else None), line, key
        where = f"{path}:{line}: " if path and line else f"{path}: " if path else ""
        super().__init__(f"{where}{message}")


class Config(BaseModel):
    """Every setting, as written in `[tool.dslint]` (keys in kebab-case)."""

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, alias_generator=lambda name: name.replace("_", "-")
    )

    preset: str = Field("default", description="The preset to start from (a file in rules/presets/).")
    select: list[str] | None = Field(None, description="Rules to run: codes, code prefixes, names or ALL.")
    extend_select: list[str] = Field(default_factory=list, description="Rules to add to the selection.")
    ignore: list[str] = Field(default_factory=list, description="Rules to leave out.")
    severity: dict[str, SeverityName] = Field(default_factory=dict, description="Severity per rule.")
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Options per rule.")
    per_file_ignores: dict[str, list[str]] = Field(
        default_factory=dict, description="Glob pattern -> rules to ignore in matching files."
    )
    fail_on: SeverityName = Field("error", description="Exit 1 when a finding is at least this severe.")
    encoding: str = Field("o200k_base", description="tiktoken encoding used to count tokens.")
    role_map: dict[str, str] = Field(default_factory=dict, description="Extra role names -> canonical roles.")
    sample_size: int = Field(20, ge=0, description="Findings kept per rule in the report (counts are exact).")
    jobs: int = Field(1, ge=1, description="Worker processes (files are spread across them).")

    _file: Path | None = PrivateAttr(None)
    _text: str = PrivateAttr("")


@dataclass
class ActiveRules:
    """The configured rule instances, and what the engine needs to apply them."""

    rules: list[Rule]
    per_file_ignores: dict[str, frozenset[str]]
    root: str = "."

    def ignored_in(self, path: str) -> frozenset[str]:
        """Codes ignored for `path` by `per-file-ignores`. A glob matches the path relative to the project root
        (the config file's folder, else the working directory), the path as given, or the file name."""
        candidates = {path, Path(path).name}
        with contextlib.suppress(ValueError):  # a path outside the project root has no relative form
            candidates.add(Path(path).resolve().relative_to(Path(self.root).resolve()).as_posix())
        out: set[str] = set()
        for pattern, codes in self.per_file_ignores.items():
            if any(fnmatch.fnmatch(c, pattern) for c in candidates):
                out |= codes
        return frozenset(out)


# -- files ----------------------------------------------------------------------------------------------


def presets_dir() -> Path:
    return packs_root() / "presets"


def available_presets() -> list[str]:
    return sorted(p.stem for p in presets_dir().glob("*.toml"))


def _parse_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise ConfigError(f"invalid TOML: {exc}", path, int(match.group(1)) if match else None) from None


def find_config_file(start: Path) -> Path | None:
    """The nearest `dslint.toml`, or `pyproject.toml` with `[tool.dslint]`, from `start` upward."""
    for folder in (start, *start.parents):
        candidate = folder / "dslint.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            data, _ = _parse_toml(candidate)
            if "dslint" in data.get("tool", {}):
                return candidate
    return None


def _line_of(text: str, key: str) -> int | None:
    """The first line where `key` is assigned or opens a table, to point a user at a bad setting."""
    pattern = re.compile(rf'^\s*(?:"{re.escape(key)}"|{re.escape(key)})\s*=|^\s*\[[^\]]*\b{re.escape(key)}\]')
    for i, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return i
    return None


def _validate(data: Mapping[str, Any], path: Path | None, text: str) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        keys = [str(k) for k in err["loc"]]
        line = next((n for k in reversed(keys) if (n := _line_of(text, k)) is not None), None)
        where = ".".join(keys) or "config"
        raise ConfigError(f"{where}: {err['msg']}", path, line) from None


def load_config(
    path: str | Path | None = None, overrides: Mapping[str, Any] | None = None, discover: bool = True
) -> Config:
    """The configuration from `path` (or the discovered file), with `overrides` (e.g. CLI flags) on top."""
    data: dict[str, Any] = {}
    text = ""
    file = Path(path) if path else (find_config_file(Path.cwd()) if discover else None)
    if file is not None:
        if not file.is_file():
            raise ConfigError("no such config file", file)
        parsed, text = _parse_toml(file)
        data = parsed.get("tool", {}).get("dslint", {}) if file.name == "pyproject.toml" else parsed
        if not isinstance(data, dict):
            raise ConfigError("[tool.dslint] must be a table", file, _line_of(text, "dslint"))
    merged = dict(data)
    for key, value in (overrides or {}).items():
        key = key.replace("_", "-")
        if value is None:
            continue
        if key == "rules" and isinstance(merged.get(key), dict) and isinstance(value, dict):
            # Options merge one by one, so `--max-tokens` keeps the file's other options.
            rules = dict(merged[key])
            for rule, options in value.items():
                old = rules.get(rule)
                rules[rule] = {**old, **options} if isinstance(old, dict) and isinstance(options, dict) else options
            merged[key] = rules
        elif key in ("ignore", "extend-select") and isinstance(merged.get(key), list):
            merged[key] = [*merged[key], *value]  # flags add to the file's lists
        else:
            merged[key] = value
    config = _validate(merged, file, text)
    config._file, config._text = file, text
    return config


def load_preset(name: str) -> Config:
    file = presets_dir() / f"{name}.toml"
    if not file.is_file():
        close = difflib.get_close_matches(name, available_presets(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f" (available: {', '.join(available_presets())})"
        raise ConfigError(f"unknown preset {name!r}{hint}", key=name)
    data, text = _parse_toml(file)
    data.pop("preset", None)
    return _validate(data, file, text)


# -- selection ------------------------------------------------------------------------------------------


def _matches(selector: str, cls: type[Rule]) -> bool:
    return selector == "ALL" or selector == cls.name or cls.code.startswith(selector)


def _resolve(selectors: Iterable[str], rules: Mapping[str, type[Rule]], setting: str) -> set[str]:
    """Codes matched by `selectors`; a selector that matches nothing is an error with the close matches."""
    out: set[str] = set()
    for sel in selectors:
        hits = {code for code, cls in rules.items() if _matches(sel, cls)}
        if not hits:
            names = [*rules, *(cls.name for cls in rules.values())]
            close = difflib.get_close_matches(sel, names, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ConfigError(f"{setting}: unknown rule {sel!r}{hint}", key=sel)
        out |= hits
    return out


def _code_of(key: str, rules: Mapping[str, type[Rule]], setting: str) -> str:
    for code, cls in rules.items():
        if key in (code, cls.name):
            return code
    names = [*rules, *(cls.name for cls in rules.values())]
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ConfigError(f"{setting}: unknown rule {key!r}{hint}", key=key)


def active_rules(config: Config) -> ActiveRules:
    """Instantiate the selected rules with their options and severities (preset first, then config).

    An error names the config file and the line of the offending rule where it came from one.
    """
    try:
        return _active_rules(config)
    except ConfigError as exc:
        if exc.path is None and config._file is not None and exc.key and exc.key in config._text:
            line = next((i for i, text in enumerate(config._text.splitlines(), 1) if exc.key in text), None)
            raise ConfigError(exc.message, config._file, line) from None
        raise


def _active_rules(config: Config) -> ActiveRules:
    rules = all_rules()
    if config.encoding not in ENCODINGS:
        raise ConfigError(
            f"encoding: unknown {config.encoding!r} (available: {', '.join(ENCODINGS)})", key=config.encoding
        )
    preset = load_preset(config.preset)

    select = config.select if config.select is not None else preset.select
    selected = _resolve(select if select is not None else ["ALL"], rules, "select")
    explicit = _resolve([*(config.select or []), *config.extend_select], rules, "extend-select")
    selected |= _resolve(preset.extend_select, rules, "extend-select") | explicit
    selected -= _resolve(preset.ignore, rules, "ignore") - explicit
    selected -= _resolve(config.ignore, rules, "ignore")

    severities = {_code_of(k, rules, "severity"): v for k, v in {**preset.severity, **config.severity}.items()}
    options: dict[str, dict[str, Any]] = {}
    for source in (preset.rules, config.rules):
        for key, opts in source.items():
            code = _code_of(key, rules, "rules")
            options[code] = {**options.get(code, {}), **opts}

    instances = []
    for code in sorted(selected):
        cls = rules[code]
        try:
            rule_options = cls.Options.model_validate(options.get(code, {}))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(map(str, err["loc"]))
            raise ConfigError(f"rules.{code}.{where}: {err['msg']}", key=where or code) from None
        sev = Severity.parse(severities[code]) if code in severities else None
        instances.append(cls(rule_options, sev))
    per_file = {
        pattern: frozenset(_resolve(codes, rules, "per-file-ignores"))
        for pattern, codes in {**preset.per_file_ignores, **config.per_file_ignores}.items()
    }
    root = str(config._file.parent) if config._file is not None else str(Path.cwd())
    return ActiveRules(instances, per_file, root)
