"""Image augmentation that runs only while training (identity at inference, so it vanishes at export),
with Keras 3's arguments and rules: RandomFlip, RandomCrop, RandomRotation, RandomZoom.

Each layer draws from its own generator (``seed`` makes the draws reproducible). The pixels move by
op-set ops (Gather, Slice, weighted sums), so a gradient still flows if such a layer is not first.
As in Keras, a layer called directly augments (its ``training`` defaults to True); inside a model it
follows the model's call: ``fit`` augments, ``predict``/``evaluate`` do not.

>>> import numpy as np, webgrad as wg
>>> x = np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1)
>>> flip = wg.layers.RandomFlip("horizontal", seed=0)
>>> bool((flip(x, training=False) == x).all())  # inference: identity
True
>>> sorted({tuple(flip(x).numpy()[0, 0, :, 0].tolist()) for _ in range(20)})  # kept or mirrored
[(0.0, 1.0), (1.0, 0.0)]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.layers._random_draws import RandomDraws
from webgrad.layers._resample import FILL_MODES, INTERPOLATIONS, affine_transform
from webgrad.layers.base import Layer
from webgrad.layers.conv import channels_last_only
from webgrad.tensor import SymbolicTensor, Tensor

HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL = "horizontal", "vertical", "horizontal_and_vertical"


class _Augmentation(RandomDraws, Layer):
    """Shared: ``seed``, ``data_format``, the 4-D (or unbatched 3-D) input check, and ``call`` that
    is the identity unless training on arrays."""

    def __init__(self, seed: int | None = None, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.seed = seed
        self.data_format = channels_last_only(type(self).__name__, data_format)

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) not in (3, 4):
            raise ValueError(f"{type(self).__name__} expects images [batch, height, width, channels] "
                             f"(or one image without the batch axis), got input shape {input_shape}")

    def call(self, x: Any, training: bool = True) -> Any:  # Keras's default for augmentation layers
        if not training or isinstance(x, SymbolicTensor):
            return x
        self.check_drawable(x)
        if str(x.dtype) != "float32":
            x = ops.Cast(x, to="float32")
        if len(x.shape) == 3:  # one image: as a batch of one
            return ops.Reshape(self.augment(ops.Reshape(x, shape=[1, *x.shape])), shape=list(x.shape))
        return self.augment(x)

    def augment(self, x: Any) -> Any:
        """``x`` ``[N, H, W, C]`` float32, augmented (training only)."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed, "data_format": self.data_format}


class RandomFlip(_Augmentation):
    """Mirrors each image with probability 1/2: left-right (``"horizontal"``), up-down
    (``"vertical"``), or both at once (``"horizontal_and_vertical"``, Keras's default)."""

    def __init__(self, mode: str = HORIZONTAL_AND_VERTICAL, seed: int | None = None, **kwargs: Any):
        super().__init__(seed=seed, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(f"RandomFlip mode must be {HORIZONTAL!r}, {VERTICAL!r} or {HORIZONTAL_AND_VERTICAL!r}, "
                             f"got {mode!r}")
        self.mode = mode

    def augment(self, x: Any) -> Any:
        # one draw per image decides for both axes, as in Keras; where(flip, flipped, x) as a 0/1 blend
        flip = (self.uniform((x.shape[0], 1, 1, 1)) <= np.float32(0.5)).astype(np.float32)
        axes = [a for a, on in ((2, self.mode != VERTICAL), (1, self.mode != HORIZONTAL)) if on]
        flipped = x
        for axis in axes:
            reverse = np.arange(x.shape[axis] - 1, -1, -1, dtype=np.int32)
            flipped = ops.Gather(flipped, reverse, axis=axis)
        return ops.Add(ops.Mul(flipped, Tensor(flip)), ops.Mul(x, Tensor(np.float32(1) - flip)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mode": self.mode}


class RandomCrop(_Augmentation):
    """Crops a random ``height`` x ``width`` window (one offset per batch, as in Keras) while training.

    As in Keras, inference returns the input unchanged (not cropped). An input already of the crop
    size (or matching it on one side) is center-cropped; inputs smaller than the crop need a resize,
    which is not supported yet.
    """

    def __init__(self, height: int, width: int, seed: int | None = None, **kwargs: Any):
        super().__init__(seed=seed, **kwargs)
        if int(height) <= 0 or int(width) <= 0:
            raise ValueError(f"RandomCrop height and width must be positive, got {height!r} and {width!r}")
        self.height, self.width = int(height), int(width)

    def augment(self, x: Any) -> Any:
        h, w = int(x.shape[1]), int(x.shape[2])
        if h > self.height and w > self.width:
            # the window by Gather with drawn rows and columns (works on traced draws too)
            xp = self.xp()
            draw = self.uniform((2,))
            top = (draw[0] * np.float32(h - self.height + 1)).astype(np.int32)
            left = (draw[1] * np.float32(w - self.width + 1)).astype(np.int32)
            x = ops.Gather(x, Tensor(top + xp.arange(self.height, dtype=np.int32)), axis=1)
            return ops.Gather(x, Tensor(left + xp.arange(self.width, dtype=np.int32)), axis=2)
        # Keras: the largest window of the crop's aspect ratio, centered, then resized to the crop
        ch = max(min(h, int(w * self.height / self.width)), 1)
        cw = max(min(w, int(h * self.width / self.height)), 1)
        if (ch, cw) != (self.height, self.width):
            raise NotImplementedError(f"RandomCrop of {self.height}x{self.width} from {h}x{w} images needs a "
                                      "resize, which is not supported yet")
        top, left = (h - ch) // 2, (w - cw) // 2
        return ops.Slice(x, starts=[top, left], ends=[top + self.height, left + self.width], axes=[1, 2])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}


def _factor_range(layer: str, name: str, factor: Any) -> tuple[float, float]:
    """Keras's ``factor``: a number ``f`` in [-1, 1] means ``(-|f|, |f|)``; a pair means itself (sorted)."""
    bad = f"{layer} {name} must be a number in [-1, 1] or a pair of them, got {factor!r}"
    if isinstance(factor, list | tuple):
        if len(factor) != 2 or not all(isinstance(f, int | float) for f in factor):
            raise ValueError(bad)
        lower, upper = sorted(float(f) for f in factor)
        if lower > 1 or upper < -1:
            raise ValueError(bad)
        return lower, upper
    if not isinstance(factor, int | float) or not -1 <= factor <= 1:
        raise ValueError(bad)
    return -abs(float(factor)), abs(float(factor))


class _AffineAugmentation(_Augmentation):
    """Shared by rotation and zoom: the fill and interpolation arguments and the resampling."""

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, **kwargs: Any):
        super().__init__(seed=seed, **kwargs)
        name = type(self).__name__
        if fill_mode not in FILL_MODES:
            raise NotImplementedError(f"{name} fill_mode {fill_mode!r} is not supported; expected one of {FILL_MODES}")
        if interpolation not in INTERPOLATIONS:
            raise NotImplementedError(f"{name} interpolation {interpolation!r} is not supported; expected one of "
                                      f"{INTERPOLATIONS}")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, float(fill_value)

    def transforms(self, n: int, h: int, w: int) -> Any:
        """``[n, 8]`` affine transforms (output pixel -> input pixel), one per image."""
        raise NotImplementedError

    def augment(self, x: Any) -> Any:
        n, h, w = (int(d) for d in x.shape[:3])
        return affine_transform(self.xp(), x, self.transforms(n, h, w), self.interpolation, self.fill_mode,
                                self.fill_value)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                "interpolation": self.interpolation}


