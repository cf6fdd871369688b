"""Layers that move, repeat, pad or cut values without arithmetic: ZeroPadding1D/2D (Pad),
Cropping1D/2D (Slice), UpSampling2D (Gather along height and width, blended for bilinear), Permute (Transpose),
RepeatVector (Gather), Identity.

>>> import numpy as np, webgrad as wg
>>> x = np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1)
>>> wg.layers.UpSampling2D(2)(x).numpy()[0, :, :, 0]
array([[0., 0., 1., 1.],
       [0., 0., 1., 1.],
       [2., 2., 3., 3.],
       [2., 2., 3., 3.]], dtype=float32)
>>> wg.layers.Cropping2D(((0, 1), (1, 0)))(x).numpy()[0, :, :, 0]
array([[1.]], dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.layers.base import Layer
from webgrad.layers.conv import channels_last_only


def int_pairs(layer: str, name: str, value: Any, n: int) -> tuple[tuple[int, int], ...]:
    """Keras's forms of per-axis (before, after) amounts for ``n`` axes: an int (all sides), ``n`` ints
    (symmetric per axis), or ``n`` pairs; for ``n == 1`` also one pair. Non-negative."""
    try:
        if isinstance(value, int | np.integer):
            pairs = [(int(value), int(value))] * n
        elif n == 1 and len(value) == 2 and all(isinstance(v, int | np.integer) for v in value):
            pairs = [(int(value[0]), int(value[1]))]
        elif len(value) == n and all(isinstance(v, int | np.integer) for v in value):
            pairs = [(int(v), int(v)) for v in value]
        elif len(value) == n:
            pairs = [(int(a), int(b)) for a, b in value]
        else:
            raise ValueError
    except (TypeError, ValueError):
        form = "an int or a pair of ints" if n == 1 else f"an int, {n} ints, or {n} pairs of ints"
        raise ValueError(f"{layer} {name} must be {form}, got {value!r}") from None
    if any(v < 0 for p in pairs for v in p):
        raise ValueError(f"{layer} {name} must not be negative, got {value!r}")
    return tuple(pairs)


class _Cropping(Layer):
    """Cuts ``cropping[i] = (before, after)`` from spatial axis ``i + 1``."""

    n_axes = 1

    def _set_cropping(self, cropping: Any) -> None:
        self.cropping = int_pairs(type(self).__name__, "cropping", cropping, self.n_axes)

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != self.n_axes + 2:
            raise ValueError(f"{type(self).__name__} expects {self.n_axes + 2}-D input, got {input_shape}")
        for i, (a, b) in enumerate(self.cropping):
            d = input_shape[i + 1]
            if d is not None and a + b >= d:
                raise ValueError(f"{type(self).__name__} cropping {self.cropping} leaves nothing of axis {i + 1} "
                                 f"(size {d}) of input {input_shape}")

    def call(self, x: Any, training: bool = False) -> Any:
        starts, ends = [], []
        for i, (a, b) in enumerate(self.cropping):
            d = x.shape[i + 1]
            starts.append(a)
            # an unknown size is cut from the end (numpy slice semantics; no cut: to the end)
            ends.append(d - b if d is not None else (-b if b else np.iinfo(np.int32).max))
        return ops.Slice(x, starts=starts, ends=ends, axes=list(range(1, self.n_axes + 1)))


class Cropping1D(_Cropping):
    """Cuts ``cropping = (before, after)`` steps from ``[N, steps, C]`` inputs."""

    def __init__(self, cropping: int | tuple = (1, 1), **kwargs: Any):
        super().__init__(**kwargs)
        self._set_cropping(cropping)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": list(self.cropping[0])}


class Cropping2D(_Cropping):
    """Cuts ``((top, bottom), (left, right))`` from ``[N, H, W, C]`` inputs (an int: all four sides;
    two ints: symmetric height and width cuts)."""

    n_axes = 2

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = channels_last_only("Cropping2D", data_format)
        self._set_cropping(cropping)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": [list(p) for p in self.cropping],
                "data_format": self.data_format}


class _ZeroPadding(Layer):
    """Adds ``padding[i] = (before, after)`` zeros on spatial axis ``i + 1``."""

    n_axes = 1

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != self.n_axes + 2:
            raise ValueError(f"{type(self).__name__} expects {self.n_axes + 2}-D input, got {input_shape}")

    def call(self, x: Any, training: bool = False) -> Any:
        pads = [0, 0, *[v for pair in self.padding for v in pair], 0, 0]  # batch and channels unpadded
        return ops.Pad(x, pads=pads)


class ZeroPadding1D(_ZeroPadding):
    """Adds ``padding = (before, after)`` zero steps to ``[N, steps, C]`` inputs (an int: both sides).

    >>> import numpy as np, webgrad as wg
    >>> wg.layers.ZeroPadding1D((1, 2))(np.ones((1, 2, 1), np.float32)).numpy().ravel().tolist()
    [0.0, 1.0, 1.0, 0.0, 0.0]
    """

    def __init__(self, padding: int | tuple = 1, data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = channels_last_only("ZeroPadding1D", data_format)
        self.padding = int_pairs("ZeroPadding1D", "padding", padding, 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": list(self.padding[0]), "data_format": self.data_format}


class ZeroPadding2D(_ZeroPadding):
    """Adds zero rows and columns to ``[N, H, W, C]`` inputs: ``((top, bottom), (left, right))``, two
    ints (symmetric height and width padding) or one int (all four sides)."""

    n_axes = 2

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = channels_last_only("ZeroPadding2D", data_format)
        self.padding = int_pairs("ZeroPadding2D", "padding", padding, 2)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": [list(p) for p in self.padding], "data_format": self.data_format}


class UpSampling2D(Layer):
    """Upsamples rows ``size[0]`` times and columns ``size[1]`` times: ``"nearest"`` repeats them,
    ``"bilinear"`` interpolates (half-pixel centers, as Keras)."""

    def __init__(self, size: int | tuple = (2, 2), data_format: str | None = None, interpolation: str = "nearest",
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = channels_last_only("UpSampling2D", data_format)
        s = int_pairs("UpSampling2D", "size", size, 2)
        self.size = (s[0][0], s[1][0])
        if any(v <= 0 for v in self.size):
            raise ValueError(f"UpSampling2D size must be positive, got {size!r}")
        interpolation = str(interpolation).lower()
        if interpolation not in ("nearest", "bilinear"):
            if interpolation in ("bicubic", "lanczos3", "lanczos5", "area"):
                raise NotImplementedError(f"UpSampling2D interpolation={interpolation!r} is not supported yet "
                                          "(only 'nearest' and 'bilinear')")
            raise ValueError(f"UpSampling2D interpolation must be 'nearest' or 'bilinear' (or one of Keras's other "
                             f"resize methods), got {interpolation!r}")
        self.interpolation = interpolation

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != 4 or input_shape[1] is None or input_shape[2] is None:
            raise ValueError(f"UpSampling2D expects 4-D input with known height and width, got {input_shape}")

    def call(self, x: Any, training: bool = False) -> Any:
        for axis, times in ((1, self.size[0]), (2, self.size[1])):
            if times == 1:
                continue
            n = x.shape[axis]
            if self.interpolation == "nearest":
                x = ops.Gather(x, np.repeat(np.arange(n, dtype=np.int32), times), axis=axis)
                continue
            # bilinear with half-pixel centers, edges clamped (jax.image.resize, as Keras on JAX): output
            # row i blends input rows floor(c) and floor(c) + 1 at c = (i + 0.5) / times - 0.5
            c = np.clip((np.arange(n * times, dtype=np.float64) + 0.5) / times - 0.5, 0, n - 1)
            lo = np.floor(c).astype(np.int32)
            hi = np.minimum(lo + 1, n - 1).astype(np.int32)
            shape = [1, 1, 1, 1]
            shape[axis] = n * times
            w_hi = (c - lo).astype(np.float32).reshape(shape)
            x = ops.Add(ops.Mul(ops.Gather(x, lo, axis=axis), np.float32(1) - w_hi),
                        ops.Mul(ops.Gather(x, hi, axis=axis), w_hi))
        return x

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": list(self.size), "data_format": self.data_format,
                "interpolation": self.interpolation}


class Permute(Layer):
    """Reorders the non-batch axes: ``dims`` is a permutation of ``1..rank-1`` (1-based, as in Keras).

    >>> import numpy as np, webgrad as wg
    >>> wg.layers.Permute((2, 1))(np.zeros((4, 3, 5), np.float32)).shape
    (4, 5, 3)
    """

    def __init__(self, dims: tuple | list, **kwargs: Any):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute dims must be a permutation of 1..{len(self.dims)}, got {dims!r}")

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(f"Permute dims {self.dims} need {len(self.dims) + 1}-D input, got {input_shape}")

    def call(self, x: Any, training: bool = False) -> Any:
        return ops.Transpose(x, perm=[0, *self.dims])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": list(self.dims)}


class RepeatVector(Layer):
    """``[N, F] -> [N, n, F]``: the input repeated ``n`` times.

    >>> import numpy as np, webgrad as wg
    >>> wg.layers.RepeatVector(3)(np.ones((2, 4), np.float32)).shape
    (2, 3, 4)
    """

    def __init__(self, n: int, **kwargs: Any):
        super().__init__(**kwargs)
        if not isinstance(n, int | np.integer) or n <= 0:
            raise TypeError(f"RepeatVector n must be a positive int, got {n!r}")
        self.n = int(n)

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != 2 or input_shape[1] is None:
            raise ValueError(f"RepeatVector expects 2-D input (batch, features), got {input_shape}")

    def call(self, x: Any, training: bool = False) -> Any:
        # [N, F] -> [N, 1, F], then row 0 gathered n times along axis 1
        return ops.Gather(ops.Reshape(x, shape=[0, 1, x.shape[1]]), np.zeros(self.n, np.int32), axis=1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}


class Identity(Layer):
    """Returns its input unchanged (a placeholder layer)."""

    def call(self, x: Any, training: bool = False) -> Any:
        return x
