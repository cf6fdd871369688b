"""The ``webgrad`` command line.

    webgrad train cnn --epochs 3      # train a reference model on MNIST, evaluate, print accuracy
    webgrad opset                     # the op set: names, inputs, attributes
    webgrad export my_model.py:model bundles/mnist --quantize int8   # a model as a web bundle
    webgrad inspect BUNDLE            # summarize a web bundle
    webgrad verify BUNDLE             # check a web bundle and run its self-test
    webgrad ops Conv2D                # where an op is implemented, and how each implementation does
    webgrad conformance               # the op x implementation conformance matrix
    webgrad federated serve --model BUNDLE --rounds 10 --clients-per-round 3   # federated training server
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad import datasets, layers, optimizers, schedules, zoo
from webgrad import random as wg_random
from webgrad.exporter import bundle_cli, ops_cli
from webgrad.exporter.export import export
from webgrad.exporter.export_cli import add_export_command
from webgrad.exporter.opset import load_opset
from webgrad.federated import cli as federated_cli
from webgrad.model import Sequential

# per model: epochs, batch size, Adam learning rate, validation split (digits is small: train on all of it)
DEFAULTS = {
    "cnn": {"epochs": 8, "batch_size": 128, "learning_rate": 1e-3, "validation_split": 0.1},
    "mlp": {"epochs": 10, "batch_size": 128, "learning_rate": 1e-3, "validation_split": 0.1},
    "digits": {"epochs": 40, "batch_size": 32, "learning_rate": 3e-3, "validation_split": 0.0},
}
TRAIN_MODELS = {
    "cnn": "MNIST CNN (Conv32-Pool-Conv64-Pool-Dense128-Dense10), 28x28x1 inputs",
    "mlp": "MNIST MLP 784-256-10",
    "digits": "small CNN on scikit-learn's 8x8 digits (Conv16-Conv32-Pool-Dense64-Dense10)",
}


def _load(model: str, limit: int | None) -> tuple:
    if model == "digits":
        (x, y), (xt, yt) = datasets.digits()
        return (x[..., None] / np.float32(16)), y, (xt[..., None] / np.float32(16)), yt
    (x, y), (xt, yt) = datasets.mnist()
    if limit:
        x, y = x[:limit], y[:limit]
    shape = (-1, 28, 28, 1) if model == "cnn" else (-1, 784)
    return (x.reshape(shape) / np.float32(255)), y, (xt.reshape(shape) / np.float32(255)), yt


def _build(model: str):
    if model == "cnn":
        return zoo.mnist_cnn()
    if model == "mlp":
        return zoo.mnist_mlp()
    return Sequential([layers.Input((8, 8, 1)), layers.Conv2D(16, 3, padding="same", activation="relu"),
                       layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
                       layers.Dropout(0.3), layers.Dense(64, activation="relu"), layers.Dropout(0.3),
                       layers.Dense(10, activation="softmax")],
                      name="digits_cnn")


def cmd_train(args: argparse.Namespace) -> int:
    wg_random.set_seed(args.seed)
    for key, value in DEFAULTS[args.model].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    x, y, xt, yt = _load(args.model, args.limit)
    model = _build(args.model)
    lr: float | schedules.LearningRateSchedule = args.learning_rate
    if args.schedule == "cosine":
        steps = args.epochs * -(-int(len(x) * (1 - args.validation_split)) // args.batch_size)
        lr = schedules.CosineDecay(args.learning_rate, decay_steps=steps)
    model.compile(optimizer=optimizers.Adam(lr), loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  backend=args.backend)
    model.summary()
    t0 = time.perf_counter()
    model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, validation_split=args.validation_split,
              verbose=args.verbose)
    train_s = time.perf_counter() - t0
    loss, acc = model.evaluate(xt, yt, batch_size=512, verbose=0)
    result = {"model": args.model, "test_accuracy": acc, "test_loss": loss, "epochs": args.epochs,
              "train_seconds": round(train_s, 1), "train_examples": len(x), "backend": args.backend}
    print(f"test accuracy: {acc * 100:.2f}%  (loss {loss:.4f}, {args.epochs} epochs in {train_s:.0f} s)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
    if args.save_weights:
        np.savez(args.save_weights, *model.get_weights())
    if args.export:
        _export_all(model, args, xt, yt, result)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(result, f, indent=2)
    return 0


def _export_all(model: Any, args: argparse.Namespace, xt: np.ndarray, yt: np.ndarray, result: dict) -> None:
    """Writes the trained model as float32, float16 and int8 bundles under ``args.export``."""
    labels = [str(d) for d in range(10)]
    scale = 1 / 16 if args.model == "digits" else 1 / 255
    result["bundles"] = {}
    for quantize in (None, "float16", "int8"):
        path = f"{args.export}/{model.name}-{quantize or 'float32'}"
        report = export(model, path, quantize=quantize, labels=labels, preprocessing={"scale": scale},
                           validation_data=(xt, yt), verbose=1)
        result["bundles"][quantize or "float32"] = {
            "path": path, "bytes_total": report.bytes_total, "bytes_weights": report.bytes_stored,
            "accuracy": report.accuracy_bundle, "export_seconds": round(report.seconds, 3)}


def cmd_opset(args: argparse.Namespace) -> int:
    spec = load_opset()
    if args.json:
        print(json.dumps(spec, indent=2))
        return 0
    print(f"webgrad op set v{spec['opsetVersion']}: {len(spec['ops'])} ops")
    for name, op in spec["ops"].items():
        ins = ", ".join(i["name"] + ("?" if i.get("optional") else "") + ("..." if i.get("variadic") else "")
                        for i in op["inputs"])
        attrs = ", ".join(f"{k}={v.get('default', '<required>')}" for k, v in op["attrs"].items())
        grad = "differentiable" if op["differentiable"] else "no gradient"
        print(f"  {name}({ins}){' [' + attrs + ']' if attrs else ''}  — {grad}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="webgrad", description="Author, train and export classifiers for the web.")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a reference model, evaluate it and print the test accuracy",
                       description="Train a reference model on its data set and print the test accuracy.",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="models:\n" + "\n".join(f"  {k:8s} {v}" for k, v in TRAIN_MODELS.items()))
    t.add_argument("model", choices=sorted(TRAIN_MODELS), help="which reference model")
    def per_model(key: str) -> str:
        return "default: " + ", ".join(f"{m} {d[key]}" for m, d in DEFAULTS.items())

    t.add_argument("--epochs", type=int, help=f"passes over the training set ({per_model('epochs')})")
    t.add_argument("--batch-size", type=int, help=f"examples per step ({per_model('batch_size')})")
    t.add_argument("--learning-rate", type=float, help=f"peak Adam learning rate ({per_model('learning_rate')})")
    t.add_argument("--schedule", choices=["cosine", "constant"], default="cosine",
                   help="learning rate: cosine decay to 0 over the run (default), or constant")
    t.add_argument("--validation-split", type=float,
                   help=f"share of the training set held out for validation ({per_model('validation_split')})")
    t.add_argument("--limit", type=int, default=None, help="train on the first N examples only")
    t.add_argument("--seed", type=int, default=0, help="seed for weights and shuffling (default 0)")
    t.add_argument("--backend", choices=["numpy", "jax"], default="numpy",
                   help='numpy (reference, default) or jax (jitted XLA, all devices; pip install "webgrad[jax]")')
    t.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2], help="0 silent, 1 bar, 2 line per epoch")
    t.add_argument("--json", help="also write the result as JSON to this file")
    t.add_argument("--save-weights", help="write the trained weights to this .npz file")
    t.add_argument("--export", metavar="DIR",
                   help="also export float32, float16 and int8 web bundles into DIR/<model name>-<dtype>")
    t.set_defaults(func=cmd_train)
    o = sub.add_parser("opset", help="list the op set", description="List the ops of the op set.")
    o.add_argument("--json", action="store_true", help="print the op set file itself")
    o.set_defaults(func=cmd_opset)
    bundle_cli.add_commands(sub)
    add_export_command(sub)
    ops_cli.add_commands(sub)
    federated_cli.add_commands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``webgrad`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError) as e:
        print(f"webgrad: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
