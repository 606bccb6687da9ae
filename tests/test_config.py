"""Configuration: discovery, selection, severities and options, per-file ignores, presets and errors."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import dslint
from dslint.config import (
    ActiveRules,
    Config,
    ConfigError,
    active_rules,
    available_presets,
    find_config_file,
    load_config,
    load_preset,
    presets_dir,
)
from dslint.records import Severity
from dslint.rules import all_rules
from dslint.rules.length.too_many_tokens import TooManyTokens

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TOY_CHAT = EXAMPLES / "oai_toy_chat" / "toy_chat_fine_tuning.jsonl"

ALL_CODES = sorted(all_rules())
CHAT_CODES = sorted(c for c in ALL_CODES if c.startswith("C"))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def codes(config: Config) -> list[str]:
    return sorted(rule.code for rule in active_rules(config).rules)


def rule_of(active: ActiveRules, code: str) -> Any:
    return next(rule for rule in active.rules if rule.code == code)


def config_error(path: Path, **overrides: object) -> ConfigError:
    """The ConfigError raised by loading `path` and building its rules (errors may come from either step)."""
    with pytest.raises(ConfigError) as info:
        active_rules(load_config(path, overrides or None))
    return info.value


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder that is also the working directory (nothing above it configures dslint)."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    assert find_config_file(root) is None
    return root


# -- discovery --------------------------------------------------------------------------------------------


def test_no_config_file_gives_the_defaults(project: Path) -> None:
    config = load_config()
    assert config == Config()
    assert config.preset == "default"
    assert config.fail_on == "error"
    assert config.encoding == "o200k_base"
    assert codes(config) == ALL_CODES


def test_dslint_toml_in_the_working_directory(project: Path) -> None:
    write(project / "dslint.toml", 'fail-on = "warning"\nsample-size = 5\n')
    config = load_config()
    assert config.fail_on == "warning"
    assert config.sample_size == 5


def test_discovery_walks_up_from_a_nested_working_directory(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / "dslint.toml", 'fail-on = "info"\n')
    nested = project / "data" / "chat" / "v2"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    assert find_config_file(Path.cwd()) == project / "dslint.toml"
    assert load_config().fail_on == "info"


def test_pyproject_tool_dslint_table_is_read(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        project / "pyproject.toml",
        """
        [project]
        name = "my-finetune"

        [tool.dslint]
        preset = "openai-chat"
        fail-on = "warning"
        ignore = ["C009"]

        [tool.dslint.rules.too-many-tokens]
        max-tokens = 100
        """,
    )
    (project / "src").mkdir()
    monkeypatch.chdir(project / "src")
    config = load_config()
    assert config.preset == "openai-chat"
    assert config.fail_on == "warning"
    active = active_rules(config)
    assert "C009" not in {r.code for r in active.rules}
    assert rule_of(active, "L001").options.max_tokens == 100


def test_dslint_toml_beats_pyproject_in_the_same_folder(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.dslint]\nfail-on = "info"\n')
    write(project / "dslint.toml", 'fail-on = "warning"\n')
    assert find_config_file(project) == project / "dslint.toml"
    assert load_config().fail_on == "warning"


def test_pyproject_without_tool_dslint_is_skipped(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / "dslint.toml", 'fail-on = "info"\n')
    write(
        project / "pkg" / "pyproject.toml",
        """
        [project]
        name = "pkg"

        [tool.ruff]
        line-length = 100
        """,
    )
    monkeypatch.chdir(project / "pkg")
    assert find_config_file(Path.cwd()) == project / "dslint.toml"
    assert load_config().fail_on == "info"


def test_nearest_folder_wins(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A parent's dslint.toml loses to a nearer pyproject.toml with [tool.dslint].
    write(project / "dslint.toml", 'fail-on = "info"\n')
    write(project / "team" / "pyproject.toml", '[tool.dslint]\nfail-on = "warning"\n')
    (project / "team" / "data").mkdir()
    monkeypatch.chdir(project / "team" / "data")
    assert find_config_file(Path.cwd()) == project / "team" / "pyproject.toml"
    assert load_config().fail_on == "warning"


def test_explicit_path_and_discover_false(project: Path) -> None:
    write(project / "dslint.toml", 'fail-on = "info"\n')
    other = write(project / "ci" / "strict.toml", 'fail-on = "warning"\n')
    assert load_config(other).fail_on == "warning"
    assert load_config(discover=False).fail_on == "error"
    with pytest.raises(ConfigError, match="no such config file") as info:
        load_config(project / "missing.toml")
    assert info.value.path == str(project / "missing.toml")


def test_overrides_apply_on_top_of_the_file(project: Path) -> None:
    write(
        project / "dslint.toml",
        """
        fail-on = "warning"
        ignore = ["C009"]
        """,
    )
    config = load_config(
        overrides={
            "fail_on": "info",
            "ignore": ["F007"],
            "encoding": None,  # a flag that was not given changes nothing
        }
    )
    assert config.fail_on == "info"
    assert config.encoding == "o200k_base"
    assert config.ignore == ["C009", "F007"]  # flags add to the file's list
    selected = codes(config)
    assert "C009" not in selected and "F007" not in selected


def test_option_overrides_keep_the_files_other_options_of_the_same_rule(project: Path) -> None:
    write(project / "dslint.toml", "[rules.too-few-examples]\nerror-below = 5\nwarning-below = 50\n")
    config = load_config(overrides={"rules": {"too-few-examples": {"warning-below": 20}}})
    rule = rule_of(active_rules(config), "L003")
    assert (rule.options.error_below, rule.options.warning_below) == (5, 20)


# -- selection --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, ALL_CODES),
        ({"select": ["ALL"]}, ALL_CODES),
        ({"select": ["C001", "L001"]}, ["C001", "L001"]),
        ({"select": ["C"]}, CHAT_CODES),
        ({"select": ["L00"]}, ["L001", "L002", "L003"]),
        ({"select": ["unknown-role", "assistant-before-user"]}, ["C001", "C004"]),
        ({"select": ["C"], "ignore": ["C001", "empty-content"]}, [c for c in CHAT_CODES if c not in ("C001", "C007")]),
        ({"ignore": ["C", "F"]}, [c for c in ALL_CODES if c[0] not in "CF"]),
        ({"select": ["C001"], "extend_select": ["L"]}, ["C001", "L001", "L002", "L003"]),
        ({"select": ["ALL"], "ignore": ["ALL"]}, []),
    ],
)
def test_select_ignore_extend_select(settings: dict[str, list[str]], expected: list[str]) -> None:
    assert codes(Config(**settings)) == expected


def test_selection_from_a_file_with_codes_prefixes_and_names(project: Path) -> None:
    write(
        project / "dslint.toml",
        """
        select = ["C", "too-many-tokens"]
        extend-select = ["F001"]
        ignore = ["unexpected-key", "C00"]
        """,
    )
    assert codes(load_config()) == ["F001", "L001"]


def test_extend_select_brings_back_a_rule_the_preset_ignores() -> None:
    assert "C004" not in codes(Config(preset="prompt-completion"))
    assert "C004" in codes(Config(preset="prompt-completion", extend_select=["C004"]))
    assert "C001" in codes(Config(preset="pretraining", extend_select=["unknown-role"]))


def test_ignore_beats_extend_select() -> None:
    assert codes(Config(select=["C001"], extend_select=["C004"], ignore=["C004"])) == ["C001"]


def test_selection_changes_what_a_scan_reports(project: Path) -> None:
    full = dslint.scan(TOY_CHAT)
    assert full.count("C004") == 1 and full.count("L001") == 1 and full.count("L003") == 1
    only_chat = dslint.scan(TOY_CHAT, select=["C"])
    assert [r.code for r in only_chat.rules] == ["C004"]
    assert sorted(only_chat.rules_run) == CHAT_CODES
    # the structural and length rules find exactly those three on the toy set (the text and prompt rules find
    # more, see test_real_data.py): ignoring two of them by name and prefix leaves nothing
    structural = dslint.scan(TOY_CHAT, select=["F", "C", "L"])
    assert [r.code for r in structural.rules] == ["C004", "L001", "L003"]
    without = dslint.scan(TOY_CHAT, select=["F", "C", "L"], ignore=["assistant-before-user", "L"])
    assert [r.code for r in without.rules] == []
    assert sorted(without.rules_run) == [c for c in ALL_CODES if c[0] in "FC" and c != "C004"]
    assert without.passed


# -- severities and options ---------------------------------------------------------------------------------


def test_severity_per_rule_by_name_and_code(project: Path) -> None:
    write(
        project / "dslint.toml",
        """
        [severity]
        unknown-role = "warning"
        C004 = "info"
        C009 = "error"
        """,
    )
    active = active_rules(load_config())
    assert rule_of(active, "C001").severity is Severity.WARNING
    assert rule_of(active, "C004").severity is Severity.INFO
    assert rule_of(active, "C009").severity is Severity.ERROR
    assert rule_of(active, "C002").severity is Severity.ERROR  # untouched: its default
    assert rule_of(active, "C003").severity is Severity.WARNING


def test_severity_override_changes_the_verdict(project: Path) -> None:
    write(project / "dslint.toml", 'select = ["C004"]\n\n[severity]\nassistant-before-user = "warning"\n')
    report = dslint.scan(TOY_CHAT)
    assert report.count("C004") == 1
    assert report.rules[0].severity == "warning"
    assert report.rules[0].samples[0].severity == "warning"
    assert report.counts == {"error": 0, "warning": 1, "info": 0}
    assert report.passed


@pytest.mark.parametrize("table", ["too-many-tokens", "L001"])
def test_rule_options_by_name_or_code(project: Path, table: str) -> None:
    write(project / "dslint.toml", f"[rules.{table}]\nmax-tokens = 100\n")
    active = active_rules(load_config())
    rule = rule_of(active, "L001")
    assert isinstance(rule, TooManyTokens)
    assert rule.options.max_tokens == 100
    # the other rules keep their defaults
    assert rule_of(active, "L003").options.error_below == 10


def test_rule_options_change_what_a_scan_reports(project: Path) -> None:
    assert dslint.scan(TOY_CHAT, select=["L001"]).count("L001") == 1  # default 4096: only the banana example
    write(project / "dslint.toml", 'select = ["L001"]\n\n[rules.too-many-tokens]\nmax-tokens = 30\n')
    report = dslint.scan(TOY_CHAT)
    assert report.summary.max_tokens == 30
    tokens = report.summary.splits[0].tokens
    assert tokens.min < 30 < tokens.max
    assert 1 < report.count("L001") < 5


def test_config_options_merge_over_the_preset_options() -> None:
    active = active_rules(Config(preset="openai-chat"))
    assert rule_of(active, "L001").options.max_tokens == 16385
    active = active_rules(Config(preset="openai-chat", rules={"L001": {"max-tokens": 1000}}))
    assert rule_of(active, "L001").options.max_tokens == 1000
    active = active_rules(Config(preset="pretraining", severity={"too-many-tokens": "error"}))
    assert rule_of(active, "L001").severity is Severity.ERROR
    assert rule_of(active, "L001").options.max_tokens == 8192  # still the preset's


# -- per-file ignores ---------------------------------------------------------------------------------------


def test_per_file_ignores_resolve_codes_prefixes_and_names(project: Path) -> None:
    write(
        project / "dslint.toml",
        """
        [per-file-ignores]
        "*_draft.jsonl" = ["C", "too-many-tokens"]
        "legacy/*" = ["F007"]
        """,
    )
    active = active_rules(load_config())
    assert active.per_file_ignores == {
        "*_draft.jsonl": frozenset([*CHAT_CODES, "L001"]),
        "legacy/*": frozenset({"F007"}),
    }
    assert active.ignored_in("data/chat_draft.jsonl") == frozenset([*CHAT_CODES, "L001"])
    assert active.ignored_in("legacy/old.jsonl") == frozenset({"F007"})
    assert active.ignored_in("data/chat.jsonl") == frozenset()


def test_per_file_ignores_apply_only_to_matching_files(project: Path) -> None:
    data = project / "data"
    data.mkdir()
    shutil.copy(TOY_CHAT, data / "toy_draft.jsonl")
    shutil.copy(TOY_CHAT, data / "toy_final.jsonl")
    write(project / "dslint.toml", 'select = ["C004"]\n\n[per-file-ignores]\n"*_draft.jsonl" = ["C004"]\n')
    report = dslint.scan("data")
    assert report.count("C004") == 1
    assert [f.path for f in report.findings()] == [str(Path("data") / "toy_final.jsonl")]


def test_per_file_ignores_folder_glob_matches_an_absolute_path(project: Path) -> None:
    # `"data/*.jsonl"` in the project's config must match the same file however it is named on the command
    # line (ruff resolves per-file-ignores patterns against the project root).
    data = project / "data"
    data.mkdir()
    shutil.copy(TOY_CHAT, data / "toy.jsonl")
    write(project / "dslint.toml", 'select = ["C004"]\n\n[per-file-ignores]\n"data/*.jsonl" = ["C004"]\n')
    assert dslint.scan("data").count("C004") == 0  # relative path: ignored
    assert dslint.scan(str(data)).count("C004") == 0  # the same file by its absolute path


# -- presets ------------------------------------------------------------------------------------------------


def test_the_shipped_presets() -> None:
    assert available_presets() == ["default", "openai-chat", "pretraining", "prompt-completion"]


@pytest.mark.parametrize("name", ["default", "openai-chat", "prompt-completion", "pretraining"])
def test_each_preset_applies_what_its_toml_says(name: str) -> None:
    data = tomllib.loads((presets_dir() / f"{name}.toml").read_text(encoding="utf-8"))
    rules = all_rules()
    by_key = {key: code for code, cls in rules.items() for key in (code, cls.name)}
    ignored = {
        code
        for sel in data.get("ignore", [])
        for code, cls in rules.items()
        if sel in ("ALL", cls.name) or code.startswith(sel)
    }

    active = active_rules(Config(preset=name))
    assert load_preset(name).select == data.get("select")
    assert sorted(r.code for r in active.rules) == sorted(set(rules) - ignored)
    for key, severity in data.get("severity", {}).items():
        assert rule_of(active, by_key[key]).severity == Severity.parse(severity)
    for key, options in data.get("rules", {}).items():
        rule = rule_of(active, by_key[key])
        for option, value in options.items():
            assert getattr(rule.options, option.replace("-", "_")) == value
    untouched = set(rules) - ignored - {by_key[k] for k in data.get("severity", {})}
    for code in untouched:
        assert rule_of(active, code).severity == rules[code].default_severity


def test_presets_differ() -> None:
    def summary(name: str) -> dict[str, tuple[str, object]]:
        active = active_rules(Config(preset=name))
        return {r.code: (str(r.severity), r.options.model_dump()) for r in active.rules}

    default, openai, completion, pretraining = map(
        summary, ["default", "openai-chat", "prompt-completion", "pretraining"]
    )
    assert sorted(default) == ALL_CODES
    assert default["L001"][1] == {"max_tokens": 4096}
    assert openai["L001"][1] == {"max_tokens": 16385}
    assert (default["C003"][0], openai["C003"][0]) == ("warning", "warning")
    assert (default["C006"][0], openai["C006"][0]) == ("warning", "error")
    assert (default["C009"][0], openai["C009"][0]) == ("info", "warning")
    assert completion["L001"][1] == {"max_tokens": 2048}
    assert {"C001", "C004", "C006"}.isdisjoint(completion)
    assert {"C007", "C008", "C009", "L002"} <= set(completion)
    assert {"C001", "C004", "L002"}.isdisjoint(pretraining)
    assert pretraining["L001"] == ("info", {"max_tokens": 8192})
    assert pretraining["L003"][0] == "warning"


def test_preset_from_a_config_file(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.dslint]\npreset = "prompt-completion"\n')
    active = active_rules(load_config())
    assert "C004" not in {r.code for r in active.rules}
    assert rule_of(active, "L001").options.max_tokens == 2048


# -- errors: a ConfigError naming the file and the line ------------------------------------------------------


def test_invalid_toml(project: Path) -> None:
    path = write(project / "dslint.toml", 'fail-on = "error"\nselect = [C001]\n')
    err = config_error(path)
    assert (err.path, err.line) == (str(path), 2)
    assert str(err).startswith(f"{path}:2: invalid TOML")


def test_invalid_toml_in_pyproject_during_discovery(project: Path) -> None:
    path = write(project / "pyproject.toml", '[tool.dslint]\nfail-on = "error\n')
    with pytest.raises(ConfigError) as info:
        load_config()
    assert (info.value.path, info.value.line) == (str(path), 2)


def test_unknown_key(project: Path) -> None:
    path = write(project / "dslint.toml", 'preset = "default"\nfail_onn = "warning"\n')
    err = config_error(path)
    assert (err.path, err.line) == (str(path), 2)
    assert "fail_onn" in str(err)
    assert str(err).startswith(f"{path}:2: ")


def test_unknown_key_in_pyproject_counts_lines_of_the_whole_file(project: Path) -> None:
    path = write(
        project / "pyproject.toml",
        """
        [project]
        name = "x"

        [tool.dslint]
        fail-on = "warning"
        sampel-size = 3
        """,
    )
    err = config_error(path)
    assert (err.path, err.line) == (str(path), 6)
    assert "sampel-size" in err.message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('fail-on = "error"\nsample-size = "many"\n', 2, ["sample-size", "integer"]),
        ('sample-size = 3\nfail-on = "fatal"\n', 2, ["fail-on"]),
        ('jobs = 2\nselect = "C001"\n', 2, ["select", "list"]),
        ("jobs = 0\n", 1, ["jobs"]),
        ('fail-on = "error"\n\n[severity]\nC001 = "fatal"\n', 4, ["C001"]),
        ('fail-on = "error"\nrules = 3\n', 2, ["rules"]),
    ],
)
def test_bad_value_type(project: Path, text: str, line: int, words: list[str]) -> None:
    path = write(project / "dslint.toml", text)
    err = config_error(path)
    assert (err.path, err.line) == (str(path), line)
    for word in words:
        assert word in err.message


def test_unknown_rule_in_select_lists_close_matches(project: Path) -> None:
    path = write(project / "dslint.toml", 'fail-on = "error"\nselect = ["C0011", "L001"]\n')
    err = config_error(path)
    assert (err.path, err.line) == (str(path), 2)
    assert "C0011" in err.message
    assert "did you mean" in err.message and "C001" in err.message


@pytest.mark.parametrize(
    ("text", "line", "bad", "close"),
    [
        ('jobs = 1\nignore = ["unknown-rol"]\n', 2, "unknown-rol", "unknown-role"),
        ('jobs = 1\nextend-select = ["L0001"]\n', 2, "L0001", "L001"),
        ('jobs = 1\n\n[severity]\nassistant-before-usr = "info"\n', 4, "assistant-before-usr", "assistant-before-user"),
        ("jobs = 1\n\n[rules.too-many-token]\nmax-tokens = 10\n", 3, "too-many-token", "too-many-tokens"),
        ('jobs = 1\n\n[per-file-ignores]\n"*.jsonl" = ["C0044"]\n', 4, "C0044", "C004"),
    ],
)
def test_unknown_rule_anywhere(project: Path, text: str, line: int, bad: str, close: str) -> None:
    path = write(project / "dslint.toml", text)
    err = config_error(path)
    assert (err.path, err.line) == (str(path), line)
    assert repr(bad) in err.message
    assert close in err.message


def test_unknown_rule_from_overrides_has_no_file() -> None:
    with pytest.raises(ConfigError, match=r"select: unknown rule 'C0011'; did you mean .*C001"):
        active_rules(Config(select=["C0011"]))


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ("max-tokens = -1", ["L001", "max-tokens", "greater than 0"]),
        ('max-tokens = "long"', ["L001", "max-tokens"]),
        ("max-tokenz = 10", ["L001", "max-tokenz"]),
    ],
)
def test_bad_rule_options(project: Path, options: str, words: list[str]) -> None:
    path = write(project / "dslint.toml", f'fail-on = "error"\n\n[rules.too-many-tokens]\n{options}\n')
    err = config_error(path)
    assert (err.path, err.line) == (str(path), 4)
    for word in words:
        assert word in err.message


def test_bad_rule_options_in_pyproject(project: Path) -> None:
    path = write(
        project / "pyproject.toml",
        """
        [tool.dslint]
        fail-on = "error"

        [tool.dslint.rules.L003]
        error-below = -5
        """,
    )
    err = config_error(path)
    assert (err.path, err.line) == (str(path), 5)
    assert "error-below" in err.message


def test_unknown_preset_names_file_and_line(project: Path) -> None:
    path = write(project / "dslint.toml", 'fail-on = "error"\npreset = "defualt"\n')
    err = config_error(path)
    assert "unknown preset 'defualt'" in err.message
    assert "default" in err.message
    assert (err.path, err.line) == (str(path), 2)


def test_unknown_preset_without_a_file_lists_the_presets() -> None:
    with pytest.raises(ConfigError, match=r"unknown preset 'nope' \(available: default, openai-chat"):
        active_rules(Config(preset="nope"))
    with pytest.raises(ConfigError, match="did you mean openai-chat"):
        load_preset("openai-chatt")


def test_unknown_encoding_names_file_and_line(project: Path) -> None:
    path = write(project / "dslint.toml", 'fail-on = "error"\nencoding = "p50k_base"\n')
    err = config_error(path)
    assert "p50k_base" in err.message
    assert "o200k_base" in err.message and "cl100k_base" in err.message
    assert (err.path, err.line) == (str(path), 2)


def test_unknown_encoding_from_overrides() -> None:
    with pytest.raises(ConfigError, match=r"encoding: unknown 'gpt2' \(available: cl100k_base, o200k_base\)"):
        active_rules(Config(encoding="gpt2"))


def test_tool_dslint_must_be_a_table(project: Path) -> None:
    path = write(project / "pyproject.toml", '[tool]\ndslint = "strict"\n')
    with pytest.raises(ConfigError, match="must be a table") as info:
        load_config(path)
    assert (info.value.path, info.value.line) == (str(path), 2)


def test_config_error_str_names_file_and_line() -> None:
    err = ConfigError("something is wrong", "/p/dslint.toml", 7)
    assert str(err) == "/p/dslint.toml:7: something is wrong"
    assert str(ConfigError("bad", "/p/dslint.toml")) == "/p/dslint.toml: bad"
    assert str(ConfigError("bad")) == "bad"
