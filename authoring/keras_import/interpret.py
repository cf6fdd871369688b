"""Runs a Keras model's jaxpr with op-set ops: each JAX primitive becomes the op-set ops that compute
it, so the result runs on numpy arrays (predict), on symbolic tensors (model building and export
capture) and records gradients, like any webgrad layer.

Shapes in the jaxpr may hold the symbolic batch dimension ``b``; a reshape target then gets ``-1``
there. Values that only constants feed (``reduce_window_sum`` of ones for average pooling, iota…) are
computed once with JAX and become constants. Primitives the op set cannot express raise
``NotImplementedError`` naming the primitive and where in the model it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.tensor import SymbolicTensor, Tensor

Handler = Callable[["Interpreter", Any, list[Any]], list[Any]]
HANDLERS: dict[str, Handler] = {}
# jit-wrapped helpers of jax.nn / jnp that become one op-set op instead of their insides
NAMED_CALLS: dict[str, Handler] = {}

# consumers that broadcast their operands numpy-style, or keep size-1 dimensions as they are
# (transpose, a further broadcast, elementwise functions), so a broadcast_in_dim feeding only them can
# stay a reshape (no materialised copy)
ELEMENTWISE = {
    "add", "sub", "mul", "div", "max", "min", "pow", "select_n", "clamp", "gt", "ge", "lt", "le", "eq", "ne",
    "and", "or", "not", "abs", "sign", "floor", "ceil", "neg", "exp", "log", "tanh", "logistic", "sqrt", "rsqrt",
    "integer_pow", "square", "erfc", "log1p", "expm1", "convert_element_type", "stop_gradient", "copy", "copy_p",
    "broadcast_in_dim", "transpose",
}


def handles(*names: str, table: dict[str, Handler] = HANDLERS) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in names:
            table[name] = fn
        return fn

    return register


def unsupported(what: str, eqn: Any, detail: str = "") -> NotImplementedError:
    where = str(getattr(getattr(eqn, "source_info", None), "name_stack", "") or "")
    at = f" (in {where})" if where else ""
    more = f": {detail}" if detail else ""
    return NotImplementedError(f"Keras import: {what}{at} is not supported yet{more}; the op set has no mapping for it")


def is_const(v: Any) -> bool:
    return isinstance(v, np.ndarray) and not isinstance(v, Tensor)


def reshape_target(shape: Any) -> list[int]:
    """A jaxpr shape as a Reshape target: a symbolic dimension (the batch, or a product with it) is -1."""
    dims = [d if isinstance(d, int) else -1 for d in shape]
    if dims.count(-1) > 1:
        raise NotImplementedError(f"Keras import: a reshape to {tuple(shape)} has several symbolic dimensions")
    return dims


def concrete(shape: Any) -> bool:
    return all(isinstance(d, int) for d in shape)


class _Gelu:
    """``erfc(-x / sqrt(2))`` while the rest of jax.nn.gelu's exact formula is being read: it becomes
    ``Gelu(x)`` when multiplied by ``0.5 * x``; used any other way, it is unsupported (no erfc op)."""

    def __init__(self, x: Any):
        self.x = x


class _Flipped:
    """A kernel reversed along some axes (and maybe transposed): what jax.lax.conv_transpose feeds its
    input-dilated convolution. Only that convolution may read it (it becomes ``Conv2DTranspose`` of
    the original kernel); the op set has no reversal op."""

    def __init__(self, source: Any, axes: frozenset[int], perm: tuple[int, ...] | None = None):
        self.source, self.axes, self.perm = source, axes, perm


# which primitives may read a pending value (they finish the pattern it belongs to)
PENDING_READERS = {_Gelu: {"mul"}, _Flipped: {"rev", "transpose", "conv_general_dilated"}}


class Interpreter:
    """Evaluates one closed jaxpr (and the jaxprs inside its calls) with op-set ops."""

    def __init__(self) -> None:
        self.producer: dict[int, tuple[str, list[Any]]] = {}  # id(value) -> (primitive, inputs)

    def run(self, closed: Any, args: list[Any]) -> list[Any]:
        jaxpr = closed.jaxpr
        env: dict[Any, Any] = {}
        for var, const in zip(jaxpr.constvars, closed.consts, strict=True):
            env[var] = np.asarray(const)
        full = self._needs_full_shape(jaxpr)
        for var, a in zip(jaxpr.invars, args, strict=True):
            env[var] = self.materialize(a, var.aval.shape, None) if var in full else a
        for eqn in jaxpr.eqns:
            vals = [self.read(env, v) for v in eqn.invars]
            outs = self.apply(eqn, vals)
            for var, out in zip(eqn.outvars, outs, strict=True):
                if var in full:
                    out = self.materialize(out, var.aval.shape, eqn)
                env[var] = out
        return [self.read(env, v) for v in jaxpr.outvars]

    @staticmethod
    def _needs_full_shape(jaxpr: Any) -> set[Any]:
        """The variables some consumer needs at their full (broadcast) shape."""
        full = set(v for v in jaxpr.outvars if not _is_literal(v))
        for eqn in jaxpr.eqns:
            if eqn.primitive.name not in ELEMENTWISE:
                full.update(v for v in eqn.invars if not _is_literal(v))
        return full

    @staticmethod
    def read(env: dict[Any, Any], v: Any) -> Any:
        if _is_literal(v):
            return np.asarray(v.val, dtype=v.aval.dtype)
        return env[v]

    def apply(self, eqn: Any, vals: list[Any]) -> list[Any]:
        name = eqn.primitive.name
        for v in vals:
            if type(v) in PENDING_READERS and name not in PENDING_READERS[type(v)]:
                what = "erfc" if isinstance(v, _Gelu) else "rev (a reversed array)"
                raise unsupported(what, eqn, "only inside the GELU formula or a transposed convolution")
        if all(is_const(v) for v in vals) and all(concrete(o.aval.shape) for o in eqn.outvars):
            return [np.asarray(o) for o in _fold(eqn, vals)]
        handler = HANDLERS.get(name)
        if handler is None:
            raise unsupported(f"JAX primitive {name!r}", eqn)
        outs = handler(self, eqn, vals)
        for o in outs:
            self.producer[id(o)] = (name, vals)
        return outs

    def produced_by(self, value: Any, name: str) -> list[Any] | None:
        """The inputs of ``value``'s producing primitive when it is ``name``."""
        p = self.producer.get(id(value))
        return p[1] if p is not None and p[0] == name else None

    def materialize(self, x: Any, shape: Any, eqn: Any) -> Any:
        """``x`` broadcast to the jaxpr ``shape`` (a reshape left it with size-1 dimensions)."""
        if type(x) in PENDING_READERS:
            return x  # checked where it is read
        have = tuple(np.shape(x)) if not isinstance(x, SymbolicTensor | Tensor) else tuple(x.shape)
        want = tuple(shape)
        if len(have) != len(want) or all(
            (h == w) or (not isinstance(w, int)) for h, w in zip(have, want, strict=True)
        ):
            return x
        if is_const(x) and concrete(want):
            return np.ascontiguousarray(np.broadcast_to(x, want))
        for h, w in zip(have, want, strict=True):
            if not isinstance(w, int) and h == 1:
                raise unsupported("a broadcast along the batch dimension", eqn)
        zeros = np.zeros([w if isinstance(w, int) else 1 for w in want], np.float32)
        return ops.Add(x, zeros)


def _is_literal(v: Any) -> bool:
    return type(v).__name__ == "Literal"


def _fold(eqn: Any, vals: list[Any]) -> list[Any]:
    """Computes an equation whose inputs are all constants, with JAX itself."""
    outs = eqn.primitive.bind(*vals, **eqn.params)
    return list(outs) if eqn.primitive.multiple_results else [outs]
