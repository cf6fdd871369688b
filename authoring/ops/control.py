"""Keras's control-flow ops, unrolled in Python: ``fori_loop``, ``scan``, ``map``, ``cond``, ``switch``.

The op set has no loops or branches, so a loop runs its body once per step (in a traced ``call``, each
step becomes its own ops) and a branch is chosen by a Python value (a concrete predicate or index).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from webgrad.ops.core import convert_to_numpy
from webgrad.ops.shapes import stack, unstack
from webgrad.tensor import SymbolicTensor


def _concrete(value: Any, fn: str, what: str) -> Any:
    if isinstance(value, SymbolicTensor):
        raise NotImplementedError(f"wg.ops.{fn} with a symbolic {what} is not supported yet: the op set has no "
                                  "branches or loops, so it must be a Python or eager value")
    return convert_to_numpy(value).item() if not isinstance(value, bool | int | float) else value


def fori_loop(lower: int, upper: int, body_fun: Callable[[int, Any], Any], init_val: Any) -> Any:
    """``val = body_fun(i, val)`` for ``i`` from ``lower`` to ``upper``, as ``keras.ops.fori_loop``.

    >>> fori_loop(0, 3, lambda i, v: v + i, 10)
    13
    """
    val = init_val
    for i in range(int(_concrete(lower, "fori_loop", "bound")), int(_concrete(upper, "fori_loop", "bound"))):
        val = body_fun(i, val)
    return val


def scan(f: Callable[[Any, Any], tuple[Any, Any]], init: Any, xs: Any = None, length: int | None = None,
         reverse: bool = False, unroll: int | bool = 1) -> tuple[Any, Any]:
    """``carry, y = f(carry, x)`` over the first axis of ``xs`` (or ``length`` steps of ``None``), the
    ``y`` stacked, as ``keras.ops.scan``.

    >>> carry, ys = scan(lambda c, x: (c + x, c), np.float32(0), np.array([1.0, 2.0, 3.0]))
    >>> float(np.asarray(carry)), ys.numpy()
    (6.0, array([0., 1., 3.], dtype=float32))
    """
    steps = [None] * int(length) if xs is None else unstack(xs, num=length, axis=0)
    if reverse:
        steps = steps[::-1]
    carry, ys = init, []
    for x in steps:
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys = ys[::-1]
    return carry, (stack(ys) if ys and ys[0] is not None else None)


def map(f: Callable[[Any], Any], xs: Any) -> Any:
    """``f`` applied to each entry of ``xs`` along its first axis, the results stacked, as ``keras.ops.map``.

    >>> map(lambda row: row * 2.0, np.array([[1.0], [2.0]])).numpy()
    array([[2.],
           [4.]], dtype=float32)
    """
    return stack([f(x) for x in unstack(xs, axis=0)])


def cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """``true_fn()`` if ``pred`` else ``false_fn()`` (``pred`` a Python or eager value), as ``keras.ops.cond``.

    >>> cond(np.array(True), lambda: 1, lambda: 2)
    1
    """
    return true_fn() if bool(_concrete(pred, "cond", "predicate")) else false_fn()


def switch(index: Any, branches: Sequence[Callable[..., Any]], *operands: Any) -> Any:
    """``branches[index](*operands)`` (``index`` clamped to the branches, a Python or eager value), as
    ``keras.ops.switch``.

    >>> switch(5, [lambda x: x + 1, lambda x: x * 10], 2)
    20
    """
    i = int(np.clip(int(_concrete(index, "switch", "index")), 0, len(branches) - 1))
    return branches[i](*operands)
