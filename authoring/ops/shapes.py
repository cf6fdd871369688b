"""Moving entries around: ``reshape``, ``expand_dims``, ``transpose``, ``concatenate``, ``stack``,
``split``, ``take``... from the op set's Reshape, Transpose, Concat, Slice and Gather.

A symbolic tensor's unknown dims (the batch) are carried by Reshape's ``0`` (copy the input dim at
the same position) or its one ``-1`` (inferred), so these also run inside a traced ``call``.
"""

from __future__ import annotations

import builtins  # `slice` below is Keras's op; get_item needs Python's
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


def _full_block(x: TensorLike, axis: int, size: int, value: float) -> Any:
    """A tensor like ``x`` but ``size`` long on ``axis``, every entry ``value``: a constant when x's shape
    is known, else made from x's first slice (``x[..., :1, ...] * 0 + value``) to carry its unknown dims."""
    dims = list(x.shape)
    dims[axis] = size
    if None not in dims:
        return np.full(dims, value, np.float32)
    edge = raw_ops.Slice(as_float(x), starts=[0], ends=[1], axes=[axis]) * np.float32(0) + np.float32(value)
    return edge if size == 1 else raw_ops.Concat(*[edge] * size, axis=axis)


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> Any:
    """``x`` with ``pad_width`` entries of ``constant_values`` (0) added before/after each axis, as
    ``keras.ops.pad`` (``mode="constant"`` only).

    >>> pad(np.ones((1, 2), np.float32), ((0, 0), (1, 2))).numpy()
    array([[0., 1., 1., 0., 0.]], dtype=float32)
    """
    if mode != "constant":
        raise NotImplementedError(f"wg.ops.pad(mode={mode!r}) is not supported yet (mode='constant')")
    x = convert_to_tensor(x)
    rank = len(x.shape)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64).reshape(-1, 2) if np.ndim(pad_width) else
                             np.asarray([[pad_width, pad_width]]), (rank, 2))
    value = 0.0 if constant_values is None else float(constant_values)
    out = as_float(x)
    for axis, (before, after) in enumerate(widths.tolist()):
        parts = ([_full_block(out, axis, before, value)] if before else []) + [out] + \
                ([_full_block(out, axis, after, value)] if after else [])
        if len(parts) > 1:
            out = raw_ops.Concat(*parts, axis=axis)
    return cast(out, x.dtype) if x.dtype != "float32" else out


def slice(inputs: Any, start_indices: Sequence[int], shape: Sequence[int]) -> Any:
    """The block of ``inputs`` starting at ``start_indices`` with ``shape`` (-1: to the end), as
    ``keras.ops.slice``.

    >>> slice(np.arange(6).reshape(2, 3), (0, 1), (2, 2)).numpy()
    array([[1, 2],
           [4, 5]], dtype=int32)
    """
    x = convert_to_tensor(inputs)
    starts = [int(s) for s in start_indices]
    ends = [2**31 - 1 if int(n) == -1 else s + int(n) for s, n in zip(starts, shape, strict=True)]
    return raw_ops.Slice(x, starts=starts, ends=ends, axes=list(range(len(starts))))


def tile(x: Any, repeats: int | Sequence[int]) -> Any:
    """``x`` repeated ``repeats[i]`` times along axis ``i``, as ``keras.ops.tile``.

    >>> tile(np.array([[1, 2]]), (2, 2)).numpy()
    array([[1, 2, 1, 2],
           [1, 2, 1, 2]], dtype=int32)
    """
    x = convert_to_tensor(x)
    reps = [int(repeats)] if isinstance(repeats, int | np.integer) else [int(r) for r in repeats]
    while len(x.shape) < len(reps):
        x = expand_dims(x, 0)
    reps = [1] * (len(x.shape) - len(reps)) + reps
    for axis, r in enumerate(reps):
        if r != 1:
            x = raw_ops.Concat(*[x] * r, axis=axis)
    return x


def repeat(x: Any, repeats: int | Sequence[int], axis: int | None = None) -> Any:
    """Each entry of ``x`` repeated ``repeats`` times along ``axis`` (of ``x`` flattened when None), as
    ``keras.ops.repeat`` (a Gather; that axis must have a known size).

    >>> repeat(np.array([1, 2]), 2).numpy()
    array([1, 1, 2, 2], dtype=int32)
    """
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = ravel(x), 0
    n = x.shape[_norm(axis, len(x.shape), "repeat")]
    if n is None:
        raise ValueError(f"wg.ops.repeat: axis {axis} of {tuple(x.shape)} must have a known size")
    index = np.repeat(np.arange(n, dtype=np.int32), np.asarray(repeats))
    return raw_ops.Gather(x if x.dtype in ("float32", "int32") else as_float(x), index, axis=axis)


