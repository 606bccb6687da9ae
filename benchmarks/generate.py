"""Generate a deterministic OpenAI-chat JSONL corpus for benchmarks, built from real sentences.

Why: a throughput number is only comparable if everyone scans the same bytes, and only meaningful if the text
looks like training data (real prose, realistic lengths, non-ASCII punctuation), because token counting costs
per byte and per kind of text. So the sentences come from the datasets shipped in this repository, and the
assembly uses one `random.Random(seed)`: the same arguments give byte-identical output on any machine.

Records are written as they are made (bounded memory, so 1M records are fine) into a temporary file that is
renamed at the end: a corpus file that exists is complete.

A test split (`--test-records`) is built from held-out sentences that train never uses (every tenth sentence
of the pool, system prompts included), plus a few exact copies of train records: planted leaks, listed in
`test-leaks.tsv` (train line, test line) as ground truth for a leakage benchmark. The leaked train records are
built from held-out sentences too: the train pool's sentences recur in hundreds of train records each (a
generator's artefact), so a leaked copy of an ordinary train record would share 13-grams with ~45% of train,
where a real leak's text occurs in train once. Train output is the same with or without a test split but for
those rows.

    python benchmarks/generate.py --records 200000 --out benchmarks/out/chat-200000-s0.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]

#: Folders whose datasets give the sentence pool (relative to the repo root; files are read in sorted order).
SOURCE_DIRS = (
    "examples/anthropic_json_mode_chat",
    "examples/oai_toy_chat",
    "tests/data/lf_c4_demo",
    "tests/data/nerre_prompt_completion",
    "tests/data/fastchat_dummy_conv",
    "tests/data/lf_identity",
    "tests/data/lf_glaive_toolcall",
)

SYSTEM_PROMPTS = 40  # distinct system prompts per split: real datasets reuse a few
HELD_OUT_EVERY = 10  # every tenth pool sentence is reserved for the test split
USER_SENTENCES = (1, 4)
ASSISTANT_SENTENCES = (2, 12)
EXCHANGES = (1, 3)
PARAGRAPH_BREAK = 0.2  # chance that two assistant sentences are separated by a blank line
WRITE_BATCH = 4096  # records joined per write() call

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value, in document order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _rows(path: Path) -> Iterator[Any]:
    """The rows of a .jsonl (bad lines skipped) or .json file."""
    data = path.read_bytes()
    if path.suffix == ".json":
        try:
            yield orjson.loads(data)
        except orjson.JSONDecodeError:
            return
        return
    for line in data.splitlines():
        try:
            yield orjson.loads(line)
        except orjson.JSONDecodeError:
            continue


def _is_prose(sentence: str) -> bool:
    """A sentence worth reusing: a few words, mostly letters, no JSON or template placeholders."""
    if not 20 <= len(sentence) <= 400 or len(sentence.split()) < 4:
        return False
    if sentence[0] in "{[" or "{{" in sentence or "###" in sentence:
        return False
    return len(_LETTERS.findall(sentence)) >= 0.6 * len(sentence)


def sentence_pool(root: Path = ROOT) -> list[str]:
    """Distinct prose sentences of the shipped datasets, in a stable order."""
    pool: dict[str, None] = {}
    for folder in SOURCE_DIRS:
        files = sorted(p for p in (root / folder).rglob("*") if p.suffix in (".jsonl", ".json"))
        for path in files:
            for row in _rows(path):
                for text in _strings(row):
                    if text.lstrip()[:1] in ("{", "["):
                        continue  # JSON answers and tool schemas are not prose
                    for para in text.splitlines():
                        for sentence in _SENTENCE_END.split(para.strip()):
                            sentence = sentence.strip()
                            if _is_prose(sentence):
                                pool[sentence] = None
    if not pool:
        sys.exit(f"generate.py: no sentences found under {root} ({', '.join(SOURCE_DIRS)})")
    return list(pool)


class ChatMaker:
    """Assembles chat records from a sentence pool with one seeded RNG."""

    def __init__(self, sentences: list[str], rng: random.Random) -> None:
        self.sentences = sentences
        self.rng = rng
        self.systems = [self._join(rng.randint(1, 2)) for _ in range(SYSTEM_PROMPTS)]

    def _join(self, n: int, paragraphs: bool = False) -> str:
        picked = self.rng.choices(self.sentences, k=n)
        if not paragraphs:
            return " ".join(picked)
        parts = [picked[0]]
        for s in picked[1:]:
            parts.append("\n\n" if self.rng.random() < PARAGRAPH_BREAK else " ")
            parts.append(s)
        return "".join(parts)

    def record(self) -> bytes:
        """One JSONL line: a system prompt and 1-3 user/assistant exchanges."""
        rng = self.rng
        messages = [{"role": "system", "content": rng.choice(self.systems)}]
        for _ in range(rng.randint(*EXCHANGES)):
            messages.append({"role": "user", "content": self._join(rng.randint(*USER_SENTENCES))})
            messages.append({"role": "assistant", "content": self._join(rng.randint(*ASSISTANT_SENTENCES), True)})
        return orjson.dumps({"messages": messages}) + b"\n"


def _atomic_writer(path: Path) -> tuple[Any, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    return os.fdopen(fd, "wb"), tmp


def write_lines(lines: Iterator[bytes], path: Path) -> tuple[int, int]:
    """Write lines to `path` atomically, in batches; returns (lines, bytes)."""
    fh, tmp = _atomic_writer(path)
    n = size = 0
    try:
        with fh:
            batch: list[bytes] = []
            for line in lines:
                batch.append(line)
                if len(batch) == WRITE_BATCH:
                    size += fh.write(b"".join(batch))
                    n += len(batch)
                    batch.clear()
            size += fh.write(b"".join(batch))
            n += len(batch)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a corpus is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n, size


def generate(
    records: int, out: Path, seed: int = 0, shards: int = 1, test_records: int = 0, leaks: int | None = None
) -> dict[str, Any]:
    """Write the corpus (one file, or `shards` files in the folder `out`) and the optional test split."""
    pool = sentence_pool()
    train_pool = [s for i, s in enumerate(pool) if i % HELD_OUT_EVERY != HELD_OUT_EVERY - 1]
    test_pool = [s for i, s in enumerate(pool) if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1]
    maker = ChatMaker(train_pool, random.Random(seed))

    n_leaks = 0 if test_records <= 0 else (max(1, test_records // 100) if leaks is None else leaks)
    n_leaks = min(n_leaks, records, test_records)
    leak_rows = {(j * records) // n_leaks: j for j in range(n_leaks)} if n_leaks else {}
    leaked: list[bytes] = [b""] * n_leaks
    leak_maker = ChatMaker(test_pool, random.Random(f"dslint-benchmark-leak-{seed}"))

    def train_lines(start: int, stop: int) -> Iterator[bytes]:
        for row in range(start, stop):
            line = maker.record()  # made for every row, so the other rows do not depend on the leaks
            if row in leak_rows:
                line = leaked[leak_rows[row]] = leak_maker.record()
            yield line

    files: list[Path] = []
    n = size = 0
    if shards <= 1:
        files.append(out)
        n, size = write_lines(train_lines(0, records), out)
    else:
        out.mkdir(parents=True, exist_ok=True)
        for k in range(shards):
            part = out / f"part-{k:05d}.jsonl"
            files.append(part)
            rows = train_lines((k * records) // shards, ((k + 1) * records) // shards)
            pn, psize = write_lines(rows, part)
            n, size = n + pn, size + psize

    result: dict[str, Any] = {
        "records": n,
        "bytes": size,
        "files": [str(f) for f in files],
        "pool_sentences": len(pool),
        "pool_sha256": hashlib.sha256("\n".join(pool).encode()).hexdigest()[:16],
    }
    if test_records > 0:
        test_path = out.parent / "test.jsonl"
        test_maker = ChatMaker(test_pool, random.Random(f"dslint-benchmark-test-{seed}"))
        # Leak j goes to test row (j * test_records) // n_leaks, so leaks are spread through the split.
        test_leak_rows = {(j * test_records) // n_leaks: j for j in range(n_leaks)} if n_leaks else {}

        def test_lines() -> Iterator[bytes]:
            for row in range(test_records):
                j = test_leak_rows.get(row)
                yield leaked[j] if j is not None else test_maker.record()

        tn, tsize = write_lines(test_lines(), test_path)
        train_row_of = {j: row for row, j in leak_rows.items()}
        tsv = "train_line\ttest_line\n" + "".join(
            f"{train_row_of[j] + 1}\t{row + 1}\n" for row, j in sorted(test_leak_rows.items())
        )
        (out.parent / "test-leaks.tsv").write_text(tsv)
        result["test"] = {"path": str(test_path), "records": tn, "bytes": tsize, "leaks": n_leaks}
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000, help="train records (default 200000)")
    parser.add_argument("--out", type=Path, required=True, help="output .jsonl file (a folder with --shards > 1)")
    parser.add_argument("--seed", type=int, default=0, help="RNG seed (default 0)")
    parser.add_argument("--shards", type=int, default=1, help="split train into K part-NNNNN.jsonl files in --out")
    parser.add_argument("--test-records", type=int, default=0, help="also write a sibling test.jsonl split")
    parser.add_argument("--leaks", type=int, default=None, help="train records copied into test (default 1%%)")
    args = parser.parse_args(argv)
    if args.records < 0 or args.test_records < 0 or args.shards < 1:
        parser.error("--records and --test-records must be >= 0, --shards >= 1")

    started = time.perf_counter()
    result = generate(args.records, args.out, args.seed, args.shards, args.test_records, args.leaks)
    took = time.perf_counter() - started
    mean = result["bytes"] / result["records"] if result["records"] else 0.0
    print(
        f"wrote {result['records']} records, {result['bytes']} bytes ({result['bytes'] / 1e6:.1f} MB), "
        f"mean {mean:.0f} bytes/record -> {args.out} in {took:.1f}s "
        f"(pool: {result['pool_sentences']} sentences, sha256 {result['pool_sha256']})"
    )
    if "test" in result:
        t = result["test"]
        print(f"wrote {t['records']} test records, {t['bytes']} bytes, {t['leaks']} leaked -> {t['path']}")


if __name__ == "__main__":
    main()
