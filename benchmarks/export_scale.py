"""Export time of deep Sequentials: shows the graph passes grow linearly with the number of layers.

    python benchmarks/export_scale.py                 # 1,000, 5,000 and 20,000 layers
    python benchmarks/export_scale.py --layers 500 2000

Each model repeats Dense(8) -> BatchNormalization -> Activation("relu") -> Reshape((8,)), the patterns
the passes rewrite (batch-norm folding, activation fusion, identity removal), so every pass has work at
every depth. Prints, per depth, the seconds spent in ``passes.optimize`` alone and in the whole
``wg.export`` (capture, passes, writing the bundle). Never part of the tests' pass/fail.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import webgrad as wg
from webgrad.exporter.capture import capture
from webgrad.exporter.passes import optimize


def deep_model(layers: int) -> wg.Sequential:
    """A Sequential of ``layers`` layers cycling Dense, BatchNormalization, relu and an identity Reshape."""
    cycle = [lambda: wg.layers.Dense(8), wg.layers.BatchNormalization, lambda: wg.layers.Activation("relu"),
             lambda: wg.layers.Reshape((8,))]
    wg.layers.clear_session()
    return wg.Sequential([wg.layers.Input((8,)), *(cycle[k % len(cycle)]() for k in range(layers))])


def measure(layers: int) -> tuple[float, float, int]:
    """(optimize seconds, export seconds, nodes after optimizing) for a ``layers``-deep model."""
    model = deep_model(layers)
    graph = capture(model)
    start = time.perf_counter()
    nodes = len(optimize(graph).nodes)
    optimize_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        wg.export(model, Path(tmp) / "bundle", verbose=0)
        export_s = time.perf_counter() - start
    return optimize_s, export_s, nodes


def main(argv: list[str] | None = None) -> int:
    """Prints one line per depth."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--layers", type=int, nargs="+", default=[1000, 5000, 20000], help="depths to export")
    args = p.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * max(args.layers)))
    print(f"{'layers':>8} {'optimize_s':>11} {'export_s':>9} {'nodes_after':>12}")
    for layers in args.layers:
        optimize_s, export_s, nodes = measure(layers)
        print(f"{layers:>8} {optimize_s:>11.3f} {export_s:>9.3f} {nodes:>12}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
