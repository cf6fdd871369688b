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

import numpy as np


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


def clip_per_example(per_example_grads: list[np.ndarray], l2_norm_clip: float) -> tuple[list[np.ndarray], np.ndarray]:
    """Scales each example's gradient (all tensors together) to norm at most ``l2_norm_clip``.

    Takes gradients with a leading batch axis; returns the clipped ones and the norms before clipping.

    >>> g = [np.array([[3.0, 4.0], [0.5, 0.0]], np.float32)]
    >>> clipped, norms = clip_per_example(g, 2.5)
    >>> clipped[0].tolist(), norms.tolist()
    ([[1.5, 2.0], [0.5, 0.0]], [5.0, 0.5])
    """
    batch = per_example_grads[0].shape[0]
    sq = np.zeros(batch, np.float64)
    for g in per_example_grads:
        sq += np.square(g.reshape(batch, -1), dtype=np.float64).sum(axis=1)
    norms = np.sqrt(sq)
    factor = np.minimum(1.0, l2_norm_clip / np.maximum(norms, 1e-12)).astype(np.float32)
    clipped = [g * factor.reshape((batch,) + (1,) * (g.ndim - 1)) for g in per_example_grads]
    return clipped, norms


def noisy_mean(clipped: list[np.ndarray], config: DPConfig, rng: np.random.Generator) -> list[np.ndarray]:
    """Sum over the batch, plus N(0, (noise_multiplier * clip)^2) noise, divided by the batch size."""
    batch = clipped[0].shape[0]
    std = config.noise_multiplier * config.l2_norm_clip
    out = []
    for g in clipped:
        total = g.sum(axis=0)
        if std > 0:
            total = total + rng.normal(0.0, std, total.shape).astype(np.float32)
        out.append((total / np.float32(batch)).astype(np.float32))
    return out


def epsilon(config: DPConfig, steps: int, sampling_rate: float) -> float:
    """ε spent after ``steps`` DP-SGD steps with batch sampling rate ``sampling_rate``, at ``config.delta``."""
    if steps == 0:
        return 0.0
    if config.noise_multiplier == 0:
        return float("inf")
    from dp_accounting import dp_event
    from dp_accounting.rdp import rdp_privacy_accountant

    accountant = rdp_privacy_accountant.RdpAccountant()
    event = dp_event.PoissonSampledDpEvent(sampling_rate, dp_event.GaussianDpEvent(config.noise_multiplier))
    accountant.compose(dp_event.SelfComposedDpEvent(event, steps))
    return float(accountant.get_epsilon(config.delta))
