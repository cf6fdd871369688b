"""Rearranging entries by position: ``roll``, ``rot90``, ``depth_to_space``, ``space_to_depth``, from the
op set's Gather, Transpose and Reshape (the moved axes must have known sizes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad import raw_ops
from webgrad.ops.core import as_float, convert_to_tensor
from webgrad.ops.shapes import flip, ravel, reshape, swapaxes


def _known(x: Any, axis: int, fn: str) -> int:
    n = x.shape[axis]
    if n is None:
        raise ValueError(f"wg.ops.{fn}: axis {axis} of {tuple(x.shape)} must have a known size")
    return int(n)


def _gatherable(x: Any) -> Any:
    return x if x.dtype in ("float32", "int32") else as_float(x)


def roll(x: Any, shift: int | Sequence[int], axis: int | Sequence[int] | None = None) -> Any:
    """``x`` with its entries shifted by ``shift`` along ``axis`` (of ``x`` flattened when None), wrapping
    around, as ``keras.ops.roll``.

    >>> roll(np.array([1, 2, 3]), 1).numpy()
    array([3, 1, 2], dtype=int32)
    """
    x = _gatherable(convert_to_tensor(x))
    if axis is None:
        shape = list(x.shape)
        return reshape(roll(ravel(x), shift, 0), [-1 if d is None else d for d in shape])
    shifts = [shift] if isinstance(shift, int | np.integer) else list(shift)
    axes = [axis] if isinstance(axis, int | np.integer) else list(axis)
    for s, a in zip(np.broadcast_to(shifts, len(axes)), axes, strict=True):
        n = _known(x, a, "roll")
        x = raw_ops.Gather(x, ((np.arange(n) - int(s)) % n).astype(np.int32), axis=int(a))
    return x


def rot90(array: Any, k: int = 1, axes: tuple[int, int] = (0, 1)) -> Any:
    """``array`` rotated by ``k`` quarter turns in the plane of ``axes``, as ``keras.ops.rot90``.

    >>> rot90(np.array([[1, 2], [3, 4]])).numpy()
    array([[2, 4],
           [1, 3]], dtype=int32)
    """
    x = convert_to_tensor(array)
    a, b = axes
    k %= 4
    if k == 1:
        return swapaxes(flip(x, b), a, b)
    if k == 2:
        return flip(flip(x, a), b)
    if k == 3:
        return flip(swapaxes(x, a, b), b)
    return x


def _channels_last(data_format: str, fn: str) -> None:
    if data_format != "channels_last":
        raise NotImplementedError(f"wg.ops.{fn}: data_format={data_format!r} is not supported yet (channels_last)")


def depth_to_space(x: Any, block_size: int, data_format: str = "channels_last") -> Any:
    """``(B, H, W, C * b * b)`` to ``(B, H * b, W * b, C)``, as ``keras.ops.depth_to_space``.

    >>> depth_to_space(np.arange(4.0).reshape(1, 1, 1, 4), 2).numpy()[0, :, :, 0]
    array([[0., 1.],
           [2., 3.]], dtype=float32)
    """
    _channels_last(data_format, "depth_to_space")
    x = convert_to_tensor(x)
    h, w, c, b = _known(x, 1, "depth_to_space"), _known(x, 2, "depth_to_space"), _known(x, 3, "depth_to_space"), \
        int(block_size)
    y = raw_ops.Reshape(x, shape=[0, h, w, b, b, c // (b * b)])
    y = raw_ops.Transpose(y, perm=[0, 1, 3, 2, 4, 5])
    return raw_ops.Reshape(y, shape=[0, h * b, w * b, c // (b * b)])


def space_to_depth(x: Any, block_size: int, data_format: str = "channels_last") -> Any:
    """``(B, H * b, W * b, C)`` to ``(B, H, W, C * b * b)``, as ``keras.ops.space_to_depth``.

    >>> space_to_depth(np.arange(4.0).reshape(1, 2, 2, 1), 2).numpy().ravel()
    array([0., 1., 2., 3.], dtype=float32)
    """
    _channels_last(data_format, "space_to_depth")
    x = convert_to_tensor(x)
    h, w, c, b = _known(x, 1, "space_to_depth"), _known(x, 2, "space_to_depth"), _known(x, 3, "space_to_depth"), \
        int(block_size)
    y = raw_ops.Reshape(x, shape=[0, h // b, b, w // b, b, c])
    y = raw_ops.Transpose(y, perm=[0, 1, 3, 2, 4, 5])
    return raw_ops.Reshape(y, shape=[0, h // b, w // b, c * b * b])
