"""Sliding-window geometry and data movement for Conv2D and the 2-D pools (NHWC).

Everything loops over the KH*KW kernel offsets only: each offset is one strided slice of the padded
input covering every example and output pixel at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from webgrad.raw_ops._common import Dim, need_rank
from webgrad.raw_ops.registry import Array, Shape, ShapeError


@dataclass(frozen=True)
class Window:
    """Resolved geometry of a 2-D window op. Dims are ``None`` where the input size is unknown."""

    kernel: tuple[int, int]
    strides: tuple[int, int]
    dilations: tuple[int, int]
    pads: tuple[Dim, Dim, Dim, Dim]  # top, bottom, left, right
    out: tuple[Dim, Dim]

    @property
    def no_padding(self) -> bool:
        return not any(self.pads)

    def offsets(self) -> Iterator[tuple[int, int, slice, slice]]:
        """``(i, j, rows, cols)``: the padded-input slices that kernel offset ``(i, j)`` reads."""
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = self.kernel, self.strides, self.dilations, self.out
        assert oh is not None and ow is not None
        for i in range(kh):
            rows = slice(i * dh, i * dh + (oh - 1) * sh + 1, sh)
            for j in range(kw):
                yield i, j, rows, slice(j * dw, j * dw + (ow - 1) * sw + 1, sw)


def _pair(op: str, name: str, value: Sequence[int]) -> tuple[int, int]:
    if len(value) != 2 or any(v < 1 for v in value):
        raise ShapeError(f"{op}: {name} must be two positive ints, got {list(value)}")
    return int(value[0]), int(value[1])


def _same_pads(n: Dim, k: int, s: int, d: int) -> tuple[Dim, Dim]:
    if n is None:
        return None, None
    total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2  # the odd pixel goes to the bottom/right (TensorFlow)


def _out_dim(op: str, axis: str, n: Dim, k: int, s: int, d: int, lo: Dim, hi: Dim) -> Dim:
    if n is None or lo is None or hi is None:
        return None
    span = n + lo + hi - (k - 1) * d - 1
    if span < 0:
        raise ShapeError(
            f"{op}: the {axis} window ({(k - 1) * d + 1} with dilation) is larger than the padded input "
            f"({n} + {lo + hi} padding)"
        )
    return span // s + 1


def window(
    op: str,
    hw: tuple[Dim, Dim],
    kernel: Sequence[int],
    strides: Sequence[int],
    padding: Any,
    dilations: Sequence[int] = (1, 1),
    *,
    pool: bool = False,
) -> Window:
    """Resolves SAME/VALID/explicit padding and the output size (the Conv2D rule in the op set)."""
    k = _pair(op, "kernel size", kernel)
    s = _pair(op, "strides", strides)
    d = _pair(op, "dilations", dilations)
    h, w = hw
    if padding == "VALID":
        pads: tuple[Dim, Dim, Dim, Dim] = (0, 0, 0, 0)
    elif padding == "SAME":
        pads = (*_same_pads(h, k[0], s[0], d[0]), *_same_pads(w, k[1], s[1], d[1]))
    else:
        pads = tuple(int(p) for p in padding)
        if len(pads) != 4 or min(pads) < 0:
            raise ShapeError(f"{op}: padding must be 'SAME', 'VALID' or [top, bottom, left, right], got {padding!r}")
        if pool and (max(pads[:2]) >= k[0] or max(pads[2:]) >= k[1]):
            # A window made only of padding has no real element to take the max or mean of.
            raise ShapeError(f"{op}: padding {list(pads)} must be smaller than the pool size {list(k)}")
    if padding == "SAME":
        out = (None if h is None else -(-h // s[0]), None if w is None else -(-w // s[1]))
    else:
        out = (
            _out_dim(op, "height", h, k[0], s[0], d[0], pads[0], pads[1]),
            _out_dim(op, "width", w, k[1], s[1], d[1], pads[2], pads[3]),
        )
    return Window(k, s, d, pads, out)


def pad(x: Array, win: Window, value: float = 0.0) -> Array:
    """``x`` (NHWC) with the window's padding around H and W, filled with ``value``."""
    if win.no_padding:
        return x
    t, b, left, r = win.pads
    n, h, w, c = x.shape
    out = np.full((n, h + t + b, w + left + r, c), value, dtype=x.dtype)
    out[:, t : t + h, left : left + w] = x
    return out


def padded_zeros(x_shape: Sequence[int], win: Window, dtype: np.dtype) -> Array:
    """Zeros shaped like ``pad(x)``: the buffer window gradients are scattered into."""
    n, h, w, c = x_shape
    t, b, left, r = win.pads
    return np.zeros((n, h + t + b, w + left + r, c), dtype=dtype)


