from dslint.records import Severity
from dslint.rules.base import InputRule


class InvalidJson(InputRule):
    """A line (or a whole JSON file) that is not valid JSON.

    **What it does**: reports every line of a JSONL file that does not parse, with its line number and byte
    offset, and goes on scanning the rest. For a `.json` file the whole file must parse; for `.gz`/`.zst` files a
    stream that breaks off is reported here too.

    **Why it matters**: most trainers either crash on the first bad line or skip it silently, so an example you
    meant to train on is lost without a word.

    **Example**: `{"messages": [{"role": "user", "content": "hi"}` (missing the closing `]}`).

    **Fix**: repair the line by hand; `dslint clean` moves it to the rejects file verbatim.
    """

    code = "F001"
    name = "invalid-json"
    default_severity = Severity.ERROR
