from dslint.records import Severity
from dslint.rules.base import InputRule


class InvalidUtf8(InputRule):
    """Bytes that are not valid UTF-8.

    **What it does**: reports the line and byte offset of the first invalid UTF-8 sequence. The row is still
    scanned, with the bad bytes read as U+FFFD, so its other problems are reported too.

    **Why it matters**: JSON must be UTF-8. Readers either fail the whole file or replace the bytes silently,
    and the model then learns replacement characters.

    **Example**: a Latin-1 `café` written as the single byte `0xe9`.

    **Fix**: re-encode the file as UTF-8 from its real source encoding (e.g. `iconv -f latin1 -t utf-8`).
    """

    code = "F003"
    name = "invalid-utf8"
    default_severity = Severity.ERROR
