from dslint.records import Fix, Severity
from dslint.rules.prompt.separator_consensus import TrailingConsensus


class StopConsensus(TrailingConsensus):
    """Completions that do not end with the dataset's common stop sequence, or a dataset without one.

    **What it does**: for legacy prompt/completion records, reads each completion's trailing marker (the
    whitespace and stop tokens at its end, such as `"\\n\\nEND\\n\\n"`, `" END"`, `"###"` or `"\\n"`; stop words
    like `END`, `STOP`, `[END]`, `</s>` count, a sentence's own `.` does not) and finds the dataset's stop
    sequence by consensus: the marker that ends more completions than any other, and at least `min-share`
    (default half) of them. Each file's completions that end otherwise are reported as one finding per file and
    marker, with the exact count and the first rows. When no stop sequence is common, one finding says so and
    suggests one that occurs in no completion (`" END"`, `"\\n"` when no completion has a line break, `" ###"`...),
    unless every completion is a single short word (a classification set, generated with `max_tokens=1`).
    That finding is a warning: trainers that append their own end-of-sequence token need no stop sequence.

    **Why it matters**: the stop sequence is how a fine-tuned base model learns to end its answer; at inference
    you pass it as `stop`. Completions that end differently teach two endings (or none), so generation runs
    on until the token limit, or stops where the other convention would.

    **Example**: 549 completions end with `"\\n\\nEND\\n\\n"` and 413 from another file with `"\\n\\nEND"`.

    **Fix**: end every completion with the dataset's stop sequence. `dslint clean` does it (safe): it replaces
    the deviating completion's trailing marker with the common one, and leaves records it cannot fix cleanly
    alone.
    """

    code = "P002"
    name = "inconsistent-stop-sequence"
    default_severity = Severity.ERROR
    fix_applicability = Fix.SAFE

    field = "completion"
    noun = "completion"
    what = "stop sequence"
    candidates = (" END", "\n", " ###", " ***", " +++", " &&&", " $$$", " @@@", " %%%")
    single_line = frozenset({"\n"})
    skip_labels = True
