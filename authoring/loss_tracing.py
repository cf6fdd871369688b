"""What a trainable export needs from the compiled model: the loss and optimizer resolved, and a way to
call the loss on symbolic labels so the exporter can capture its graph (``webgrad.exporter.capture``).

The losses (``webgrad.losses``) take labels as numpy arrays, or, in a capture, as a symbolic float32
input that they use as it is, so the loss graph is the very ops the Python loss applies. Sparse labels
are captured as one-hot rows: ``sparse_categorical_crossentropy`` is then ``categorical_crossentropy``
on the one-hot labels, the same ops the sparse loss applies to the one-hot matrix it builds.

>>> import webgrad as wg
>>> model = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3, activation="softmax")])
>>> model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
>>> spec = training_spec(model)
>>> spec.loss.name, spec.encoding, type(spec.optimizer).__name__
('sparse_categorical_crossentropy', 'onehot', 'SGD')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from webgrad import losses as wg_losses
from webgrad import optimizers as wg_optimizers
from webgrad.tensor import SymbolicTensor

__all__ = ["TrainingSpec", "training_spec"]


@dataclass
class TrainingSpec:
    """The loss and optimizer a trainable bundle is written with.

    ``loss``: the ``Loss`` (its name and ``from_logits`` go into model.json); ``traced``: the loss the
    capture calls (categorical for a sparse one); ``encoding``: ``"onehot"`` (int class labels, fed
    one-hot) or ``"dense"`` (labels shaped like the output); ``weight``: the compiled loss weight."""

    loss: wg_losses.Loss
    traced: wg_losses.Loss
    encoding: str
    optimizer: wg_optimizers.Optimizer
    weight: float

    def make_labels(self, shape: tuple) -> SymbolicTensor:
        """Symbolic float32 labels of ``shape`` that the traced loss accepts."""
        return SymbolicTensor(shape, "float32")

    def __call__(self, labels: SymbolicTensor, y_pred: Any) -> Any:
        """The per-example loss on symbolic ``labels`` and predictions."""
        per_example = wg_losses.per_example(self.traced, labels, y_pred)
        return per_example if self.weight == 1.0 else per_example * np.float32(self.weight)


def training_spec(model: Any, loss: Any = None, optimizer: Any = None) -> TrainingSpec:
    """The loss (``loss``, else the compiled one) and optimizer (``optimizer``, else the compiled one) of
    a single-output ``model``; ValueError when there is none or it cannot be exported."""
    if len(getattr(model, "outputs", [])) != 1:
        raise ValueError(f"a trainable export needs a model with one output; {model.name!r} has "
                         f"{len(model.outputs)}")
    weight = 1.0
    if loss is None:
        if model.optimizer is None and not getattr(model, "_loss_spec", None):
            raise ValueError(f"model {model.name!r} was never compiled: pass loss=... (e.g. "
                             "'sparse_categorical_crossentropy') and optimizer=... to export it trainable, or "
                             "compile it first")
        if not model.compiled_losses:
            model._resolve_compile()
        loss = model.compiled_losses[0]
        weight = float(model.loss_weights[0])
    if optimizer is None:
        if model.optimizer is None:
            raise ValueError(f"model {model.name!r} has no optimizer: pass optimizer=... (e.g. "
                             "wg.optimizers.Adam(1e-3)) to export it trainable, or compile it first")
        optimizer = model.optimizer
    resolved = wg_losses.get(loss)
    if not isinstance(resolved, wg_losses.Loss) or type(resolved) not in (
            wg_losses.SparseCategoricalCrossentropy, wg_losses.CategoricalCrossentropy,
            wg_losses.BinaryCrossentropy, wg_losses.MeanSquaredError):
        raise ValueError(f"loss {getattr(resolved, 'name', resolved)!r} cannot be exported in a trainable bundle; "
                         "valid: sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy, "
                         "mean_squared_error")
    sparse = isinstance(resolved, wg_losses.SparseCategoricalCrossentropy)
    traced = wg_losses.CategoricalCrossentropy(from_logits=resolved.from_logits) if sparse else resolved
    return TrainingSpec(resolved, traced, "onehot" if sparse else "dense", wg_optimizers.get(optimizer), weight)
