"""Long fuzz run of the Python bundle reader: seeded random mutations (tests/fuzz/mutations.py) of
valid bundles, each loaded, self-tested and run (tests/fuzz/harness.py). Prints the cases run, the
outcome counts, each finding (an exception that is not a BundleError with a known code; its files
are kept under --out) and the peak RSS.

    python3 tests/fuzz/py_reader.py --minutes 10 [--seed 1] [--out DIR]
    python3 tests/fuzz/py_reader.py --scale 100000   # load time of an N-node graph, then exit
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from harness import outcome, read_files, write_files
from mutations import mutate


def _bases(tmp: Path) -> dict[str, dict[str, bytes]]:
    from test_fuzz_reader import small_graph

    from webgrad.exporter.bundle_writer import write_bundle

    return {q or "float32": read_files(write_bundle(small_graph(), tmp / (q or "float32"), quantize=q, shard_bytes=32,
                                                    metadata={"preprocessing": {"scale": 0.5}}).path)
            for q in (None, "float16", "int8")}


def peak_rss_mib() -> float:
    """Peak resident memory of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def scale(nodes: int) -> None:
    from synthetic import relu_chain_bundle

    from webgrad.exporter import load_bundle

    with tempfile.TemporaryDirectory() as tmp:
        path = relu_chain_bundle(Path(tmp) / "chain", nodes)
        start = time.perf_counter()
        runner = load_bundle(path)
        loaded = time.perf_counter()
        runner.selftest()
        done = time.perf_counter()
    print(f"{nodes} Relu nodes: load_bundle {loaded - start:.2f} s, selftest {done - loaded:.2f} s, "
          f"peak RSS {peak_rss_mib():.0f} MiB")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "webgrad-py-fuzz-findings")
    p.add_argument("--scale", type=int, metavar="N", help="only time loading an N-node graph")
    args = p.parse_args()
    if args.scale:
        scale(args.scale)
        return 0
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        bases = _bases(Path(tmp))
    outcomes: Counter = Counter()
    findings = 0
    end = time.monotonic() + 60 * args.minutes
    cases = 0
    while time.monotonic() < end:
        name = rng.choice(sorted(bases))
        files, what = mutate(rng, bases[name])
        cases += 1
        try:
            outcomes[outcome(files)] += 1
        except Exception as e:
            findings += 1
            kept = write_files(files, args.out / f"finding-{args.seed}-{cases}")
            print(f"FINDING {cases}: {type(e).__name__}: {e} ({name}: {what}); files in {kept}")
            traceback.print_exc(limit=3)
        if cases % 2000 == 0:
            print(f"{cases} cases, {findings} findings, peak RSS {peak_rss_mib():.0f} MiB", flush=True)
    print(f"{cases} cases in {args.minutes:g} min (seed {args.seed}): {findings} findings; outcomes "
          f"{dict(outcomes.most_common())}; peak RSS {peak_rss_mib():.0f} MiB")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
