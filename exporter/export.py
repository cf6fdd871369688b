"""``wg.export``: a trained model to a web bundle (the ``webgrad export`` command is ``export_cli``).

``export(model, path)`` captures the inference graph (``capture``), optimizes it (``passes.optimize``:
batch-norm folding, bias and activation fusion, constant folding, dead-node removal) and writes the
bundle (``bundle_writer.write_bundle``), with metadata: labels, preprocessing, task, the last epoch's
training metrics and the model config. Given ``validation_data=(x, y)`` it also runs the written
bundle on the numpy runner and reports the accuracy of the model and of the bundle (which differ only
by quantization).

``export(model, path, trainable=True)`` writes a trainable bundle (formatVersion 2, see
``webgrad.exporter.trainable``): float32 weights, no batch-norm folding, and a ``training`` section with
the trainable weights, the loss graph, the optimizer and its state, which the npm runtime's ``fit``
and ``wg.load_model`` continue from.

>>> import tempfile, webgrad as wg
>>> model = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3, activation="softmax")])
>>> report = wg.export(model, tempfile.mkdtemp() + "/tiny", labels=["a", "b", "c"], verbose=0)
>>> report.nodes, report.bytes_float32
(2, 60)
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.exporter.bundle_writer import WriteReport, write_bundle
from webgrad.exporter.capture import CaptureError, capture
from webgrad.exporter.passes import optimize as optimize_graph
from webgrad.exporter.runner import load_bundle
from webgrad.exporter.trainable import trainable_graph
from webgrad.layers.text_vectorization import string_input_vectorizer

__all__ = ["CaptureError", "ExportReport", "export"]


@dataclass
class ExportReport:
    """What ``export`` did: where, how big (weights as float32 against as stored), the graph size
    before and after the passes, the seconds it took and, given validation data, the accuracy of the
    model and of the written bundle and their largest output difference."""

    path: Path
    files: list[Path]
    bytes_total: int
    bytes_float32: int
    bytes_stored: int
    by_dtype: dict[str, int]
    quantize: str | None
    nodes_captured: int
    nodes: int
    seconds: float
    accuracy_model: float | None = None
    accuracy_bundle: float | None = None
    max_abs_diff: float | None = None
    write: WriteReport | None = field(default=None, repr=False)

    def summary(self) -> str:
        """The lines ``export`` prints."""
        lines = [
            f"exported {self.path}: {self.nodes} nodes ({self.nodes_captured} captured), "
            f"{len(self.files)} files, {self.bytes_total:,} bytes in {self.seconds:.2f} s",
            f"weights: {_mb(self.bytes_float32)} as float32 -> {_mb(self.bytes_stored)} stored "
            f"({self.quantize or 'float32'}, {', '.join(f'{k} {v:,} B' for k, v in self.by_dtype.items())})",
        ]
        if self.accuracy_model is not None:
            lines.append(f"validation accuracy: model {self.accuracy_model:.2%} -> bundle {self.accuracy_bundle:.2%} "
                         f"(largest output difference {self.max_abs_diff:.2e})")
        return "\n".join(lines)


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 100_000 else f"{n:,} B"


def accuracy(outputs: np.ndarray, y: np.ndarray) -> float:
    """Share of examples classified right: argmax over classes (a 0.5 threshold for one sigmoid output);
    ``y`` holds class ids or one-hot rows.

    >>> accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1]))
    0.5
    """
    outputs, y = np.asarray(outputs), np.asarray(y)
    pred = (outputs.reshape(len(outputs), -1)[:, 0] > 0.5).astype(np.int64) if outputs.shape[-1] == 1 \
        else outputs.argmax(-1)
    if y.ndim == pred.ndim + 1 and y.shape[-1] > 1:
        y = y.argmax(-1)
    return float(np.mean(pred == y.reshape(pred.shape)))


def _training_metrics(model: Any) -> dict[str, Any] | None:
    history = getattr(getattr(model, "history", None), "history", None)
    if not history:
        return None
    logs = {k: float(v[-1]) for k, v in history.items() if v and np.isfinite(v[-1])}
    return {"epochs": len(next(iter(history.values()))), **logs}


def _model_config(model: Any) -> dict[str, Any] | None:
    """``{"class_name", "config"}`` when the config is plain JSON (custom layers may not be). A
    TextVectorization's vocabulary (or whole tokenizer) is left out: the bundle's tokenizer.json holds it,
    once."""
    try:
        spec = {"class_name": type(model).__name__, "config": _without_vocabularies(model.get_config())}
        json.dumps(spec, allow_nan=False)
    except (TypeError, ValueError, NotImplementedError):
        return None
    return spec


def _without_vocabularies(config: Any) -> Any:
    if isinstance(config, list):
        return [_without_vocabularies(c) for c in config]
    if not isinstance(config, dict):
        return config
    out = {k: _without_vocabularies(v) for k, v in config.items()}
    if out.get("class_name") == "TextVectorization" and isinstance(out.get("config"), dict):
        out["config"] = {**out["config"], **{k: None for k in ("vocabulary", "tokenizer") if k in out["config"]}}
    return out


def build_metadata(model: Any, *, labels: Any = None, preprocessing: dict[str, Any] | None = None,
                   task: str = "classification", metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """The bundle metadata for ``model`` (entries that are None are left out; ``metadata`` wins).
    A model from ``wg.load_model`` keeps its bundle's labels and preprocessing unless given new ones."""
    inherited = getattr(model, "bundle_metadata", None) or {}
    labels = inherited.get("labels") if labels is None else labels
    preprocessing = inherited.get("preprocessing") if preprocessing is None else preprocessing
    meta = {
        "task": task,
        "labels": None if labels is None else [str(x) for x in labels],
        "preprocessing": preprocessing,
        "training": _training_metrics(model),
        "model_config": _model_config(model),
    }
    return {**{k: v for k, v in meta.items() if v is not None}, **(metadata or {})}