def broadcast_to(x: Any, shape: Sequence[int]) -> Any:
    """``x`` broadcast to ``shape``, as ``keras.ops.broadcast_to``.

    >>> broadcast_to(np.array([1.0, 2.0]), (2, 2)).numpy()
    array([[1., 2.],
           [1., 2.]], dtype=float32)
    """
    x = convert_to_tensor(x)
    out = raw_ops.Add(as_float(x), np.zeros(tuple(int(s) for s in shape), np.float32))
    return cast(out, x.dtype) if x.dtype != "float32" else out


def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[Any]:
    """The slices of ``x`` along ``axis``, as ``keras.ops.unstack``.

    >>> [t.shape for t in unstack(np.zeros((2, 3)), axis=1)]
    [(2,), (2,), (2,)]
    """
    x = convert_to_tensor(x)
    n = x.shape[_norm(axis, len(x.shape), "unstack")] if num is None else num
    if n is None:
        raise ValueError(f"wg.ops.unstack: axis {axis} of {tuple(x.shape)} has an unknown size; pass num")
    return [squeeze(t, axis) for t in split(x, n, axis=axis)]


def hstack(xs: Sequence[Any]) -> Any:
    """The tensors joined along axis 1 (axis 0 for 1-D ones), as ``keras.ops.hstack``.

    >>> hstack([np.zeros((2, 1)), np.ones((2, 2))]).shape
    (2, 3)
    """
    ts = _common(xs)
    return raw_ops.Concat(*ts, axis=0 if len(ts[0].shape) == 1 else 1)


def vstack(xs: Sequence[Any]) -> Any:
    """The tensors (1-D ones as rows) joined along axis 0, as ``keras.ops.vstack``.

    >>> vstack([np.zeros(2), np.ones(2)]).shape
    (2, 2)
    """
    ts = [expand_dims(t, 0) if len(t.shape) == 1 else t for t in _common(xs)]
    return raw_ops.Concat(*ts, axis=0)


def append(x1: Any, x2: Any, axis: int | None = None) -> Any:
    """``x2`` appended to ``x1`` along ``axis`` (both flattened when None), as ``keras.ops.append``.

    >>> append(np.array([1, 2]), np.array([[3]])).numpy()
    array([1, 2, 3], dtype=int32)
    """
    a, b = _common([x1, x2])
    if axis is None:
        a, b, axis = ravel(a), ravel(b), 0
    return raw_ops.Concat(a, b, axis=axis)


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """The diagonal ``offset`` of the ``(axis1, axis2)`` planes, as the last axis, as ``keras.ops.diagonal``
    (a Gather; both axes must have known sizes).

    >>> diagonal(np.arange(9.0).reshape(3, 3), 1).numpy()
    array([1., 5.], dtype=float32)
    """
    x = convert_to_tensor(x)
    rank = len(x.shape)
    a, b = _norm(axis1, rank, "diagonal"), _norm(axis2, rank, "diagonal")
    moved = transpose(x, [i for i in range(rank) if i not in (a, b)] + [a, b])
    n, m = moved.shape[-2], moved.shape[-1]
    if n is None or m is None:
        raise ValueError(f"wg.ops.diagonal: axes {axis1} and {axis2} of {tuple(x.shape)} must have known sizes")
    rows = np.arange(max(0, -offset), min(n, m - offset)) if -n < offset < m else np.arange(0)
    flat = raw_ops.Reshape(moved, shape=[0] * (rank - 2) + [n * m]) if rank > 2 else raw_ops.Reshape(moved,
                                                                                                     shape=[n * m])
    index = (rows * m + rows + offset).astype(np.int32)
    return raw_ops.Gather(flat if flat.dtype in ("float32", "int32") else as_float(flat), index, axis=-1)


