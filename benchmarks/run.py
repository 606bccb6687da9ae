"""Throughput benchmark: `dslint scan` against the floor (orjson parse + token count) on the same corpus.

Why: the acceptance target is a scan within 1.5x of the floor's time on 200k chat records. Each measurement
runs in a fresh subprocess (imports, tokenizer loading and all, as a user pays them), so its time and peak RSS
are its own: the RSS comes from `os.wait4` on that child, which reports the largest resident set of the child
and of any worker processes it waited for (the largest single process, not a sum over processes).

    python benchmarks/run.py --records 200000
    python benchmarks/run.py --records 200000 --jobs 2 --shards 2

Without `--corpus`, the corpus is generated into benchmarks/out/ (git-ignored) and reused when a file for the
same records/seed/shards is already there. Results go to benchmarks/out/results.json, one entry per setup.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from dslint.io.sources import expand_path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
#: The issues' targets: structural rules alone within 1.5x of the floor, any larger rule set within 2x.
STRUCTURAL = {"F", "C", "L"}
TARGET_STRUCTURAL, TARGET_RULES = 1.5, 2.0


@dataclass
class Run:
    """One timed subprocess."""

    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    stdout: bytes


@dataclass
class Result:
    """The best of `repeat` runs of one command, with throughput."""

    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    records_per_s: float
    mb_per_s: float
    all_seconds: list[float]


def measure(cmd: list[str]) -> Run:
    """Run `cmd` to completion; wall time, CPU time and peak RSS of it and the workers it waited for."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed with exit code {proc.returncode}:\n{err.read().decode(errors='replace')}")
        return Run(
            seconds=seconds,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            peak_rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
            stdout=out.read(),
        )


def best(runs: list[Run], records: int, size: int) -> Result:
    """The fastest run's time (least noise), the largest RSS seen (a peak is a peak)."""
    fastest = min(runs, key=lambda r: r.seconds)
    return Result(
        seconds=round(fastest.seconds, 3),
        cpu_seconds=round(fastest.cpu_seconds, 3),
        peak_rss_mib=round(max(r.peak_rss_mib for r in runs), 1),
        records_per_s=round(records / fastest.seconds, 1),
        mb_per_s=round(size / 1e6 / fastest.seconds, 2),
        all_seconds=[round(r.seconds, 3) for r in runs],
    )


def corpus_files(corpus: Path) -> list[Path]:
    """The files `dslint scan corpus` reads (dslint's own listing), so the floor reads the same ones."""
    if not corpus.exists():
        return []
    files: list[Path] = expand_path(corpus)
    others = [f for f in files if not f.name.endswith(".jsonl")]
    if others:
        sys.exit(f"{corpus}: the floor reads plain .jsonl only, but the scan would also read {others[0]}")
    return files


def ensure_corpus(records: int, seed: int, shards: int) -> Path:
    """The generated corpus for these settings, generating it first when it is not there yet."""
    name = f"chat-{records}-s{seed}" + (f"-k{shards}" if shards > 1 else "")
    path = OUT / (name if shards > 1 else f"{name}.jsonl")
    complete = (path.is_dir() and len(list(path.glob("part-*.jsonl"))) == shards) or path.is_file()
    if complete:
        print(f"reusing {path.relative_to(ROOT)}")
        return path
    cmd = [sys.executable, str(HERE / "generate.py"), "--records", str(records), "--seed", str(seed)]
    cmd += ["--out", str(path), "--shards", str(shards)]
    subprocess.run(cmd, check=True)
    return path


def dslint_command() -> list[str]:
    """The installed `dslint` console script: the path a user takes."""
    script = Path(sys.executable).parent / "dslint"
    found = str(script) if script.exists() else shutil.which("dslint")
    if found is None:
        sys.exit("dslint is not installed in this environment (pip install -e .)")
    return [found]


def scan_totals(report: dict[str, Any]) -> tuple[int, int]:
    """(records, tokens) from a `--format json` report's summary."""
    splits = report["summary"]["splits"]
    return sum(s["records"] for s in splits), sum(s["tokens"]["total"] for s in splits)