def export(model: Any, path: str | Path, *, quantize: str | None = None, labels: Any = None,
           preprocessing: dict[str, Any] | None = None, task: str = "classification",
           validation_data: tuple[Any, Any] | None = None, metadata: dict[str, Any] | None = None,
           optimize: bool = True, overwrite: bool = False, verbose: int = 1, trainable: bool = False,
           loss: Any = None, optimizer: Any = None) -> ExportReport:
    """Exports ``model`` as a web bundle directory at ``path`` (see the module doc).

    ``quantize``: None, ``"float16"`` or ``"int8"``; ``labels``: class names in output order;
    ``preprocessing``: what a runtime applies to raw input first, e.g. ``{"scale": 1 / 255}``;
    ``validation_data``: ``(x, y)`` in model-input form, to compare model and bundle accuracy;
    ``metadata``: extra entries (they override the generated ones). Raises ``CaptureError`` naming the
    layer and its class when a layer has no op mapping.

    ``path`` may be new, empty, or hold a webgrad bundle: then only its ``model.json`` and listed shards
    are replaced (other files stay), crash-safely (a complete bundle is there at every instant). Any
    other non-empty directory raises ``ExportTargetError`` and is left untouched, unless
    ``overwrite=True``: then the bundle's files are added, replacing same-named files, deleting none.

    ``trainable=True`` writes a trainable bundle (formatVersion 2) that the npm runtime can ``fit`` and
    ``wg.load_model`` reads back with its optimizer state. ``loss`` and ``optimizer`` (names or objects)
    default to the compiled ones; a model never compiled needs both. Weights of frozen layers
    (``layer.trainable = False``) stay frozen. Only SGD and Adam with a constant learning rate, and the
    losses ``sparse_categorical_crossentropy`` (labels fed one-hot), ``categorical_crossentropy``,
    ``binary_crossentropy`` and ``mean_squared_error`` export; ``quantize`` cannot be combined with it.
    Dropout is left out (the runtime fine-tunes without it in this version) and BatchNormalization is
    exported in inference form (moving statistics frozen; gamma and beta train).

    >>> import tempfile, webgrad as wg
    >>> model = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3, activation="softmax")])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    >>> report = wg.export(model, tempfile.mkdtemp() + "/t", trainable=True, verbose=0)
    >>> import json; json.loads((report.path / "model.json").read_text())["formatVersion"]
    2
    """
    t0 = time.perf_counter()
    text_tokenizer(model)  # a TextVectorization that cannot be a tokenizer.json fails before any work
    training = None
    if trainable:
        if quantize is not None:
            raise ValueError(f"quantize={quantize!r} cannot be combined with trainable=True: a trainable bundle keeps "
                             "float32 master weights (export a quantized copy for inference separately)")
        graph, training = trainable_graph(model, model.training_spec(loss, optimizer), passes=optimize)
        captured = len(graph.nodes)
    else:
        if loss is not None or optimizer is not None:
            raise ValueError("loss= and optimizer= describe how a trainable bundle trains: pass trainable=True "
                             "with them")
        graph = capture(model)
        captured = len(graph.nodes)
        if optimize:
            graph = optimize_graph(graph)
    meta = build_metadata(model, labels=labels, preprocessing=preprocessing, task=task, metadata=metadata)
    written = write_bundle(graph, path, quantize=quantize, metadata=meta, overwrite=overwrite, training=training,
                           tokenizer=text_tokenizer(model))
    report = ExportReport(
        path=written.path, files=written.files, bytes_total=written.bytes_total,
        bytes_float32=written.bytes_float32, bytes_stored=sum(written.by_dtype.values()), by_dtype=written.by_dtype,
        quantize=quantize, nodes_captured=captured, nodes=len(graph.nodes), seconds=0.0, write=written,
    )
    if validation_data is not None:
        _validate(model, written.path, validation_data, report)
    report.seconds = time.perf_counter() - t0
    if verbose:
        print(report.summary())
    return report


def text_tokenizer(model: Any) -> tuple[str, Any] | None:
    """``(input name, tokenizer)`` of a model that reads raw strings (a string ``Input`` read by a
    ``TextVectorization``), else None. ``NotImplementedError`` when the layer cannot be written as a
    tokenizer.json (it names the option) or the model has several string inputs (a bundle holds one
    tokenizer)."""
    texts = [x for x in getattr(model, "inputs", None) or [] if x.dtype == "string"]
    if not texts:
        return None
    if len(texts) > 1:
        raise NotImplementedError(f"model {model.name!r} has {len(texts)} string inputs "
                                  f"{[x.history[0].name for x in texts]}; a bundle holds one tokenizer")
    x = texts[0]
    try:
        tv = string_input_vectorizer(model, x)
    except TypeError as e:
        raise CaptureError(str(e), x.history[0].name) from e
    return x.history[0].name, tv.tokenizer()  # type: ignore[union-attr]


def _validate(model: Any, path: Path, validation_data: tuple[Any, Any], report: ExportReport) -> None:
    x, y = validation_data
    want = model.predict(x, batch_size=256)
    got = load_bundle(path).predict(x)
    if isinstance(want, list):  # several outputs: accuracy of the first
        want, got = want[0], got[0]
    report.accuracy_model = accuracy(want, y)
    report.accuracy_bundle = accuracy(got, y)
    report.max_abs_diff = float(np.max(np.abs(np.asarray(got) - want))) if np.size(want) else 0.0
