"""One huge turn: does the scan stay linear in the length of a single text?

Why: the text rules look at the line or the code span around each match (is this `{name}` on a line of
string-formatting code, is this run of spaces in a table row). Done naively that re-reads the line for every
match, which is invisible on chat turns and quadratic on one long line: a 7.9 MB single-line turn of shuffled
README words once took 420 s. This script writes such records at two sizes, scans each (all rules, in a fresh
subprocess, `--profile`) and prints the seconds of work per MB at both sizes (the profile's total: reading,
tokenizing and rules, without the start-up), with the slowest rules: a linear scan keeps seconds per MB about the
same, a quadratic one multiplies it by the size ratio.

    python benchmarks/long_record.py               # 1 MB and 4 MB of text
    python benchmarks/long_record.py --mb 2 8
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson
from run import dslint_command

ROOT = Path(__file__).resolve().parent.parent


def long_record(size: int, seed: int = 0) -> bytes:
    """A chat record whose reply is `size` characters of README words in random order, on one line: markdown,
    code spans, braces, pipes and punctuation, the characters the text rules look around."""
    words = (ROOT / "README.md").read_text(encoding="utf-8").split()
    rng = random.Random(seed)
    parts, length = [], 0
    while length < size:
        word = rng.choice(words)
        parts.append(word)
        length += len(word) + 1
    reply = " ".join(parts)[:size]
    record = {"messages": [{"role": "user", "content": "Summarise this."}, {"role": "assistant", "content": reply}]}
    return orjson.dumps(record) + b"\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, nargs=2, default=[1.0, 4.0], help="the two text sizes, in MB")
    args = parser.parse_args(argv)
    rates = []
    with tempfile.TemporaryDirectory() as tmp:
        for mb in args.mb:
            path = Path(tmp) / f"long-{mb:g}.jsonl"
            path.write_bytes(long_record(int(mb * 1_000_000)))
            done = subprocess.run(
                [*dslint_command(), "scan", str(path), "--format", "json", "--exit-zero", "--profile"],
                capture_output=True,
                check=True,
            )
            profile = orjson.loads(done.stdout)["profile"]
            seconds = sum(profile.values())
            slowest = sorted(profile.items(), key=lambda kv: -kv[1])[:4]
            rates.append(seconds / mb)
            shown = ", ".join(f"{code} {s:.2f} s" for code, s in slowest)
            print(f"{mb:g} MB: {seconds:.2f} s ({seconds / mb:.2f} s/MB); slowest: {shown}")
    growth = rates[1] / rates[0]
    size_ratio = args.mb[1] / args.mb[0]
    print(f"s/MB grew {growth:.2f}x for {size_ratio:g}x the text (linear: ~1x; quadratic: ~{size_ratio:g}x)")
    if growth > 1.5:
        sys.exit("looks superlinear")


if __name__ == "__main__":
    main()
