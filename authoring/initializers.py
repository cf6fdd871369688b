"""Keras's ``keras.initializers``: weight initializers as classes, with the lower-case aliases and ``get``.

``init(shape, dtype=None)`` returns a numpy array (float32 by default). ``seed=`` follows Keras 3: an
``int`` gives the same values on every call, a ``wg.random.SeedGenerator`` new values each call;
``None`` draws from webgrad's process-wide generator (``wg.set_seed``), so layers sharing one
initializer still get different weights. The distributions and their variance scaling are Keras's;
the values come from numpy's generator, so they are not Keras's numbers.

>>> w = get("glorot_uniform")((4, 3))
>>> w.shape, w.dtype
((4, 3), dtype('float32'))
>>> bool((GlorotUniform(seed=1)((2, 2)) == GlorotUniform(seed=1)((2, 2))).all())
True
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from webgrad import keras_names
from webgrad.seeding import Seed, SeedGenerator, rng_for

# The standard deviation of a standard normal truncated to [-2, 2]: a truncated draw is divided by it
# so that its standard deviation is the one asked for (Keras's VarianceScaling does the same).
_TRUNCATED_STD = 0.87962566103423978


def compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape, as Keras computes them (a conv kernel's receptive field
    multiplies both).

    >>> compute_fans((3, 3, 8, 16))
    (72, 144)
    """
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _dtype(dtype: Any) -> np.dtype:
    d = np.dtype("float32" if dtype is None else dtype)
    if d.kind != "f":
        raise ValueError(f"initializers make float weights; got dtype {dtype!r}")
    return d


