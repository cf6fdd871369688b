"""The ``webgrad export`` command: a model defined in a Python file, or saved in a ``.keras`` file
(by webgrad's ``model.save`` or by Keras 3 itself), exported as a web bundle.

    webgrad export my_model.py:model bundles/mnist --quantize int8 --labels 0,1,2,3,4,5,6,7,8,9
    webgrad export classifier.keras bundles/classifier

It sits above ``export`` (which knows models only through what capture needs) because naming the
model to export means loading user code and checking that it made a ``webgrad.model.Model``.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="webgrad")
>>> p = add_export_command(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["export", "m.py:net", "out", "--quantize", "int8"]).quantize
'int8'
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np

from webgrad import models
from webgrad.exporter.export import export
from webgrad.keras_import import from_keras, is_keras_model
from webgrad.model import Model

__all__ = ["add_export_command", "cmd_export", "load_target"]


def load_target(target: str) -> Any:
    """The model named by ``"path/to/file.py:attr"`` (attr defaults to ``model``): a Model, a Keras 3
    model, or a callable returning one; or the model in a ``.keras`` file."""
    if target.endswith(".keras"):
        return _load_keras_file(Path(target))
    file, _, attr = target.partition(":")
    source = Path(file)
    if not source.is_file():
        raise FileNotFoundError(f"no such Python file: {file}")
    spec = importlib.util.spec_from_file_location(f"_webgrad_export_{source.stem}", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(source.resolve().parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.pop(0)
    name = attr or "model"
    if not hasattr(module, name):
        public = sorted(k for k in vars(module) if not k.startswith("_"))
        raise ValueError(f"{file} has no attribute {name!r}; it has: {', '.join(public)}")
    obj = getattr(module, name)
    if not isinstance(obj, Model) and not is_keras_model(obj) and callable(obj):
        obj = obj()
    if is_keras_model(obj):
        return from_keras(obj)
    if not isinstance(obj, Model):
        raise ValueError(f"{target} is a {type(obj).__name__}, not a webgrad or Keras model (or a function "
                         "returning one)")
    return obj


def _load_keras_file(path: Path) -> Model:
    """A ``.keras`` file webgrad saved (``model.save``), else one Keras 3 saved (imported through JAX)."""
    if not path.is_file():
        raise FileNotFoundError(f"no such .keras file: {path}")
    try:
        return models.load_model(path, compile=False)
    except NotImplementedError:  # written by Keras itself: webgrad's reader points to from_keras
        return from_keras(path)


def _load_npz(path: str) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path) as data:
        keys = ["x", "y"] if {"x", "y"} <= set(data.files) else list(data.files)[:2]
        if len(keys) < 2:
            raise ValueError(f"{path} must hold arrays 'x' and 'y' (or two arrays)")
        return data[keys[0]], data[keys[1]]


def cmd_export(args: argparse.Namespace) -> int:
    """Runs ``webgrad export``."""
    model = load_target(args.model)
    labels = [s.strip() for s in args.labels.split(",")] if args.labels else None
    preprocessing = {"scale": args.scale} if args.scale is not None else None
    validation = _load_npz(args.validation_data) if args.validation_data else None
    try:
        export(model, args.path, quantize=args.quantize, labels=labels, preprocessing=preprocessing, task=args.task,
               validation_data=validation, optimize=not args.no_optimize, overwrite=args.overwrite, verbose=1,
               trainable=args.trainable)
    except FileExistsError as e:  # the target is a directory that holds something other than a bundle
        raise ValueError(str(e)) from e
    return 0


def add_export_command(subparsers: Any) -> argparse.ArgumentParser:
    """Adds ``export`` to the ``webgrad`` command line's subparsers."""
    p = subparsers.add_parser(
        "export", help="export a model as a web bundle",
        description="Capture a model's inference graph, optimize it and write a web bundle directory "
                    "(model.json + weight shards).",
        epilog="example: webgrad export my_model.py:model bundles/mnist --quantize int8 --labels 0,1,2,3,4,5,6,7,8,9 "
               "--scale 0.00392",
    )
    p.add_argument("model", help="FILE.py:NAME — a webgrad or Keras 3 model in a Python file, or a function "
                                 "returning one (NAME defaults to 'model'); or FILE.keras, saved by webgrad or Keras")
    p.add_argument("path", help="bundle directory to write (a bundle there is replaced; other files stay)")
    p.add_argument("--quantize", choices=["float16", "int8"], help="store weights quantized (default float32)")
    p.add_argument("--labels", help="comma-separated class names, in output order")
    p.add_argument("--scale", type=float, help="preprocessing: a runtime multiplies raw inputs by this "
                                               "(e.g. 0.00392 = 1/255 for pixels)")
    p.add_argument("--task", default="classification", help="task named in the metadata (default classification)")
    p.add_argument("--validation-data", metavar="NPZ", help=".npz with 'x' (model inputs) and 'y' (labels): "
                                                            "print model vs bundle accuracy")
    p.add_argument("--trainable", action="store_true",
                   help="write a trainable bundle (formatVersion 2) with the model's compiled loss and optimizer, "
                        "which the npm runtime can fit and wg.load_model continues")
    p.add_argument("--no-optimize", action="store_true", help="skip the graph passes")
    p.add_argument("--overwrite", action="store_true",
                   help="also write into a non-empty directory that is not a webgrad bundle (adds the bundle's "
                        "files, replacing same-named ones; deletes nothing)")
    p.set_defaults(func=cmd_export)
    return p
