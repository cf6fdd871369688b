"""``OpLayer``: one op-set op as a layer, for graphs loaded back from bundles (``wg.load_model``).

The op's inputs are either layer inputs (tensors) or the layer's own weights: ``signature`` lists, in
the op's input order, ``"x"`` for the next layer input, ``"w"`` for the next weight, or ``None`` for an
absent optional input. Float32 weights are trainable; integer ones are frozen.

>>> import numpy as np
>>> layer = OpLayer("Mul", signature=["x", "w"], weight_specs=[{"shape": [3], "dtype": "float32"}],
...                 weights=[np.float32([1, 2, 3])])
>>> layer(np.ones((2, 3), np.float32)).numpy()
array([[1., 2., 3.],
       [1., 2., 3.]], dtype=float32)
>>> clone = OpLayer.from_config(layer.get_config())
>>> clone(np.ones((1, 3), np.float32)).shape, [w.name for w in clone.weights] == [f"{layer.name}/w0"]
((1, 3), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.exporter.opset import normalize_attrs
from webgrad.layers.base import Layer


class OpLayer(Layer):
    """Applies op-set op ``op`` with ``attrs``; see the module doc for ``signature`` and weights."""

    def __init__(self, op: str, attrs: dict[str, Any] | None = None, signature: list[str | None] | None = None,
                 weight_specs: list[dict[str, Any]] | None = None, weights: list[np.ndarray] | None = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.op = op
        self.attrs = normalize_attrs(op, attrs or {})
        self.signature = list(signature) if signature is not None else ["x"]
        bad = [s for s in self.signature if s not in ("x", "w", None)]
        if bad:
            raise ValueError(f"OpLayer signature entries must be 'x', 'w' or None, got {bad}")
        self.weight_specs = [{"shape": [int(d) for d in s["shape"]], "dtype": str(s["dtype"])}
                             for s in (weight_specs or [])]
        if self.signature.count("w") != len(self.weight_specs):
            raise ValueError(f"OpLayer {op}: signature {self.signature} has {self.signature.count('w')} weights, "
                             f"weight_specs has {len(self.weight_specs)}")
        n_x = self.signature.count("x")
        if n_x == 0:
            raise ValueError(f"OpLayer {op}: the signature needs at least one 'x' (a constant op is no layer)")
        self.n_inputs = 1 if n_x == 1 else None  # type: ignore[misc]
        self._initial = weights

    def build(self, input_shape: Any) -> None:
        for i, spec in enumerate(self.weight_specs):
            float_ = spec["dtype"] == "float32"
            w = self.add_weight(f"w{i}", tuple(spec["shape"]), "zeros", trainable=float_)
            if not float_:
                w.data = np.zeros(spec["shape"], spec["dtype"])
        if self._initial is not None:
            self.set_weights(self._initial)
            self._initial = None

    def call(self, inputs: Any, training: bool = False) -> Any:
        xs = iter(inputs if self.n_inputs is None else [inputs])
        ws = iter(self.weights)
        args = [None if s is None else next(xs) if s == "x" else next(ws) for s in self.signature]
        return ops.apply(self.op, *args, **self.attrs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "op": self.op, "attrs": dict(self.attrs), "signature": list(self.signature),
                "weight_specs": [dict(s) for s in self.weight_specs]}
