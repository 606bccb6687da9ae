"""The floor: the least work any scan that counts tokens must do, parse every line and tokenize every message.

Why: dslint's scan cannot be faster than reading the JSONL with orjson and counting the tokens of every message
content with the same offline token counter (`dslint.text.tokenizer.TokenCounter`: toktok, or tiktoken where
toktok has no wheel; `--counter tiktoken` counts with tiktoken itself, the yardstick the targets were set
with before dslint counted with toktok). The
ratio scan/floor is then the overhead of everything else (normalisation, rules, summary, report) and does not
depend on the machine as much as seconds do.

With `--jobs J > 1` each file is cut into J byte ranges on line boundaries and the ranges are counted by J
processes, the best a single-file scan could do with J cores. Prints one JSON object with the totals.

    python benchmarks/floor.py corpus.jsonl --jobs 2
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import sys
from pathlib import Path

import orjson

from dslint.text.tokenizer import TokenCounter, get_encoding

#: Tokens a chat template adds per message and for the reply primer, as dslint counts them.
TOKENS_PER_TURN = 3
TOKENS_PER_REPLY_PRIMER = 3

Range = tuple[str, int, int, str, str]  # path, start, stop, encoding, counter
Totals = tuple[int, int, int, int]  # records, messages, content tokens, bytes


def byte_ranges(path: Path, parts: int) -> list[tuple[int, int]]:
    """`parts` byte ranges covering the file, each starting at the beginning of a line."""
    size = path.stat().st_size
    cuts = [0]
    with path.open("rb") as fh:
        for k in range(1, parts):
            fh.seek(max(cuts[-1], (k * size) // parts))
            if fh.tell() > 0:
                fh.seek(fh.tell() - 1)
                fh.readline()  # finish the line the cut fell into
            cuts.append(min(fh.tell(), size))
    cuts.append(size)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def count_range(task: Range) -> Totals:
    """Parse the lines in [start, stop) and count the tokens of every message content."""
    path, start, stop, encoding, counter = task
    if counter == "dslint":
        count = TokenCounter(encoding).count
    else:
        encode = get_encoding(encoding).encode_ordinary  # tiktoken's own encoder (dslint's offline copy)

        def count(text: str) -> int:
            return len(encode(text))

    loads = orjson.loads
    records = messages = tokens = 0
    with open(path, "rb") as fh:
        fh.seek(start)
        pos = start
        for line in fh:
            pos += len(line)
            if line.strip():
                obj = loads(line)
                records += 1
                for msg in obj["messages"]:
                    messages += 1
                    content = msg.get("content")
                    if isinstance(content, str) and content:
                        tokens += count(content)
            if pos >= stop:
                break
    return records, messages, tokens, pos - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="JSONL files (OpenAI chat records)")
    parser.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    parser.add_argument("--encoding", default="o200k_base", help="tiktoken encoding (default o200k_base)")
    parser.add_argument(
        "--counter",
        choices=("dslint", "tiktoken"),
        default="dslint",
        help="count with dslint's counter (default) or with tiktoken's own encoder",
    )
    args = parser.parse_args(argv)

    tasks: list[Range] = [
        (str(path), start, stop, args.encoding, args.counter)
        for path in args.paths
        for start, stop in byte_ranges(path, args.jobs)
    ]
    if args.jobs <= 1:
        results = [count_range(t) for t in tasks]
    else:
        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        with ctx.Pool(min(args.jobs, len(tasks))) as pool:
            results = pool.map(count_range, tasks, chunksize=1)
    records, messages, tokens, size = (sum(col) for col in zip(*results, strict=True))
    total_tokens = tokens + TOKENS_PER_TURN * messages + TOKENS_PER_REPLY_PRIMER * records
    out = {
        "records": records,
        "messages": messages,
        "content_tokens": tokens,
        "tokens_with_template": total_tokens,
        "bytes": size,
        "jobs": args.jobs,
    }
    print(orjson.dumps(out).decode())


if __name__ == "__main__":
    main()
