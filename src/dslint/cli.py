"""The `dslint` command: thin. Parse options, call the API, render, exit.

Exit codes, as in ruff: 0 clean (or findings below `--fail-on`), 1 findings at or above `--fail-on`,
2 a usage, configuration or internal error.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from dslint.config import ActiveRules, Config, ConfigError, active_rules, available_presets, load_config
from dslint.engine.clean import CleanError
from dslint.engine.clean import clean as clean_sources
from dslint.engine.runner import ScanError, run
from dslint.io.sources import MANIFEST_NAME, Source, SourceSpecError, sources_from_paths
from dslint.report.github import render_github
from dslint.report.html import render_html
from dslint.report.model import Report
from dslint.report.text import render_text
from dslint.rules import PluginError, all_rules
from dslint.text.tokenizer import TokenizerError
from dslint.version import __version__

USER_ERRORS = (ConfigError, SourceSpecError, ScanError, PluginError, TokenizerError)
RENDERERS: dict[str, Callable[[Report], str]] = {
    "json": lambda r: r.to_json(),
    "github": render_github,
    "html": render_html,
}


def _fail(message: str) -> NoReturn:
    click.echo(f"dslint: error: {message}", err=True)
    sys.exit(2)


def _codes(values: tuple[str, ...]) -> list[str] | None:
    """`--select C001,C002 --select L` -> ["C001", "C002", "L"]; None when the flag was not given."""
    if not values:
        return None
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def _split_pairs(values: tuple[str, ...]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(f"expected NAME=PATH, got {value!r}", param_hint="--split")
        pairs[name] = path
    return pairs


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dslint")
def main() -> None:
    """dslint: lint LLM training datasets before you spend GPU hours on them."""


def _config_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options `scan` and `clean` share: what to read, and which rules with which settings."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(dir_okay=True)),
        click.option(
            "--split", "split_pairs", multiple=True, metavar="NAME=PATH", help="Add a file/folder as a split."
        ),
        click.option(
            "--reference",
            "references",
            multiple=True,
            type=click.Path(),
            help="A file/folder the dataset must not leak into (e.g. a public benchmark's test set).",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(),
            help="Config file (default: the nearest dslint.toml, or pyproject.toml with [tool.dslint]).",
        ),
        click.option("--preset", help="Preset to start from: " + ", ".join(available_presets()) + "."),
        click.option("--select", multiple=True, help="Rules to run (codes, prefixes, names, ALL); comma-separated."),
        click.option("--extend-select", multiple=True, help="Rules to add to the selection."),
        click.option("--ignore", multiple=True, help="Rules to leave out."),
        click.option(
            "--fail-on",
            type=click.Choice(["info", "warning", "error"]),
            help="Severity that fails a scan (and rejects a record in clean).",
        ),
        click.option("--max-tokens", type=click.IntRange(min=1), help="Longest example in tokens (too-many-tokens)."),
        click.option("--encoding", help="tiktoken encoding for token counts (o200k_base, cl100k_base)."),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1),
            help="Worker processes (files, or parts of a big JSON Lines file, are spread across them).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _prepare(opts: dict[str, Any]) -> tuple[Config, ActiveRules, list[Source]]:
    """Config, rules and sources from the shared options (raises the USER_ERRORS)."""
    splits = _split_pairs(opts.pop("split_pairs"))
    paths = opts.pop("paths")
    references = opts.pop("references")
    if not paths and not splits:
        raise click.UsageError("give at least one PATH (or --split NAME=PATH)")
    max_tokens = opts.pop("max_tokens")
    overrides: dict[str, Any] = {
        "preset": opts.pop("preset"),
        "select": _codes(opts.pop("select")),
        "extend_select": _codes(opts.pop("extend_select")),
        "ignore": _codes(opts.pop("ignore")),
        "fail_on": opts.pop("fail_on"),
        "encoding": opts.pop("encoding"),
        "jobs": opts.pop("jobs"),
        "sample_size": opts.pop("sample_size", None),
        "rules": {"too-many-tokens": {"max-tokens": max_tokens}} if max_tokens else None,
    }
    config = load_config(opts.pop("config_path"), overrides)
    return config, active_rules(config), sources_from_paths(paths, splits, references)


@main.command()
@_config_options
@click.option("--exit-zero", is_flag=True, help="Exit 0 whatever is found (advisory runs).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "html"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("--findings-out", type=click.Path(dir_okay=False), help="Write every finding to this JSONL file.")
@click.option("--sample-size", type=click.IntRange(min=0), help="Findings kept per rule in the report.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: when a terminal).")
@click.option("--profile", is_flag=True, help="Report the time spent reading, tokenizing and in each rule.")
def scan(
    exit_zero: bool,
    output_format: str,
    findings_out: str | None,
    color: bool | None,
    profile: bool,
    **opts: Any,
) -> None:
    """Scan dataset files or folders (JSONL, .jsonl.gz/.zst, JSON, Parquet) and report what is wrong."""
    try:
        config, rules, sources = _prepare(opts)
        report = run(sources, config, rules, findings_out, profile)
    except USER_ERRORS as exc:
        _fail(str(exc))
    except click.ClickException:
        raise
    except Exception as exc:  # never a traceback: say what broke and how to report it
        _fail(f"internal error: {type(exc).__name__}: {exc} (please report this with the command you ran)")
    if output_format == "text":
        use_color = sys.stdout.isatty() if color is None else color
        click.echo(render_text(report, color=use_color))
    else:
        click.echo(RENDERERS[output_format](report))
    sys.exit(0 if exit_zero else report.exit_code)


@main.command(name="clean")
@_config_options
@click.option(
    "--output",
    "-o",
    "out_dir",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder for the cleaned copy, the rejects file and the manifest.",
)
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that may change meaning.")
@click.option("--diff", is_flag=True, help="Write nothing; show what would change (exit 1 if anything would).")
@click.option(
    "--make-validation",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    metavar="FRACTION",
    help="Move this share of train (by near-duplicate group, stratified by label) to a new validation file.",
)
def clean_command(out_dir: str, unsafe_fixes: bool, diff: bool, make_validation: float | None, **opts: Any) -> None:
    """Write a cleaned copy: safe fixes applied, records with unresolved errors moved to a rejects file.

    Every input record is accounted for in dslint-manifest.json: kept, fixed (with the fixes applied) or
    rejected (in dslint-rejects.jsonl, with its reasons). Inputs are never modified.
    """
    try:
        config, rules, sources = _prepare(opts)
        result = clean_sources(sources, config, rules, out_dir, unsafe_fixes, diff, make_validation)
    except (*USER_ERRORS, CleanError) as exc:
        _fail(str(exc))
    except click.ClickException:
        raise
    except Exception as exc:  # never a traceback
        _fail(f"internal error: {type(exc).__name__}: {exc} (please report this with the command you ran)")
    t = result.manifest.totals
    if diff:
        click.echo(result.diff, nl=False)
    summary = f"{t['records']} records: {t['kept']} kept, {t['fixed']} fixed, {t['rejected']} rejected" + (
        "" if diff else f"; written to {out_dir} (see {MANIFEST_NAME})"
    )
    click.echo(summary, err=diff)
    sys.exit(1 if diff and result.changed else 0)


def _find_rule(code: str) -> Any:
    rules = all_rules()
    for cls in rules.values():
        if code in (cls.code, cls.name):
            return cls
    names = [*rules, *(c.name for c in rules.values())]
    close = difflib.get_close_matches(code, names, n=3, cutoff=0.5)
    _fail(f"unknown rule {code!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))


@main.command()
@click.argument("code")
def rule(code: str) -> None:
    """Show a rule's documentation (by code or name)."""
    cls = _find_rule(code)
    click.echo(f"{cls.code} {cls.name} (default severity: {cls.default_severity}, fix: {cls.fix_applicability.value})")
    click.echo()
    click.echo(cls.documentation())
    fields = cls.Options.model_fields
    if fields:
        click.echo("\nOptions:")
        for name, info in fields.items():
            default = info.get_default(call_default_factory=True)
            click.echo(f"  {name.replace('_', '-')} = {default!r}  {info.description or ''}")


@main.command(name="rules")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: the README's rule table.",
)
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity and summary."""
    if output_format == "markdown":
        click.echo(rules_markdown())
        return
    for cls in all_rules().values():
        click.echo(f"{cls.code}  {cls.name:<26} {cls.default_severity!s:<8} {cls.summary()}")


def rules_markdown() -> str:
    """The rule table for README.md, generated from the rule docstrings (a test keeps the README in sync)."""
    lines = ["| code | name | severity | fix | what it finds |", "| --- | --- | --- | --- | --- |"]
    for cls in all_rules().values():
        lines.append(
            f"| {cls.code} | `{cls.name}` | {cls.default_severity} | {cls.fix_applicability.value} | {cls.summary()} |"
        )
    return "\n".join(lines)


@main.command()
def schema() -> None:
    """Print the JSON Schema of `--format json` output."""
    import json

    click.echo(json.dumps(Report.model_json_schema(), indent=2))
