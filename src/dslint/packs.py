"""Rule packs: the declarative files in the top-level `rules/` folder (presets, pattern lists, lexicons).

They ship inside the wheel as `dslint/packs/`; in a source checkout they are read from `rules/` directly.
"""

from __future__ import annotations

import functools
import sys
from importlib import resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def packs_root() -> Path:
    packaged = Path(str(resources.files("dslint"))) / "packs"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


@functools.cache
def load_pack(name: str) -> dict[str, Any]:
    """A TOML pack by its path under the packs folder, e.g. `lexicons/control-tokens.toml`."""
    with (packs_root() / name).open("rb") as fh:
        return tomllib.load(fh)
