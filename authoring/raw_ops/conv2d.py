"""Conv2D: y = act(conv(x, w) + bias), x NHWC, w HWIO [KH, KW, C/groups, O], grouped and depthwise.

groups == 1 is im2col + one 2-D GEMM; 1 < groups < C is one batched GEMM over the groups;
depthwise (groups == C > 1) accumulates over the kernel offsets without building columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._activation import activate, activation_grad
from webgrad.raw_ops._common import batched_only, column_sums, need_rank, need_vector
from webgrad.raw_ops._window import Window, col2im, im2col, pad, padded_zeros, unpad, window
from webgrad.raw_ops.registry import Array, Shape, ShapeError, register


def _geometry(shapes: Sequence[Shape | None], attrs: dict[str, Any]) -> tuple[Window, Shape]:
    xs, ws, bs = shapes
    assert xs is not None and ws is not None
    need_rank("Conv2D", "x (NHWC)", xs, 4)
    need_rank("Conv2D", "w (HWIO)", ws, 4)
    n, h, w, c = xs
    kh, kw, cg, o = ws
    groups = attrs["groups"]
    if groups < 1:
        raise ShapeError(f"Conv2D: groups must be >= 1, got {groups}")
    if c is not None and cg is not None and cg * groups != c:
        raise ShapeError(
            f"Conv2D: x is {tuple(xs)} with {c} channels but w is {tuple(ws)}: "
            f"w[2] * groups = {cg} * {groups} = {cg * groups}, not {c}"
        )
    if o is not None and o % groups:
        raise ShapeError(f"Conv2D: w is {tuple(ws)}: its {o} output channels do not divide into {groups} groups")
    need_vector("Conv2D", "bias", bs, o, "w[3], the output channels")
    if kh is None or kw is None:
        raise ShapeError(f"Conv2D: the kernel size of w {tuple(ws)} must be known")
    win = window("Conv2D", (h, w), (kh, kw), attrs["strides"], attrs["padding"], attrs["dilations"])
    return win, (n, *win.out, o)


def _shape(shapes: Sequence[Shape | None], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    return _geometry(shapes, attrs)[1], "float32"


def _linear(x: Array, w: Array, b: Array | None, win: Window, groups: int) -> Array:
    """conv(x, w) + b, a fresh array the activation may overwrite."""
    n, c, (kh, kw, cg, o), (oh, ow) = x.shape[0], x.shape[3], w.shape, win.out
    if groups == 1:
        cols = im2col(x, win)
        y = (cols.reshape(-1, kh * kw * c) @ w.reshape(kh * kw * c, o)).reshape(n, oh, ow, o)
    elif groups == c:
        y = _depthwise(x, w, win)
    else:
        og = o // groups
        cols = im2col(x, win, groups).reshape(groups, -1, kh * kw * cg)
        wg = w.reshape(kh * kw * cg, groups, og).transpose(1, 0, 2)
        y = np.matmul(cols, wg).transpose(1, 0, 2).reshape(n, oh, ow, o)
    if b is not None:
        y += b
    return y


def _depthwise(x: Array, w: Array, win: Window) -> Array:
    n, c, kh, kw, o, (oh, ow) = x.shape[0], x.shape[3], w.shape[0], w.shape[1], w.shape[3], win.out
    mult = o // c
    xp = pad(x, win)
    wd = w.reshape(kh, kw, c, mult)
    y = np.zeros((n, oh, ow, c, mult), dtype=np.result_type(x, w))
    tmp = np.empty_like(y)
    for i, j, rows, cs in win.offsets():
        np.multiply(xp[:, rows, cs, :, None], wd[i, j], out=tmp)
        y += tmp
    return y.reshape(n, oh, ow, o)


def _forward(inputs: Sequence[Array | None], attrs: dict[str, Any]) -> Array:
    x, w, b = inputs
    assert x is not None and w is not None
    win, _ = _geometry([x.shape, w.shape, None if b is None else b.shape], attrs)
    y = _linear(x, w, b, win, attrs["groups"])
    return activate(y, attrs["activation"], attrs["alpha"], inplace=True)


def _vjp_per_example(
    g: Array, inputs: Sequence[Array | None], output: Array, attrs: dict[str, Any], per_example: Sequence[bool],
    needs: Sequence[bool] = (True, True, True),
) -> list[Array | None]:
    """Gradients; flagged filter and bias get one per example (the filter's from per-example columns)."""
    x, w, b = inputs
    assert x is not None and w is not None
    if per_example[0]:
        raise batched_only("Conv2D", "x")
    win, _ = _geometry([x.shape, w.shape, None if b is None else b.shape], attrs)
    groups = attrs["groups"]
    gz = activation_grad(g, output, attrs["activation"], attrs["alpha"], pre=lambda: _linear(x, w, b, win, groups))
    dx = _dx(gz, x, w, win, groups) if needs[0] else None
    if not needs[1]:
        dw = None
    else:
        dw = _dw_per_example(gz, x, w, win, groups) if per_example[1] else _dw(gz, x, w, win, groups)
    db = None if b is None or not needs[2] else column_sums(gz, per_example[2])
    return [dx, dw, db]


def _dx(gz: Array, x: Array, w: Array, win: Window, groups: int) -> Array:
    kh, kw, cg, o = w.shape
    n, oh, ow, _ = gz.shape
    if groups == 1:
        # One GEMM per kernel offset, added straight into the padded input gradient: cheaper than
        # one big GEMM followed by col2im, whose adds would read the column matrix with a stride.
        g2 = gz.reshape(-1, o)
        dxp = padded_zeros(x.shape, win, gz.dtype)
        for i, j, rows, cs in win.offsets():
            dxp[:, rows, cs, :] += (g2 @ w[i, j].T).reshape(n, oh, ow, cg)
        return unpad(dxp, win, x.shape[1:3])
    if groups == x.shape[3]:
        return _depthwise_dx(gz, x, w, win)
    og, kg = o // groups, kh * kw * cg
    gg = gz.reshape(-1, groups, og).transpose(1, 0, 2)  # [G, P, Og]
    wg = w.reshape(kg, groups, og).transpose(1, 2, 0)  # [G, Og, Kg]
    dcols = np.matmul(gg, wg).reshape(groups, n, oh, ow, kh, kw, cg)
    return col2im(dcols, win, x.shape, groups)


def _depthwise_dx(gz: Array, x: Array, w: Array, win: Window) -> Array:
    kh, kw, _, o = w.shape
    _, h, wd, c = x.shape
    mult = o // c
    w4 = w.reshape(kh, kw, c, mult)
    g5 = gz.reshape(*gz.shape[:3], c, mult)
    dxp = padded_zeros(x.shape, win, gz.dtype)
    for i, j, rows, cs in win.offsets():
        if mult == 1:
            dxp[:, rows, cs, :] += gz * w4[i, j, :, 0]
        else:
            dxp[:, rows, cs, :] += np.einsum("nhwcm,cm->nhwc", g5, w4[i, j])
    return unpad(dxp, win, (h, wd))


def _dw(gz: Array, x: Array, w: Array, win: Window, groups: int) -> Array:
    kh, kw, cg, o = w.shape
    c = x.shape[3]
    if groups == 1:
        k = kh * kw * cg
        return (im2col(x, win).reshape(-1, k).T @ gz.reshape(-1, o)).reshape(w.shape)
    if groups == c:
        xp = pad(x, win)
        g5 = gz.reshape(*gz.shape[:3], c, o // c)
        dw = np.empty((kh, kw, c, o // c), dtype=gz.dtype)
        for i, j, rows, cs in win.offsets():
            dw[i, j] = np.einsum("nhwc,nhwcm->cm", xp[:, rows, cs, :], g5)
        return dw.reshape(w.shape)
    og, kg = o // groups, kh * kw * cg
    cols = im2col(x, win, groups).reshape(groups, -1, kg)
    gg = gz.reshape(-1, groups, og).transpose(1, 0, 2)  # [G, P, Og]
    dw = np.matmul(cols.transpose(0, 2, 1), gg).reshape(groups, kh, kw, cg, og)
    return dw.transpose(1, 2, 3, 0, 4).reshape(w.shape)


def _dw_per_example(gz: Array, x: Array, w: Array, win: Window, groups: int) -> Array:
    """[N, KH, KW, C/G, O]: each example's filter gradient from its own im2col columns."""
    kh, kw, cg, o = w.shape
    n = x.shape[0]
    if groups == 1:
        cols = im2col(x, win).reshape(n, -1, kh * kw * cg)
        return np.matmul(cols.transpose(0, 2, 1), gz.reshape(n, -1, o)).reshape(n, *w.shape)
    og = o // groups
    cols = im2col(x, win, groups).reshape(groups, n, -1, kh * kw * cg)
    gg = gz.reshape(n, -1, groups, og).transpose(2, 0, 1, 3)  # [G, N, P, Og]
    dw = np.matmul(cols.transpose(0, 1, 3, 2), gg).reshape(groups, n, kh, kw, cg, og)
    return dw.transpose(1, 2, 3, 4, 0, 5).reshape(n, *w.shape)


register("Conv2D", forward=_forward, shape=_shape, vjp_per_example=_vjp_per_example)
