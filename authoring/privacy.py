"""Differentially private training (DP-SGD): per-example gradient clipping, Gaussian noise, and the
privacy spent (ε at a given δ) from the Rényi-DP accountant of the ``dp-accounting`` package.

Each step: every example's gradient (over all trainable weights together) is scaled to L2 norm at
most ``l2_norm_clip``; the clipped gradients are summed, Gaussian noise with standard deviation
``noise_multiplier * l2_norm_clip`` is added, and the sum is divided by the batch size. The
accountant treats each step as a Poisson-sampled Gaussian mechanism with rate batch_size / n (the
usual approximation for shuffled batches).

>>> cfg = DPConfig(l2_norm_clip=1.0, noise_multiplier=1.1)
>>> round(epsilon(cfg, steps=1000, sampling_rate=0.01), 2) > 0
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from webgrad.backends import array_namespace


@dataclass(frozen=True)
class DPConfig:
    """DP-SGD settings for ``fit(..., dp=DPConfig(...))`` (a dict with these keys works too)."""

    l2_norm_clip: float = 1.0
    noise_multiplier: float = 1.1
    delta: float = 1e-5
    seed: int | None = None

    def __post_init__(self) -> None:
        if not self.l2_norm_clip > 0:
            raise ValueError(f"l2_norm_clip must be positive, got {self.l2_norm_clip}")
        if not self.noise_multiplier >= 0:
            raise ValueError(f"noise_multiplier must be >= 0, got {self.noise_multiplier}")
        if not 0 < self.delta < 1:
            raise ValueError(f"delta must be in (0, 1), got {self.delta}")

    @classmethod
    def of(cls, value: DPConfig | dict) -> DPConfig:
        return value if isinstance(value, DPConfig) else cls(**value)


def clip_per_example(per_example_grads: list[Any], l2_norm_clip: float) -> tuple[list[Any], Any]:
    """Scales each example's gradient (all tensors together) to norm at most ``l2_norm_clip``.

    Takes gradients with a leading batch axis (numpy or JAX arrays: one rule for both backends);
    returns the clipped ones and the norms before clipping.

    >>> g = [np.array([[3.0, 4.0], [0.5, 0.0]], np.float32)]
    >>> clipped, norms = clip_per_example(g, 2.5)
    >>> clipped[0].tolist(), norms.tolist()
    ([[1.5, 2.0], [0.5, 0.0]], [5.0, 0.5])
    """
    xp = array_namespace(per_example_grads[0])
    batch = per_example_grads[0].shape[0]
    sq: Any = 0
    for g in per_example_grads:
        rows = g.reshape(batch, -1)
        # numpy accumulates in float64; JAX (float64 off by default) in float32
        sq = sq + (np.square(rows, dtype=np.float64) if xp is np else xp.square(rows)).sum(axis=1)
    norms = xp.sqrt(sq)
    factor = xp.minimum(1.0, l2_norm_clip / xp.maximum(norms, 1e-12)).astype(np.float32)
    clipped = [g * factor.reshape((batch,) + (1,) * (g.ndim - 1)) for g in per_example_grads]
    return clipped, norms


def draw_noise(shapes: list[tuple[int, ...]], config: DPConfig, rng: np.random.Generator) -> list[np.ndarray | None]:
    """The Gaussian noise of one step, one array per gradient shape (None when there is no noise).

    Drawn on the host from the run's generator by both backends, so the same seed adds the same noise.

    >>> cfg = DPConfig(l2_norm_clip=2.0, noise_multiplier=0.5)
    >>> [z.shape for z in draw_noise([(3,), (2, 2)], cfg, np.random.default_rng(0))]
    [(3,), (2, 2)]
    """
    std = config.noise_multiplier * config.l2_norm_clip
    return [rng.normal(0.0, std, s).astype(np.float32) if std > 0 else None for s in shapes]


def noisy_mean(clipped: list[Any], config: DPConfig, rng: np.random.Generator | None = None, *,
               noise: list[Any] | None = None, count: Any = None) -> list[Any]:
    """Sum over the batch, plus N(0, (noise_multiplier * clip)^2) noise, divided by the batch size.

    ``noise`` (from ``draw_noise``) is drawn from ``rng`` when not given; ``count`` is the number of
    real examples when the batch holds padding (whose clipped gradients must be zero).
    """
    batch = np.float32(clipped[0].shape[0]) if count is None else count
    if noise is None:
        noise = draw_noise([tuple(g.shape[1:]) for g in clipped], config, rng)  # type: ignore[arg-type]
    out = []
    for g, z in zip(clipped, noise, strict=True):
        total = g.sum(axis=0)
        if z is not None:
            total = total + z
        out.append((total / batch).astype(np.float32))
    return out


def epsilon(config: DPConfig, steps: int, sampling_rate: float) -> float:
    """ε spent after ``steps`` DP-SGD steps with batch sampling rate ``sampling_rate``, at ``config.delta``."""
    if steps == 0:
        return 0.0
    if config.noise_multiplier == 0:
        return float("inf")
    # dp_accounting is imported when epsilon is first asked for: it is slow to import and only DP training uses it
    from dp_accounting import dp_event
    from dp_accounting.rdp import rdp_privacy_accountant

    accountant = rdp_privacy_accountant.RdpAccountant()
    event = dp_event.PoissonSampledDpEvent(sampling_rate, dp_event.GaussianDpEvent(config.noise_multiplier))
    accountant.compose(dp_event.SelfComposedDpEvent(event, steps))
    return float(accountant.get_epsilon(config.delta))
