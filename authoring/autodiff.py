"""Reverse-mode differentiation over the op records that ``ops.apply`` leaves on Tensors.

Each op's gradient rule is its ``vjp`` in ``authoring/raw_ops/``; this module only walks the graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.tensor import Tensor


def _topo_order(root: Tensor) -> list[Tensor]:
    order: list[Tensor] = []
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        t, done = stack.pop()
        if done:
            order.append(t)
            continue
        if id(t) in seen:
            continue
        seen.add(id(t))
        stack.append((t, True))
        if t.node is not None:
            for x in t.node.inputs:
                if isinstance(x, Tensor) and x.requires_grad and id(x) not in seen:
                    stack.append((x, False))
    return order  # inputs before outputs


def gradients(
    loss: Tensor,
    wrt: Sequence[Tensor],
    *,
    seed: np.ndarray | None = None,
    per_example: bool = False,
) -> list[np.ndarray]:
    """Gradients of ``loss`` with respect to each tensor in ``wrt`` (zeros where unconnected).

    ``seed`` is the cotangent of ``loss`` (default: ones). With ``per_example=True``, ``loss`` is a
    vector of per-example losses and each gradient gets a leading batch axis: the gradient of every
    example separately (each ``wrt`` tensor must be consumed directly by ops with a
    ``vjp_per_example`` rule; batch norm over the batch mixes examples and is refused).

    >>> import numpy as np
    >>> from webgrad import raw_ops as ops
    >>> from webgrad.tensor import Variable
    >>> w = Variable(np.array([3.0], np.float32), "w")
    >>> gradients(ops.Mul(w, w), [w])[0]
    array([6.], dtype=float32)
    """
    targets = {id(t): t for t in wrt}
    grads: dict[int, np.ndarray] = {
        id(loss): np.ones_like(loss.data) if seed is None else np.asarray(seed, loss.data.dtype)
    }
    for t in reversed(_topo_order(loss)):
        g = grads.get(id(t))
        node = t.node
        if g is None or node is None:
            continue
        inputs = [x.data if isinstance(x, Tensor) else x for x in node.inputs]
        extra = {}
        if node.impl.takes_needs:
            extra["needs"] = [isinstance(x, Tensor) and x.requires_grad for x in node.inputs]
        flags = [per_example and isinstance(x, Tensor) and id(x) in targets for x in node.inputs]
        if any(flags):
            rule = node.impl.vjp_per_example
            if rule is None:
                raise NotImplementedError(
                    f"per-example gradients (DP-SGD) are not supported for weights used by op {node.impl.name}"
                )
            in_grads = rule(g, inputs, t.data, node.attrs, flags, **extra)
        else:
            in_grads = node.impl.vjp(g, inputs, t.data, node.attrs, **extra)
        for x, gx in zip(node.inputs, in_grads, strict=True):
            if gx is None or not isinstance(x, Tensor) or not x.requires_grad:
                continue
            prev = grads.get(id(x))
            grads[id(x)] = gx if prev is None else prev + gx
        if t is not loss and id(t) not in targets:
            grads.pop(id(t), None)  # free intermediate cotangents early
    out = []
    for w in wrt:
        g = grads.get(id(w))
        if g is None:
            shape = (loss.data.shape[0], *w.data.shape) if per_example else w.data.shape
            g = np.zeros(shape, w.data.dtype)
        out.append(g)
    return out


class GradientTape:
    """Keras/TensorFlow-style gradients for a custom ``train_step`` on the numpy backend.

    webgrad records every op on Tensors that need a gradient (the model's trainable weights, or a
    tensor passed to ``watch``), so the tape only marks the computation and asks ``gradients`` for
    the result. ``gradient`` returns numpy arrays in the structure of ``sources`` (zeros for a source
    the target does not depend on), ready for ``optimizer.apply_gradients(zip(grads, sources))``.
    A tape gives gradients once unless ``persistent=True``, as in TensorFlow.

    >>> import numpy as np
    >>> from webgrad import raw_ops as ops
    >>> from webgrad.tensor import Variable
    >>> w = Variable(np.array([3.0], np.float32), "w")
    >>> with GradientTape() as tape:
    ...     loss = ops.Mul(w, w)
    >>> tape.gradient(loss, [w])[0]
    array([6.], dtype=float32)
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._used = False

    def __enter__(self) -> GradientTape:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def watch(self, tensor: Any) -> None:
        """Records gradients flowing into ``tensor`` (or each tensor of a list) from now on."""
        for t in tensor if isinstance(tensor, list | tuple) else [tensor]:
            if not isinstance(t, Tensor):
                raise TypeError(f"GradientTape.watch takes webgrad Tensors, got {type(t).__name__} "
                                "(wrap an array as webgrad.tensor.Tensor(array) first)")
            t.requires_grad = True

    def gradient(self, target: Any, sources: Any, output_gradients: Any = None) -> Any:
        """d ``target`` / d each of ``sources`` (a Tensor, a list/tuple or a dict of them)."""
        if self._used and not self.persistent:
            raise RuntimeError("GradientTape.gradient can only be called once on a non-persistent tape; "
                               "use GradientTape(persistent=True) to call it several times")
        self._used = True
        if not isinstance(target, Tensor):
            raise TypeError(f"GradientTape.gradient: the target must be a webgrad Tensor computed from the "
                            f"sources (e.g. the loss from model.compute_loss), got {type(target).__name__}")
        if output_gradients is None and np.size(target.data) != 1:
            # TensorFlow would differentiate the sum; here that is almost always a per-example loss
            # vector (loss.call, a custom loss function), whose sum gives gradients batch-size times too large
            raise ValueError(f"GradientTape.gradient: the target of shape {tuple(np.shape(target.data))} is not a "
                             "scalar: reduce per-example losses with wg.ops.mean(...) (calling a loss object, "
                             "or model.compute_loss, gives the batch loss), or pass output_gradients")
        flat = list(sources.values()) if isinstance(sources, dict) else (
            list(sources) if isinstance(sources, list | tuple) else [sources])
        for s in flat:
            if not isinstance(s, Tensor):
                raise TypeError(f"GradientTape.gradient: sources must be webgrad Tensors/Variables "
                                f"(e.g. model.trainable_weights), got {type(s).__name__}")
        grads = gradients(target, flat, seed=output_gradients)
        if isinstance(sources, dict):
            return dict(zip(sources, grads, strict=True))
        if isinstance(sources, list | tuple):
            return grads
        return grads[0]