class RandomRotation(_AffineAugmentation):
    """Rotates each image about its center by a random angle in ``factor * 360`` degrees
    (``factor=0.1``: up to 36 degrees either way; positive is counter-clockwise)."""

    def __init__(self, factor: float | tuple, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, **kwargs: Any):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         **kwargs)
        self.factor = _factor_range("RandomRotation", "factor", factor)

    def transforms(self, n: int, h: int, w: int) -> Any:
        xp = self.xp()
        lower, upper = (np.float32(f * 360.0) for f in self.factor)
        angle = (lower + (upper - lower) * self.uniform((n,))) * np.float32(math.pi / 180.0)
        cos, sin = xp.cos(angle), xp.sin(angle)
        cx, cy = np.float32(0.5 * (w - 1)), np.float32(0.5 * (h - 1))
        zero = xp.zeros_like(angle)
        # rotation about (cx, cy), as Keras's _compute_affine_matrix with no shear, scale 1
        return xp.stack([cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos, zero, zero],
                        axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": list(self.factor)}


class RandomZoom(_AffineAugmentation):
    """Zooms each image about its center by a random factor: the sampled window is ``1 + f`` times the
    image for ``f`` drawn from ``height_factor`` (positive: zoom out, negative: zoom in); ``width_factor``
    draws the width separately (None: keep the aspect ratio)."""

    def __init__(self, height_factor: float | tuple, width_factor: float | tuple | None = None,
                 fill_mode: str = "reflect", interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, **kwargs: Any):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height = _factor_range("RandomZoom", "height_factor", height_factor)
        self._width = None if width_factor is None else _factor_range("RandomZoom", "width_factor", width_factor)

    def transforms(self, n: int, h: int, w: int) -> Any:
        xp = self.xp()

        def draw(bounds: tuple[float, float]) -> Any:
            lo, hi = np.float32(1 + bounds[0]), np.float32(1 + bounds[1])
            return lo + (hi - lo) * self.uniform((n,))

        hz = draw(self._height)
        wz = hz if self._width is None else draw(self._width)
        zero = xp.zeros_like(hz)
        x_off = np.float32((w - 1) / 2.0) * (np.float32(1) - wz)
        y_off = np.float32((h - 1) / 2.0) * (np.float32(1) - hz)
        return xp.stack([wz, zero, x_off, zero, hz, y_off, zero, zero], axis=1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        return {**config, "height_factor": _plain(self.height_factor), "width_factor": _plain(self.width_factor)}


def _plain(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v
