"""``KerasGraph``: a webgrad layer that computes what a Keras model computed, from its jaxpr.

Its weights are the Keras model's variables (same values, same names: ``dense/kernel``), so the
layer predicts, exports and fine-tunes like any webgrad layer; batch-normalization statistics and
other non-trainable Keras variables stay non-trainable.
"""

from __future__ import annotations

from typing import Any, ClassVar

import webgrad.keras_import.primitives  # noqa: F401 -- registers the primitive handlers
from webgrad.keras_import.interpret import Interpreter
from webgrad.keras_import.trace import TracedModel
from webgrad.layers.base import Layer


class KerasGraph(Layer):
    """The traced inference graph of a Keras model, as one layer (see the module docstring)."""

    n_inputs: ClassVar[int | None] = None

    def __init__(self, traced: TracedModel, name: str | None = None):
        super().__init__(name=name or traced.name)
        self.traced = traced
        self.n_inputs = 1 if len(traced.inputs) == 1 else None  # type: ignore[misc]
        self.keras_weights = []
        for w in traced.weights:
            v = self.add_weight(name=w.path, shape=w.value.shape, initializer="zeros", trainable=w.trainable)
            v.assign(w.value)
            self.keras_weights.append(v)
        self.built = True

    def build(self, input_shape: Any) -> None:
        self.built = True

    def call(self, inputs: Any, training: bool = False) -> Any:
        xs = list(inputs) if isinstance(inputs, list | tuple) else [inputs]
        outs = Interpreter().run(self.traced.jaxpr, [*self.keras_weights, *xs])
        return outs[0] if len(outs) == 1 else outs

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError("a model imported from Keras is saved as a bundle (wg.export) or kept as its "
                                  "Keras file; its graph has no webgrad layer config")