def get_item(x: Any, key: Any) -> Any:
    """``x[key]`` for integers, slices with positive steps, ``None`` and ``...``, as ``keras.ops.get_item``
    (a Slice, then a Reshape for the integer and ``None`` entries).

    >>> get_item(np.arange(12).reshape(3, 4), np.s_[1:, -1]).numpy()
    array([ 7, 11], dtype=int32)
    """
    x = convert_to_tensor(x)
    keys = list(key) if isinstance(key, tuple) else [key]
    if any(not isinstance(k, int | np.integer | type(None) | type(...) | builtins.slice) for k in keys):
        raise NotImplementedError(f"wg.ops.get_item with key {key!r} is not supported yet (ints, slices, None, ...)")
    if keys.count(...) > 1:
        raise IndexError("wg.ops.get_item: an index can only have a single ellipsis")
    indexed = sum(1 for k in keys if k is not None and k is not ...)
    if ... in keys:
        i = keys.index(...)
        keys[i:i + 1] = [builtins.slice(None)] * (len(x.shape) - indexed)
    keys += [builtins.slice(None)] * (len(x.shape) - sum(1 for k in keys if k is not None))
    starts, ends, axes, steps, out, source = [], [], [], [], [], []
    axis = 0
    for k in keys:
        if k is None:
            out.append(1)
            source.append(None)
            continue
        n = x.shape[axis]
        if isinstance(k, builtins.slice):
            if k.step is not None and k.step <= 0:
                raise NotImplementedError("wg.ops.get_item with a non-positive slice step is not supported yet")
            if k != builtins.slice(None):
                starts.append(0 if k.start is None else int(k.start))
                ends.append(2**31 - 1 if k.stop is None else int(k.stop))
                axes.append(axis)
                steps.append(1 if k.step is None else int(k.step))
                n = None if n is None else len(range(*k.indices(n)))
            out.append(n)
            source.append(axis)
        else:
            i = int(k)
            if n is not None and not -n <= i < n:
                raise IndexError(f"wg.ops.get_item: index {i} is out of range for axis {axis} of size {n}")
            starts.append(i)
            ends.append(2**31 - 1 if i == -1 else i + 1)
            axes.append(axis)
            steps.append(1)
        axis += 1
    y = raw_ops.Slice(x, starts=starts, ends=ends, axes=axes, steps=steps) if axes else x
    if len(out) == len(y.shape) and all(o == d for o, d in zip(out, y.shape, strict=True)):
        return y
    return _reshape_dims(y, out, source, "get_item")


def array_split(x: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Any]:
    """Like ``split``, but ``n`` sections need not be equal (the first ``size % n`` are one longer), as
    ``keras.ops.array_split``.

    >>> [t.shape for t in array_split(np.zeros(5), 2)]
    [(3,), (2,)]
    """
    if not isinstance(indices_or_sections, int | np.integer):
        return split(x, indices_or_sections, axis)
    x = convert_to_tensor(x)
    n, k = x.shape[_norm(axis, len(x.shape), "array_split")], int(indices_or_sections)
    if n is None:
        raise ValueError(f"wg.ops.array_split: axis {axis} of {tuple(x.shape)} must have a known size")
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    return split(x, list(itertools.accumulate(sizes))[:-1], axis)


def hsplit(x: Any, indices_or_sections: int | Sequence[int]) -> list[Any]:
    """``split`` along axis 1 (axis 0 for a 1-D ``x``), as ``keras.ops.hsplit``.

    >>> [t.shape for t in hsplit(np.zeros((2, 4)), 2)]
    [(2, 2), (2, 2)]
    """
    x = convert_to_tensor(x)
    return split(x, indices_or_sections, axis=0 if len(x.shape) == 1 else 1)


def vsplit(x: Any, indices_or_sections: int | Sequence[int]) -> list[Any]:
    """``split`` along axis 0, as ``keras.ops.vsplit``.

    >>> [t.shape for t in vsplit(np.zeros((4, 2)), 2)]
    [(2, 2), (2, 2)]
    """
    return split(x, indices_or_sections, axis=0)


def dsplit(x: Any, indices_or_sections: int | Sequence[int]) -> list[Any]:
    """``split`` along axis 2, as ``keras.ops.dsplit``.

    >>> [t.shape for t in dsplit(np.zeros((1, 2, 4)), 2)]
    [(1, 2, 2), (1, 2, 2)]
    """
    return split(x, indices_or_sections, axis=2)


def dstack(xs: Sequence[Any]) -> Any:
    """The tensors (made at least 3-D as numpy does) joined along axis 2, as ``keras.ops.dstack``.

    >>> dstack([np.zeros((2, 3)), np.ones((2, 3))]).shape
    (2, 3, 2)
    """
    ts = []
    for t in _common(xs):
        if len(t.shape) == 1:
            t = expand_dims(t, (0, 2))
        elif len(t.shape) == 2:
            t = expand_dims(t, 2)
        ts.append(t)
    return raw_ops.Concat(*ts, axis=2)