def unpad(xp: Array, win: Window, hw: tuple[int, int]) -> Array:
    """Inverse of ``pad``: the interior of a padded NHWC array."""
    if win.no_padding:
        return xp
    t, left = win.pads[0], win.pads[2]
    return xp[:, t : t + hw[0], left : left + hw[1]]


def patches(xp: Array, win: Window) -> Array:
    """``[N, OH, OW, KH, KW, C]`` strided view (read-only) of the windows of a padded NHWC array."""
    n, _, _, c = xp.shape
    sn, sh, sw, sc = xp.strides
    shape = (n, *win.out, *win.kernel, c)
    (th, tw), (dh, dw) = win.strides, win.dilations
    return np.lib.stride_tricks.as_strided(xp, shape, (sn, sh * th, sw * tw, sh * dh, sw * dw, sc), writeable=False)


def im2col(x: Array, win: Window, groups: int = 1) -> Array:
    """Patches of ``x`` (NHWC, unpadded), copied once from a strided view of the padded input.

    groups == 1: ``[N, OH, OW, KH, KW, C]``, so ``reshape(N*OH*OW, KH*KW*C)`` matches an HWIO filter
    reshaped to ``[KH*KW*C, O]`` and the conv is one 2-D GEMM. (With dilation 1 the KW*C run of each
    kernel row is contiguous in the input, so the copy moves long runs, unlike a per-offset loop.)
    groups > 1: ``[G, N, OH, OW, KH, KW, C/G]``, ready for one batched GEMM over the groups.
    """
    n, _, _, c = x.shape
    (kh, kw), (oh, ow) = win.kernel, win.out
    if groups == 1 and (kh, kw) == (1, 1) and win.strides == (1, 1) and win.no_padding:
        return x.reshape(n, oh, ow, 1, 1, c)  # 1x1 conv: the input already is the column matrix
    view = patches(pad(x, win), win)
    if groups > 1:
        cg = c // groups
        *lead, sc = view.strides
        split = np.lib.stride_tricks.as_strided(view, (*view.shape[:5], groups, cg), (*lead, sc * cg, sc))
        view = split.transpose(5, 0, 1, 2, 3, 4, 6)
    cols = np.empty(view.shape, dtype=x.dtype)
    if kw * view.shape[-1] >= 32:
        np.copyto(cols, view)
        return cols
    # Few channels (a grey or RGB first layer): the runs are short, and copying one kernel offset at a
    # time runs along whole image rows instead.
    for i, j, _, _ in win.offsets():
        cols[..., i, j, :] = view[..., i, j, :]
    return cols


def col2im(cols: Array, win: Window, x_shape: tuple[int, ...], groups: int = 1) -> Array:
    """Adjoint of ``im2col``: scatter-adds patch gradients back to an ``x_shape`` array."""
    n, h, w, c = x_shape
    (kh, kw), (oh, ow) = win.kernel, win.out
    if groups == 1 and (kh, kw) == (1, 1) and win.strides == (1, 1) and win.no_padding:
        return cols.reshape(x_shape)
    dxp = padded_zeros(x_shape, win, cols.dtype)
    for i, j, rows, cs in win.offsets():
        if groups == 1:
            dxp[:, rows, cs, :] += cols[:, :, :, i, j, :]
        else:
            dxp[:, rows, cs, :] += cols[:, :, :, :, i, j, :].transpose(1, 2, 3, 0, 4).reshape(n, oh, ow, c)
    return unpad(dxp, win, (h, w))


def pool_window(op: str, x_shape: Shape, attrs: dict[str, Any]) -> Window:
    """The window of MaxPool2D/AvgPool2D (dilation 1) for an NHWC input shape."""
    need_rank(op, "x (NHWC)", x_shape, 4)
    return window(op, (x_shape[1], x_shape[2]), attrs["pool_size"], attrs["strides"], attrs["padding"], pool=True)


def pool_shape(op: str) -> Callable[..., tuple[Shape, str]]:
    """The ``pool2d`` shape rule: ``[N, OH, OW, C]``."""

    def shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
        x = tuple(shapes[0])
        win = pool_window(op, x, attrs)
        return (x[0], *win.out, x[3]), "float32"

    return shape


def disjoint(win: Window) -> bool:
    """Whether no two windows share an input pixel, so gradients can be written instead of added."""
    (kh, kw), (sh, sw), (dh, dw) = win.kernel, win.strides, win.dilations
    return (kh - 1) * dh < sh and (kw - 1) * dw < sw
