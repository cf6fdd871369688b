"""Reverse-mode differentiation over the op records that ``ops.apply`` leaves on Tensors.

Each op's gradient rule is its ``vjp`` in ``authoring/raw_ops/``; this module only walks the graph.
"""

from __future__ import annotations

from collections.abc import Sequence

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