def _truncated(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Standard normal draws, redrawn until within two standard deviations."""
    x = rng.standard_normal(shape)
    bad = np.abs(x) > 2
    while bad.any():
        x[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(x) > 2
    return x


class Initializer:
    """The base class: ``__call__(shape, dtype=None)`` and ``get_config``/``from_config``."""

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        """The initial value of a weight of ``shape``."""
        if isinstance(dtype, np.random.Generator):  # webgrad's older (shape, rng) calling form
            return self.sample(tuple(int(s) for s in shape), dtype).astype(np.float32)
        return self.sample(tuple(int(s) for s in shape), self._rng()).astype(_dtype(dtype))

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """The values (any float dtype), drawn from ``rng`` when random."""
        raise NotImplementedError

    def _rng(self) -> np.random.Generator:
        return rng_for(getattr(self, "seed", None))

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as Keras's."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        """The initializer ``get_config`` describes."""
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same config."""
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros, as ``keras.initializers.Zeros``.

    >>> Zeros()((2,))
    array([0., 0.], dtype=float32)
    """

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return np.zeros(shape)


class Ones(Initializer):
    """All ones, as ``keras.initializers.Ones``.

    >>> Ones()((2,))
    array([1., 1.], dtype=float32)
    """

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return np.ones(shape)


class Constant(Initializer):
    """Every entry ``value``, as ``keras.initializers.Constant``.

    >>> Constant(3.0)((2,))
    array([3., 3.], dtype=float32)
    """

    def __init__(self, value: float = 0.0):
        self.value = value

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.value, np.float64), shape).copy()

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only), as ``keras.initializers.Identity``.

    >>> Identity(2.0)((2, 2))
    array([[2., 0.],
           [0., 2.]], dtype=float32)
    """

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a 2-D shape, got {shape}")
        return self.gain * np.eye(*shape)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


class RandomInitializer(Initializer):
    """An initializer that draws: holds ``seed`` (see the module docstring)."""

    def __init__(self, seed: Seed = None):
        if seed is not None and not isinstance(seed, SeedGenerator) and (
                isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
            raise ValueError(f"{type(self).__name__}: seed must be an int, a SeedGenerator or None, got {seed!r}")
        self.seed = seed

    def get_config(self) -> dict[str, Any]:
        seed = self.seed.seed if isinstance(self.seed, SeedGenerator) else self.seed
        return {"seed": seed}


class RandomNormal(RandomInitializer):
    """Normal draws of ``mean`` and ``stddev``, as ``keras.initializers.RandomNormal``.

    >>> RandomNormal(stddev=0.0, mean=1.0)((2,))
    array([1., 1.], dtype=float32)
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Seed = None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.standard_normal(shape) * self.stddev + self.mean

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal draws within two standard deviations of the mean, as ``keras.initializers.TruncatedNormal``.

    >>> bool((abs(TruncatedNormal(stddev=1.0, seed=0)((100,))) <= 2).all())
    True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Seed = None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return _truncated(rng, shape) * self.stddev + self.mean

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform draws on ``[minval, maxval)``, as ``keras.initializers.RandomUniform``.

    >>> bool((abs(RandomUniform(seed=0)((100,))) <= 0.05).all())
    True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Seed = None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(self.minval, self.maxval, shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(RandomInitializer):
    """Draws with variance ``scale / n`` (``n`` the fan in, the fan out or their mean, by ``mode``), as
    ``keras.initializers.VarianceScaling``: ``truncated_normal`` (rescaled so the variance is exact),
    ``untruncated_normal`` or ``uniform`` (on ``±sqrt(3 * scale / n)``).

    >>> VarianceScaling(mode="fan_out", distribution="uniform", seed=0)((3, 2)).shape
    (3, 2)
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: Seed = None, input_axes: Any = None, output_axes: Any = None):
        super().__init__(seed)
        if input_axes is not None or output_axes is not None:
            raise NotImplementedError(f"{type(self).__name__}(input_axes=, output_axes=) is not supported yet")
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive, got {scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"  # Keras's alias
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError("VarianceScaling: distribution must be truncated_normal, untruncated_normal or "
                             f"uniform, got {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            return _truncated(rng, shape) * (np.sqrt(variance) / _TRUNCATED_STD)
        if self.distribution == "untruncated_normal":
            return rng.standard_normal(shape) * np.sqrt(variance)
        limit = np.sqrt(3.0 * variance)
        return rng.uniform(-limit, limit, shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "input_axes": None, "output_axes": None}


class _Preset(VarianceScaling):
    """A VarianceScaling with fixed arguments (Glorot, He, LeCun); its config is only the seed."""

    PRESET: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed: Seed = None, input_axes: Any = None, output_axes: Any = None):
        scale, mode, distribution = self.PRESET
        super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self) -> dict[str, Any]:
        return {**RandomInitializer.get_config(self), "input_axes": None, "output_axes": None}


class GlorotUniform(_Preset):
    """Uniform on ``±sqrt(6 / (fan_in + fan_out))``, as ``keras.initializers.GlorotUniform``."""

    PRESET = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Truncated normal of variance ``2 / (fan_in + fan_out)``, as ``keras.initializers.GlorotNormal``."""

    PRESET = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_Preset):
    """Uniform on ``±sqrt(6 / fan_in)``, as ``keras.initializers.HeUniform``."""

    PRESET = (2.0, "fan_in", "uniform")


class HeNormal(_Preset):
    """Truncated normal of variance ``2 / fan_in``, as ``keras.initializers.HeNormal``."""

    PRESET = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """Uniform on ``±sqrt(3 / fan_in)``, as ``keras.initializers.LecunUniform``."""

    PRESET = (1.0, "fan_in", "uniform")


class LecunNormal(_Preset):
    """Truncated normal of variance ``1 / fan_in``, as ``keras.initializers.LecunNormal``."""

    PRESET = (1.0, "fan_in", "truncated_normal")


class Orthogonal(RandomInitializer):
    """An orthogonal matrix (of the shape flattened to 2-D, from the QR of normal draws) times ``gain``, as
    ``keras.initializers.Orthogonal``.

    >>> q = Orthogonal(seed=0)((3, 3)); bool(np.allclose(q @ q.T, np.eye(3), atol=1e-6))
    True
    """

    def __init__(self, gain: float = 1.0, seed: Seed = None):
        super().__init__(seed)
        self.gain = gain

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        if len(shape) < 2:
            raise ValueError(f"Orthogonal initializer needs a shape of rank 2 or more, got {shape}")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        a = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))  # a uniform draw over orthogonal matrices
        if rows < cols:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "gain": self.gain}


IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal

_CLASSES: dict[str, type[Initializer]] = {
    c.__name__: c
    for c in (Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, LecunNormal, LecunUniform,
              Ones, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Zeros)
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_ALIASES: dict[str, type[Initializer]] = {
    **{_snake(n): c for n, c in _CLASSES.items()},
    "uniform": RandomUniform, "normal": RandomNormal,  # Keras's short names
}
NAMES = sorted(_ALIASES)

# Keras's lower-case aliases are the classes themselves (``wg.initializers.glorot_uniform(seed=1)``)
constant, glorot_normal, glorot_uniform = Constant, GlorotNormal, GlorotUniform
he_normal, he_uniform = HeNormal, HeUniform
identity, lecun_normal, lecun_uniform, ones, orthogonal = Identity, LecunNormal, LecunUniform, Ones, Orthogonal
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, zeros = VarianceScaling, Zeros


def serialize(initializer: Initializer) -> dict[str, Any]:
    """Keras's dict for an initializer: ``{"module", "class_name", "config", "registered_name"}``.

    >>> serialize(Zeros())["class_name"]
    'Zeros'
    """
    return {"module": "keras.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}


def deserialize(config: dict[str, Any] | str, custom_objects: dict[str, Any] | None = None) -> Initializer:
    """The initializer a ``serialize`` dict (or a name) describes, looking in ``custom_objects`` first.

    >>> deserialize({"class_name": "HeNormal", "config": {"seed": 1}}).seed
    1
    """
    if isinstance(config, str):
        name, args = config, {}
    else:
        name, args = config["class_name"], config.get("config") or {}
    if custom_objects and name in custom_objects:
        cls = custom_objects[name]
    else:
        cls = _CLASSES.get(name) or _ALIASES.get(name)
    if cls is None:
        raise ValueError(f"unknown initializer {name!r}; valid: {', '.join(NAMES)}")
    return cls.from_config(args) if hasattr(cls, "from_config") else cls(**args)


def get(identifier: Any) -> Any:
    """An initializer from a name (``"he_normal"``, ``"HeNormal"``), a ``serialize`` dict, a class, an
    instance or any callable ``(shape, dtype=None)``, as ``keras.initializers.get``.

    >>> type(get("he_normal")).__name__, type(get(HeNormal)).__name__
    ('HeNormal', 'HeNormal')
    """
    if isinstance(identifier, str | dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")


def name_of(init: Any) -> str | dict[str, Any]:
    """What a layer's ``get_config`` stores for an initializer: the lower-case name of a built-in with its
    default arguments (``"glorot_uniform"``), else the ``serialize`` dict.

    >>> name_of(get("glorot_uniform")), name_of(GlorotUniform(seed=3))["config"]["seed"]
    ('glorot_uniform', 3)
    """
    if not isinstance(init, Initializer):
        raise ValueError(f"initializer {init!r} is not a webgrad initializer and cannot be saved in a config")
    cls = type(init)
    if _CLASSES.get(cls.__name__) is cls and init.get_config() == cls().get_config():
        return _snake(cls.__name__)
    return serialize(init)


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("initializers", name)
