"""Makes the training-step benchmark's inputs once: two trainable bundles and one batch, fixed seeds.

    python benchmarks/make_train_bundles.py OUTDIR

Writes, for ``mlp`` (``zoo.mlp_784_512_256_10``) and ``cnn`` (``zoo.mnist_cnn``), each compiled with
``SGD(0.01)`` and ``sparse_categorical_crossentropy``:

- ``OUTDIR/<name>/bundle/``: ``wg.export(model, ..., trainable=True)`` (float32 master weights). Every
  framework of ``train_step.mjs`` / ``train_step_torch.py`` takes its initial weights from this bundle's
  bytes, so they all start from the same numbers;
- ``OUTDIR/<name>/batch.bin``: one batch of 64 examples, float32 ``x`` (NHWC for the CNN) then int32
  class labels, little-endian, no header (the shapes are in ``OUTDIR/train_bundles.json``).

The batch is random uniform [0, 1) pixels and labels: a step's speed does not depend on the data.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

import webgrad as wg
from webgrad import zoo

SEED = 1234
BATCH = 64
LEARNING_RATE = 0.01
SHAPES = {"mlp": (784,), "cnn": (28, 28, 1)}
BUILDERS = {"mlp": zoo.mlp_784_512_256_10, "cnn": zoo.mnist_cnn}


def make(outdir: Path) -> dict:
    """Writes both models' bundles and batches under ``outdir``; returns the index it writes.

    >>> import tempfile; d = Path(tempfile.mkdtemp())
    >>> make(d)["models"]["mlp"]["x_shape"]
    [64, 784]
    """
    index: dict = {"seed": SEED, "batch": BATCH, "learning_rate": LEARNING_RATE,
                   "webgrad_version": wg.__version__, "models": {}}
    for name, build in BUILDERS.items():
        wg.set_seed(SEED)
        model = build()
        model.compile(optimizer=wg.optimizers.SGD(LEARNING_RATE), loss="sparse_categorical_crossentropy")
        wg.export(model, outdir / name / "bundle", trainable=True, verbose=0)
        rng = np.random.default_rng(SEED)
        x = rng.uniform(0, 1, (BATCH, *SHAPES[name])).astype("<f4")
        y = rng.integers(0, 10, BATCH).astype("<i4")
        (outdir / name / "batch.bin").write_bytes(x.tobytes() + y.tobytes())
        index["models"][name] = {"bundle": f"{name}/bundle", "batch": f"{name}/batch.bin",
                                 "x_shape": list(x.shape), "y_shape": list(y.shape),
                                 "params": int(model.count_params())}
    (outdir / "train_bundles.json").write_text(json.dumps(index, indent=1) + "\n")
    return index


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("outdir", type=Path)
    args = p.parse_args(argv)
    make(args.outdir)
    print(f"wrote {args.outdir}/train_bundles.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
