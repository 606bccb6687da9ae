from dslint.records import Severity
from dslint.rules.base import InputRule


class ByteOrderMark(InputRule):
    """A file that starts with a UTF-8 byte order mark (BOM).

    **What it does**: reports a leading `EF BB BF`; dslint reads past it, many JSON readers do not.

    **Why it matters**: strict JSON parsers reject the first line, so the first example is lost or the whole
    load fails (Python's `json.loads` raises on it).

    **Example**: a JSONL file saved by a Windows editor "as UTF-8 with BOM".

    **Fix**: save as UTF-8 without BOM (`sed -i '1s/^\\xEF\\xBB\\xBF//' file.jsonl`).
    """

    code = "F004"
    name = "byte-order-mark"
    default_severity = Severity.WARNING