def _version(package: str) -> str | None:
    """The installed version of `package`, or None (toktok-rs is an optional extra)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def environment() -> dict[str, Any]:
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "dslint": _version("dslint"),
        "tiktoken": _version("tiktoken"),
        "toktok-rs": _version("toktok-rs"),
        "orjson": _version("orjson"),
        "commit": commit,
    }


def save(key: str, entry: dict[str, Any], path: Path) -> None:
    """Add this setup's entry to results.json, keeping the other setups' entries."""
    results: dict[str, Any] = {}
    if path.exists():
        try:
            results = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError:
            results = {}
    results[key] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000, help="records to generate (default 200000)")
    parser.add_argument("--jobs", type=int, default=1, help="processes for both floor and scan (default 1)")
    parser.add_argument("--corpus", type=Path, help="scan this .jsonl file or folder instead of generating one")
    parser.add_argument("--shards", type=int, default=1, help="generate the corpus as K files in a folder")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command; the fastest counts")
    parser.add_argument("--results", type=Path, default=OUT / "results.json", help="where to write results")
    parser.add_argument("--select", help="rule codes/prefixes, as `scan --select` (default: all)")
    parser.add_argument(
        "--tiktoken-floor",
        action="store_true",
        help="also time the floor counting with tiktoken (the yardstick before dslint counted with toktok)",
    )
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.repeat < 1 or args.shards < 1:
        parser.error("--jobs, --repeat and --shards must be >= 1")

    corpus = args.corpus.resolve() if args.corpus else ensure_corpus(args.records, args.seed, args.shards)
    files = corpus_files(corpus)
    if not files:
        sys.exit(f"{corpus}: no .jsonl files")
    size = sum(f.stat().st_size for f in files)
    floor_cmd = [sys.executable, str(HERE / "floor.py"), *map(str, files), "--jobs", str(args.jobs)]
    scan_cmd = [*dslint_command(), "scan", str(corpus), "--format", "json", "--exit-zero", "--jobs", str(args.jobs)]
    if args.select:
        scan_cmd += ["--select", args.select]
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.2f} before starting; other work on the machine skews wall times")
    floor_runs: list[Run] = []
    scan_runs: list[Run] = []
    tiktoken_runs: list[Run] = []
    for _ in range(args.repeat):  # alternate, so drift in the machine hits both alike
        floor_runs.append(measure(floor_cmd))
        scan_runs.append(measure(scan_cmd))
        if args.tiktoken_floor:
            tiktoken_runs.append(measure([*floor_cmd, "--counter", "tiktoken"]))

    floor_out = orjson.loads(floor_runs[0].stdout)
    records = floor_out["records"]
    scan_records, scan_tokens = scan_totals(orjson.loads(scan_runs[0].stdout))
    parity = scan_records == records and scan_tokens == floor_out["tokens_with_template"]
    floor, scan = best(floor_runs, records, size), best(scan_runs, records, size)
    ratio = round(scan.seconds / floor.seconds, 3)
    cpu_ratio = round(scan.cpu_seconds / floor.cpu_seconds, 3)

    shown = corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus
    rules = args.select or "all"
    print(f"corpus: {shown} ({len(files)} file(s), {records} records, {size / 1e6:.1f} MB), jobs={args.jobs}")
    print(f"rules: {rules}")
    print(f"{'':<12} {'seconds':>9} {'records/s':>10} {'MB/s':>7} {'peak RSS MiB':>13} {'CPU s':>8}")
    for label, r in (("floor", floor), ("dslint scan", scan)):
        print(
            f"{label:<12} {r.seconds:>9.2f} {r.records_per_s:>10.0f} {r.mb_per_s:>7.2f} "
            f"{r.peak_rss_mib:>13.1f} {r.cpu_seconds:>8.2f}"
        )
    structural = args.select is not None and set(args.select.split(",")) <= STRUCTURAL
    target = TARGET_STRUCTURAL if structural else TARGET_RULES
    verdict = "within" if ratio <= target else "OVER"
    print(f"ratio scan/floor: {ratio:.2f} ({verdict} the {target}x target); CPU time ratio {cpu_ratio:.2f}")
    tiktoken_floor = best(tiktoken_runs, records, size) if tiktoken_runs else None
    if tiktoken_floor is not None:
        print(
            f"floor counting with tiktoken: {tiktoken_floor.seconds:.2f} s; "
            f"ratio scan/that floor: {scan.seconds / tiktoken_floor.seconds:.2f}"
        )
    print(
        f"parity: {'OK' if parity else 'MISMATCH'} (floor {records} records, {floor_out['tokens_with_template']} "
        f"tokens; scan {scan_records} records, {scan_tokens} tokens)"
    )

    key = f"records={records},jobs={args.jobs},files={len(files)},rules={rules}"
    entry = {
        "corpus": str(shown),
        "files": len(files),
        "records": records,
        "bytes": size,
        "content_tokens": floor_out["content_tokens"],
        "jobs": args.jobs,
        "rules": rules,
        "repeat": args.repeat,
        "floor": asdict(floor),
        "tiktoken_floor": asdict(tiktoken_floor) if tiktoken_floor is not None else None,
        "scan": asdict(scan),
        "ratio": ratio,
        "cpu_ratio": cpu_ratio,
        "target_ratio": target,
        "loadavg_before": round(load, 2),
        "parity": parity,
        "environment": environment(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    save(key, entry, args.results)
    print(f"results: {args.results}")
    if not parity:
        sys.exit(1)


if __name__ == "__main__":
    main()
