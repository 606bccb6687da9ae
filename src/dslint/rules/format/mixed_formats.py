from collections import Counter
from collections.abc import Iterator

from dslint.records import Finding, Location, Record, Severity
from dslint.rules.base import DatasetRule

#: Per file: format -> (count, first row, first line).
FormatState = dict[str, dict[str, tuple[int, int | None, int | None]]]


class MixedFormats(DatasetRule[FormatState]):
    """Several dataset formats mixed in one file.

    **What it does**: counts each record's format per file and reports files where more than one known format
    occurs, with the count of each and where each first appears.

    **Why it matters**: trainers pick one format per file (often from the first record) and then mis-read or
    drop the others, e.g. Alpaca rows inside a chat file become empty conversations.

    **Example**: a chat JSONL where 30 rows are `{"prompt": ..., "completion": ...}`.

    **Fix**: convert the minority rows to the file's main format, or split the file.
    """

    code = "F007"
    name = "mixed-formats"
    default_severity = Severity.WARNING

    def new_state(self) -> FormatState:
        return {}

    def update(self, state: FormatState, record: Record) -> FormatState:
        if record.format == "unknown":
            return state
        per_file = state.setdefault(record.location.path, {})
        count, row, line = per_file.get(record.format, (0, record.location.row, record.location.line))
        per_file[record.format] = (count + 1, row, line)
        return state

    def merge(self, a: FormatState, b: FormatState) -> FormatState:
        out = {path: dict(formats) for path, formats in a.items()}
        for path, formats in b.items():
            mine = out.setdefault(path, {})
            for fmt, (count, row, line) in formats.items():
                c0, r0, l0 = mine.get(fmt, (0, row, line))
                first = min((r0, l0), (row, line), key=lambda pos: -1 if pos[0] is None else pos[0])
                mine[fmt] = (c0 + count, *first)
        return out

    def finalize(self, state: FormatState) -> Iterator[Finding]:
        for path, formats in sorted(state.items()):
            if len(formats) < 2:
                continue
            counts = Counter({fmt: c for fmt, (c, _, _) in formats.items()})
            main, _ = counts.most_common(1)[0]
            parts = ", ".join(f"{fmt}: {c}" for fmt, c in counts.most_common())
            for fmt, (count, row, line) in sorted(formats.items()):
                if fmt == main:
                    continue
                yield self.finding(
                    f"{count} {fmt} record(s) in a file that is mostly {main} ({parts}); first here",
                    Location(path, row=row, line=line),
                )
