"""Moving entries around: ``reshape``, ``expand_dims``, ``transpose``, ``concatenate``, ``stack``,
``split``, ``take``... from the op set's Reshape, Transpose, Concat, Slice and Gather.

A symbolic tensor's unknown dims (the batch) are carried by Reshape's ``0`` (copy the input dim at
the same position) or its one ``-1`` (inferred), so these also run inside a traced ``call``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad import raw_ops
from webgrad.ops.core import TensorLike, as_float, cast, convert_to_tensor
from webgrad.raw_ops import ShapeError


def _norm(axis: int, rank: int, fn: str) -> int:
    if not -rank <= axis < rank:
        raise ValueError(f"wg.ops.{fn}: axis {axis} is out of range for a rank-{rank} tensor")
    return axis % rank


def _reshape_dims(x: TensorLike, out: Sequence[int | None], source: Sequence[int | None], fn: str) -> Any:
    """Reshape ``x`` to ``out``, where ``out[j]`` is unknown (None) only when it is input dim
    ``source[j]``: such a dim is copied by a ``0`` when it keeps its position, else it is the ``-1``."""
    spec: list[int] = []
    for j, (d, src) in enumerate(zip(out, source, strict=True)):
        if d is not None:
            spec.append(int(d))
        elif src == j:
            spec.append(0)
        elif -1 not in spec:
            spec.append(-1)
        else:
            raise ValueError(f"wg.ops.{fn}: cannot move more than one unknown dim of {tuple(x.shape)}")
    return raw_ops.Reshape(x, shape=spec)


def reshape(x: Any, newshape: Sequence[int] | int) -> Any:
    """``x`` with shape ``newshape`` (one ``-1`` is inferred), as ``keras.ops.reshape``.

    >>> reshape(np.arange(6), (-1, 3)).shape
    (2, 3)
    """
    x = convert_to_tensor(x)
    dims = [int(newshape)] if isinstance(newshape, int | np.integer) else [-1 if d is None else int(d)
                                                                           for d in newshape]
    if 0 in dims:
        raise NotImplementedError("wg.ops.reshape to a shape with a 0 dim is not supported yet")
    return raw_ops.Reshape(x, shape=dims)


def expand_dims(x: Any, axis: int | Sequence[int]) -> Any:
    """``x`` with new size-1 axes at ``axis``, as ``keras.ops.expand_dims``.

    >>> expand_dims(np.zeros((2, 3)), -1).shape
    (2, 3, 1)
    """
    x = convert_to_tensor(x)
    axes = [axis] if isinstance(axis, int | np.integer) else list(axis)
    rank = len(x.shape) + len(axes)
    new = {_norm(int(a), rank, "expand_dims") for a in axes}
    rest = iter(enumerate(x.shape))
    out, source = [], []
    for j in range(rank):
        i, d = (None, 1) if j in new else next(rest)
        out.append(d)
        source.append(i)
    return _reshape_dims(x, out, source, "expand_dims")


def squeeze(x: Any, axis: int | Sequence[int] | None = None) -> Any:
    """``x`` without its size-1 axes (or just those at ``axis``), as ``keras.ops.squeeze``.

    >>> squeeze(np.zeros((1, 2, 1))).shape
    (2,)
    """
    x = convert_to_tensor(x)
    rank = len(x.shape)
    if axis is None:
        drop = {i for i, d in enumerate(x.shape) if d == 1}
    else:
        drop = {_norm(int(a), rank, "squeeze") for a in ([axis] if isinstance(axis, int | np.integer) else axis)}
        for i in drop:
            if x.shape[i] not in (1, None):
                raise ValueError(f"wg.ops.squeeze: axis {i} of {tuple(x.shape)} has size {x.shape[i]}, not 1")
    kept = [(i, d) for i, d in enumerate(x.shape) if i not in drop]
    return _reshape_dims(x, [d for _, d in kept], [i for i, _ in kept], "squeeze")


def transpose(x: Any, axes: Sequence[int] | None = None) -> Any:
    """``x`` with its axes permuted (reversed by default), as ``keras.ops.transpose``.

    >>> transpose(np.zeros((2, 3))).shape
    (3, 2)
    """
    x = convert_to_tensor(x)
    rank = len(x.shape)
    perm = list(range(rank))[::-1] if axes is None else [_norm(int(a), rank, "transpose") for a in axes]
    return raw_ops.Transpose(x, perm=perm)


def swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    """``x`` with two axes exchanged, as ``keras.ops.swapaxes``.

    >>> swapaxes(np.zeros((1, 2, 3)), 0, 2).shape
    (3, 2, 1)
    """
    x = convert_to_tensor(x)
    perm = list(range(len(x.shape)))
    a, b = _norm(axis1, len(perm), "swapaxes"), _norm(axis2, len(perm), "swapaxes")
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(x, perm)


def moveaxis(x: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Any:
    """``x`` with axes moved from ``source`` to ``destination``, as ``keras.ops.moveaxis``.

    >>> moveaxis(np.zeros((1, 2, 3)), 0, -1).shape
    (2, 3, 1)
    """
    x = convert_to_tensor(x)
    rank = len(x.shape)
    src = [source] if isinstance(source, int | np.integer) else list(source)
    dst = [destination] if isinstance(destination, int | np.integer) else list(destination)
    src = [_norm(int(a), rank, "moveaxis") for a in src]
    dst = [_norm(int(a), rank, "moveaxis") for a in dst]
    order = [i for i in range(rank) if i not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return transpose(x, order)


def ravel(x: Any) -> Any:
    """``x`` flattened to 1-D, as ``keras.ops.ravel``.

    >>> ravel(np.zeros((2, 3))).shape
    (6,)
    """
    return raw_ops.Reshape(convert_to_tensor(x), shape=[-1])


def _common(xs: Sequence[Any]) -> list[Any]:
    ts = [convert_to_tensor(x) for x in xs]
    if len({t.dtype for t in ts}) > 1:
        ts = [as_float(t) for t in ts]
    return ts


def concatenate(xs: Sequence[Any], axis: int = 0) -> Any:
    """The tensors ``xs`` joined along ``axis``, as ``keras.ops.concatenate``.

    >>> concatenate([np.zeros((1, 2)), np.ones((2, 2))]).shape
    (3, 2)
    """
    return raw_ops.Concat(*_common(xs), axis=axis)


def stack(x: Sequence[Any], axis: int = 0) -> Any:
    """The tensors ``x`` stacked along a new axis, as ``keras.ops.stack``.

    >>> stack([np.zeros(2), np.ones(2)], axis=1).shape
    (2, 2)
    """
    return concatenate([expand_dims(t, axis) for t in _common(x)], axis=axis)


def split(x: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Any]:
    """``x`` cut along ``axis`` into equal sections or at the given indices, as ``keras.ops.split``.

    >>> [t.shape for t in split(np.zeros((5, 2)), [1, 3])]
    [(1, 2), (2, 2), (2, 2)]
    """
    x = convert_to_tensor(x)
    n = x.shape[_norm(axis, len(x.shape), "split")]
    if isinstance(indices_or_sections, int | np.integer):
        k = int(indices_or_sections)
        if n is None or n % k:
            raise ValueError(f"wg.ops.split: axis {axis} of {tuple(x.shape)} does not split into {k} equal sections")
        cuts = [n // k * i for i in range(1, k)]
    else:
        cuts = [int(i) for i in indices_or_sections]
    bounds = [0, *cuts, n if n is not None else 2**31 - 1]
    return [raw_ops.Slice(x, starts=[a], ends=[b], axes=[axis]) for a, b in itertools.pairwise(bounds)]


def _indices(indices: Any) -> Any:
    idx = convert_to_tensor(indices)
    return idx if idx.dtype == "int32" else cast(idx, "int32")


def take(x: Any, indices: Any, axis: int | None = None) -> Any:
    """The entries of ``x`` at ``indices`` along ``axis`` (of ``x`` flattened when None), as ``keras.ops.take``.

    >>> take(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1]), axis=1).numpy()
    array([[2.],
           [4.]], dtype=float32)
    """
    x = convert_to_tensor(x)
    if x.dtype not in ("float32", "int32"):
        x = as_float(x)
    if axis is None:
        x, axis = ravel(x), 0
    return raw_ops.Gather(x, _indices(indices), axis=axis)


def flip(x: Any, axis: int | Sequence[int] | None = None) -> Any:
    """``x`` with the order of entries reversed along ``axis`` (all axes when None), as ``keras.ops.flip``
    (a Gather; the flipped dims must be known).

    >>> flip(np.array([1, 2, 3])).numpy()
    array([3, 2, 1], dtype=int32)
    """
    x = convert_to_tensor(x)
    rank = len(x.shape)
    axes = range(rank) if axis is None else [axis] if isinstance(axis, int | np.integer) else axis
    for a in axes:
        n = x.shape[_norm(int(a), rank, "flip")]
        if n is None:
            raise ShapeError(f"wg.ops.flip: axis {a} of {tuple(x.shape)} has an unknown size")
        x = raw_ops.Gather(x, np.arange(n - 1, -1, -1, dtype=np.int32), axis=int(a))
    return x
