"""README.md is the user's manual: its rule table and its example commands must stay true."""

import re
from pathlib import Path

from dslint.cli import rules_markdown

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_table_is_generated_from_the_docstrings() -> None:
    table = re.search(r"<!-- rules:start -->\n(.*?)\n<!-- rules:end -->", README, re.S)
    assert table is not None
    assert table.group(1) == rules_markdown(), "regenerate with: dslint rules --format markdown"


def test_quick_start_and_test_commands_are_there() -> None:
    scan = re.search(r"pip install -e \. && dslint scan (\S+)", README)
    assert scan is not None and (ROOT / scan.group(1)).is_file()
    assert 'pip install -e ".[test]" && pytest' in README
    assert 'pip install -e ".[test]" && pytest' in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
