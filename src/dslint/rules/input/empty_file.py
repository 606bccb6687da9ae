from dslint.records import Severity
from dslint.rules.base import InputRule


class EmptyFile(InputRule):
    """A file with no records: zero bytes, only blank lines, an empty JSON array or a Parquet file with no rows.

    **What it does**: reports the file.

    **Why it matters**: an empty split usually means an export or a glob went wrong; training or evaluating on
    it silently measures nothing.

    **Example**: `valid.jsonl` of size 0 after an interrupted export.

    **Fix**: regenerate the file, or stop passing it.
    """

    code = "F005"
    name = "empty-file"
    default_severity = Severity.ERROR
