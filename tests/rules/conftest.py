"""Rule fixture tests run in an empty working directory, so no `dslint.toml`/`pyproject.toml` is discovered."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
