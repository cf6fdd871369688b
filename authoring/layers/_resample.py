"""Affine resampling of an NHWC batch in op-set ops, with the semantics of Keras's
``ops.image.affine_transform`` (JAX backend: ``jax.scipy.ndimage.map_coordinates``): output pixel
``(x, y)`` of image ``n`` samples the input at ``(a0 x + a1 y + a2, b0 x + b1 y + b2)`` from that image's
row ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (``c0``, ``c1`` must be 0), by nearest or bilinear
interpolation, with the ``reflect``/``wrap``/``nearest``/``constant`` fill modes.

The index arithmetic runs on plain arrays (numpy, or ``jax.numpy`` when the draws come from JAX);
the pixels move by ``Gather`` and weighted sums, so a gradient flows back to the input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.tensor import Tensor

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def _fix_index(xp: Any, index: Any, size: int, mode: str) -> Any:
    """Maps an integer index outside ``[0, size)`` back inside, as map_coordinates' modes do."""
    if mode == "nearest":
        return xp.clip(index, 0, size - 1)
    if mode == "wrap":
        return xp.mod(index, size)
    if mode == "reflect":  # half-sample symmetric: d c b a | a b c d | d c b a
        two = 2 * index + 1
        s = 2 * size  # half-wavelength of the mirrored wave over 2 * size + 1 samples
        mirrored = xp.abs(xp.mod(two + s, 2 * s) - s)
        return xp.floor_divide(mirrored - 1, 2)
    return xp.clip(index, 0, size - 1)  # constant: any valid row; its weight goes to the fill value


def _taps(xp: Any, coord: Any, interpolation: str) -> list[tuple[Any, Any]]:
    """(integer index, weight) pairs that interpolate at ``coord``."""
    if interpolation == "nearest":
        # round half away from zero, as JAX does
        index = (xp.sign(coord) * xp.floor(xp.abs(coord) + np.float32(0.5))).astype(np.int32)
        return [(index, xp.ones_like(coord))]
    lower = xp.floor(coord)
    upper_weight = coord - lower
    index = lower.astype(np.int32)
    return [(index, np.float32(1) - upper_weight), (index + 1, upper_weight)]


def affine_transform(xp: Any, x: Any, transforms: Any, interpolation: str, fill_mode: str,
                     fill_value: float) -> Any:
    """``x`` ``[N, H, W, C]`` (Tensor or array) resampled by the ``[N, 8]`` ``transforms``."""
    n, h, w, c = (int(d) for d in x.shape)
    t = transforms.astype(np.float32)
    rows = xp.arange(h, dtype=np.float32)[None, :, None]
    cols = xp.arange(w, dtype=np.float32)[None, None, :]

    def coef(i: int) -> Any:
        return t[:, i][:, None, None]

    src_x = coef(0) * cols + coef(1) * rows + coef(2)  # [N, H, W]
    src_y = coef(3) * cols + coef(4) * rows + coef(5)
    image = xp.arange(n, dtype=np.int32)[:, None, None] * (h * w)
    flat = ops.Reshape(x, shape=[n * h * w, c])
    out = None
    fill_weight = xp.zeros((n, h, w), np.float32)
    for iy, wy in _taps(xp, src_y, interpolation):
        for ix, wx in _taps(xp, src_x, interpolation):
            weight = (wy * wx).astype(np.float32)
            if fill_mode == "constant":
                inside = ((iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)).astype(np.float32)
                fill_weight = fill_weight + weight * (np.float32(1) - inside)
                weight = weight * inside
            index = image + _fix_index(xp, iy, h, fill_mode) * w + _fix_index(xp, ix, w, fill_mode)
            tap = ops.Mul(ops.Gather(flat, Tensor(index.reshape(-1).astype(np.int32)), axis=0),
                          Tensor(weight.reshape(-1, 1)))
            out = tap if out is None else ops.Add(out, tap)
    if fill_mode == "constant" and fill_value != 0:
        out = ops.Add(out, Tensor(fill_weight.reshape(-1, 1) * np.float32(fill_value)))
    return ops.Reshape(out, shape=[n, h, w, c])
