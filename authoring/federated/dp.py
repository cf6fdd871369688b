"""User-level differential privacy for federated averaging (DP-FedAvg, McMahan et al. 2018).

One round, with ``K`` clients expected per round out of ``N``:

1. each client clips its whole update (all tensors together) to L2 norm ``C`` (``clip``);
2. the server sums the clipped updates (in the clear or through secure aggregation), adds Gaussian noise
   ``N(0, (z·C)²)`` to the sum and divides by the **fixed** denominator ``K`` (``aggregate``);
3. the strategy applies that mean delta (FedAvg, or a server optimizer: post-processing).

Why unweighted and a fixed denominator: the guarantee bounds how much one *user* changes the sum, which
is ``C`` only if every client counts once. Weighting by example count would let a client with many
examples move the average by more than ``C/K`` and would make the weights (its example count, and how
many clients answered) part of the released value; dividing by the expected ``K`` instead of the
number of clients that answered keeps the denominator independent of the data, so the noise
calibrated to ``C`` covers the whole released mean.

Adaptive clipping (Andrew et al. 2021, "Differentially Private Learning with Adaptive Clipping"): each
client also reports one bit, whether its update was clipped; the server estimates the fraction of
unclipped clients with Gaussian noise ``s_b`` on the count, ``b̄ = (#unclipped + N(0, s_b²)) / K``, and
moves the clip norm geometrically towards the target quantile g: ``C ← C·exp(-η·(b̄ - g))``. The privacy
budget is split between the two releases as in the paper: with ``z`` the configured noise multiplier and
``z_b = 2s_b`` the count's (the bit has sensitivity 1/2 once centred), the update gets
``z_Δ = (z⁻² - z_b⁻²)^(-1/2)``, so the pair composes to one Gaussian mechanism of multiplier ``z``.

The privacy spent: each round is the Poisson-sampled Gaussian mechanism with rate ``q = K/N`` and
multiplier ``z``, composed over the rounds by ``dp-accounting``'s RDP accountant, at ``delta``. (Selecting
exactly ``K`` clients uniformly, as ``simulate`` and the server do, is accounted as Poisson sampling with
the same rate: the usual approximation.) Without ``total_clients`` there is no amplification (q = 1).

>>> dp = DPFedAvg(noise_multiplier=1.0, clip_norm=1.0, expected_clients_per_round=100, total_clients=1000)
>>> clipped, was_clipped = dp.clip(np.array([3.0, 4.0]))
>>> clipped.tolist(), was_clipped
([0.6000000000000001, 0.8], True)
>>> 0 < dp.epsilon(10) < dp.epsilon(100)
True
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

Update = np.ndarray | list[np.ndarray]


@dataclass(frozen=True)
class AdaptiveClipping:
    """Quantile-based adaptive clipping (Andrew et al. 2021). ``count_noise_multiplier`` is ``z_b = 2s_b``
    for the noisy count of unclipped clients; None takes the paper's ``s_b = K/20``, i.e. ``z_b = K/10``."""

    target_quantile: float = 0.5
    learning_rate: float = 0.2
    initial_norm: float = 0.1
    count_noise_multiplier: float | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.target_quantile <= 1:
            raise ValueError(f"AdaptiveClipping: target_quantile must be in [0, 1], got {self.target_quantile!r}")
        for name in ("learning_rate", "initial_norm"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"AdaptiveClipping: {name} must be a finite number > 0, got {value!r}")
        z_b = self.count_noise_multiplier
        if z_b is not None and not (math.isfinite(z_b) and z_b > 0):
            raise ValueError(f"AdaptiveClipping: count_noise_multiplier must be > 0 or None, got {z_b!r}")


def l2_norm(update: Update) -> float:
    """The L2 norm of a whole update (a flat vector or a list of tensors), accumulated in float64.

    >>> l2_norm([np.array([3.0]), np.array([[4.0]])])
    5.0
    """
    parts = update if isinstance(update, list) else [update]
    return float(math.sqrt(sum(float(np.square(np.asarray(a, np.float64)).sum()) for a in parts)))


def _scaled(update: Update, factor: float) -> Update:
    if isinstance(update, list):
        return [np.asarray(a) * np.asarray(factor, np.asarray(a).dtype) for a in update]
    return np.asarray(update) * np.asarray(factor, np.asarray(update).dtype)


def clip_to_norm(update: Update, clip_norm: float) -> tuple[Update, bool]:
    """``update`` scaled to L2 norm ``clip_norm`` (over all its tensors together) when over it, and
    whether it was: the clipping of DP-FedAvg clients and of a task's ``clipNorm``.

    >>> v, was = clip_to_norm(np.array([3.0, 4.0], np.float32), 1.0)
    >>> v.tolist(), was
    ([0.6000000238418579, 0.800000011920929], True)
    """
    return _clip_by(update, l2_norm(update), clip_norm)


def _clip_by(update: Update, norm: float, clip_norm: float) -> tuple[Update, bool]:
    if norm <= clip_norm:
        return update, False
    return _scaled(update, clip_norm / norm), True


class DPFedAvg:
    """DP-FedAvg settings and state: the clip norm (fixed or adaptive), the noise, the accountant.

    Raises ``ValueError`` for a configuration whose privacy cannot be accounted.
    """

    def __init__(self, noise_multiplier: float, clip_norm: float | None = None, *,
                 adaptive: AdaptiveClipping | None = None, delta: float = 1e-5,
                 expected_clients_per_round: int, total_clients: int | None = None):
        if not (isinstance(noise_multiplier, int | float) and math.isfinite(noise_multiplier) and noise_multiplier > 0):
            raise ValueError(f"DPFedAvg: noise_multiplier must be a finite number > 0, got {noise_multiplier!r} "
                             "(without noise no ε can be accounted; use dp=None to train without privacy)")
        if (clip_norm is None) == (adaptive is None):
            raise ValueError("DPFedAvg: give exactly one of clip_norm (a fixed L2 norm) and "
                             "adaptive=AdaptiveClipping(...)")
        if clip_norm is not None and not (math.isfinite(clip_norm) and clip_norm > 0):
            raise ValueError(f"DPFedAvg: clip_norm must be a finite number > 0, got {clip_norm!r}")
        if isinstance(expected_clients_per_round, bool) or not isinstance(expected_clients_per_round, int) \
                or expected_clients_per_round < 1:
            raise ValueError("DPFedAvg: expected_clients_per_round must be an int >= 1, "
                             f"got {expected_clients_per_round!r}")
        k = expected_clients_per_round
        if total_clients is not None:
            if isinstance(total_clients, bool) or not isinstance(total_clients, int) or total_clients < 1:
                raise ValueError(f"DPFedAvg: total_clients must be an int >= 1 or None, got {total_clients!r}")
            if k > total_clients:
                raise ValueError(f"DPFedAvg: expected_clients_per_round={k} > total_clients={total_clients}: the "
                                 f"sampling rate q = K/N = {k / total_clients:g} must be at most 1")
        if not (isinstance(delta, int | float) and 0 < delta < 1):
            raise ValueError(f"DPFedAvg: delta must be in (0, 1), got {delta!r}")
        if total_clients is not None and delta >= 1 / total_clients:
            raise ValueError(f"DPFedAvg: delta={delta:g} must be below 1/total_clients = {1 / total_clients:g} "
                             "(a larger δ allows releasing one user's data outright)")
        self.noise_multiplier = float(noise_multiplier)
        self.adaptive = adaptive
        self.delta = float(delta)
        self.expected_clients_per_round = k
        self.total_clients = total_clients
        self.update_noise_multiplier = self.noise_multiplier
        self.count_noise_multiplier: float | None = None
        if adaptive is not None:
            z, z_b = self.noise_multiplier, adaptive.count_noise_multiplier
            z_b = k / 10 if z_b is None else z_b
            if z_b <= z:
                raise ValueError(f"DPFedAvg: the clipped-count noise multiplier ({z_b:g}"
                                 f"{' = K/10, the default' if adaptive.count_noise_multiplier is None else ''}) must "
                                 f"exceed noise_multiplier={z:g} for the budget to split between the update and "
                                 "the count; raise AdaptiveClipping(count_noise_multiplier=...) or the clients per "
                                 "round, or lower noise_multiplier")
            self.count_noise_multiplier = z_b
            self.update_noise_multiplier = (z ** -2 - z_b ** -2) ** -0.5
        self.clip_norm = float(adaptive.initial_norm if adaptive is not None else clip_norm)  # type: ignore[arg-type]
        self.rounds = 0

    @property
    def sampling_rate(self) -> float:
        """``q = K/N`` (1 when ``total_clients`` is not known: no amplification by sampling)."""
        return 1.0 if self.total_clients is None else self.expected_clients_per_round / self.total_clients

    def noise_std(self) -> float:
        """The standard deviation of the noise added to the *sum* of clipped updates this round: ``z_Δ·C``."""
        return self.update_noise_multiplier * self.clip_norm

    # ---- client side -----------------------------------------------------------------------------
    def clip(self, delta_vec: Update) -> tuple[Update, bool]:
        """The update scaled to L2 norm at most the current clip norm (over all its tensors together),
        and whether it was scaled down (the bit adaptive clipping counts).

        >>> dp = DPFedAvg(1.0, clip_norm=10.0, expected_clients_per_round=1)
        >>> dp.clip([np.ones(4, np.float32)])[1]
        False
        """
        norm = l2_norm(delta_vec)
        if not math.isfinite(norm):
            raise ValueError("clip: the update holds NaN or Inf")
        return _clip_by(delta_vec, norm, self.clip_norm)

    # ---- server side -----------------------------------------------------------------------------
    def aggregate(self, sum_of_clipped: Update, clipped_count_bits: int, num_clients: int,
                  rng: np.random.Generator | None = None) -> Update:
        """The noisy mean delta of a round: ``(Σ clipped + N(0, (z_Δ·C)²)) / K``; then, with adaptive
        clipping, moves the clip norm (``update_clip_norm``) for the next round.

        ``clipped_count_bits`` is the number of the ``num_clients`` updates that ``clip`` scaled down.
        ``rng`` must be secret in production (None: fresh operating-system entropy); tests pass a seeded one.

        >>> dp = DPFedAvg(1.0, clip_norm=1.0, expected_clients_per_round=4)
        >>> dp.aggregate(np.zeros(3), 0, 4, np.random.default_rng(0)).shape
        (3,)
        """
        if not 0 <= clipped_count_bits <= num_clients:
            raise ValueError(f"aggregate: clipped_count_bits={clipped_count_bits} must be in "
                             f"[0, num_clients={num_clients}]")
        rng = np.random.default_rng() if rng is None else rng
        std, k = self.noise_std(), self.expected_clients_per_round
        if isinstance(sum_of_clipped, list):
            out: Update = [(np.asarray(s, np.float64) + rng.normal(0.0, std, np.shape(s))) / k for s in sum_of_clipped]
        else:
            out = (np.asarray(sum_of_clipped, np.float64) + rng.normal(0.0, std, np.shape(sum_of_clipped))) / k
        if self.adaptive is not None:
            self.update_clip_norm(clipped_count_bits, num_clients, rng)
        self.rounds += 1
        return out

    def update_clip_norm(self, clipped_count: int, num_clients: int, rng: np.random.Generator | None = None) -> float:
        """Andrew et al.'s geometric step (``aggregate`` calls it): ``b̄ = (unclipped + N(0, s_b²)) / K``,
        ``C ← C·exp(-η·(b̄ - g))`` with ``s_b = z_b / 2``. Returns the new clip norm."""
        if self.adaptive is None or self.count_noise_multiplier is None:
            raise ValueError("update_clip_norm: this DPFedAvg has a fixed clip_norm (no adaptive=...)")
        rng = np.random.default_rng() if rng is None else rng
        unclipped = (num_clients - clipped_count) + rng.normal(0.0, self.count_noise_multiplier / 2)
        fraction = unclipped / self.expected_clients_per_round
        a = self.adaptive
        self.clip_norm = float(self.clip_norm * math.exp(-a.learning_rate * (fraction - a.target_quantile)))
        return self.clip_norm

    # ---- accounting ------------------------------------------------------------------------------
    def epsilon(self, rounds: int | None = None) -> float:
        """ε after ``rounds`` rounds (default: the rounds aggregated so far) at ``delta``, from the RDP
        accountant of ``dp-accounting`` (Poisson-sampled Gaussian, rate ``q``, multiplier ``z``)."""
        rounds = self.rounds if rounds is None else rounds
        if rounds < 0:
            raise ValueError(f"epsilon: rounds must be >= 0, got {rounds}")
        if rounds == 0:
            return 0.0
        # imported on first use: dp_accounting is slow to import
        from dp_accounting import dp_event
        from dp_accounting.rdp import rdp_privacy_accountant

        accountant = rdp_privacy_accountant.RdpAccountant()
        event = dp_event.PoissonSampledDpEvent(self.sampling_rate, dp_event.GaussianDpEvent(self.noise_multiplier))
        accountant.compose(dp_event.SelfComposedDpEvent(event, rounds))
        return float(accountant.get_epsilon(self.delta))

    # ---- checkpoints -----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The mutable state (clip norm, rounds aggregated) for a checkpoint."""
        return {"clip_norm": self.clip_norm, "rounds": self.rounds}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restores what ``state_dict`` returned."""
        self.clip_norm = float(state["clip_norm"])
        self.rounds = int(state["rounds"])

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (JSON-able)."""
        return {"noise_multiplier": self.noise_multiplier,
                "clip_norm": None if self.adaptive is not None else self.clip_norm,
                "adaptive": None if self.adaptive is None else asdict(self.adaptive),
                "delta": self.delta, "expected_clients_per_round": self.expected_clients_per_round,
                "total_clients": self.total_clients}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DPFedAvg:
        """The inverse of ``get_config``."""
        cfg = dict(config)
        adaptive = cfg.pop("adaptive", None)
        return cls(**cfg, adaptive=None if adaptive is None else AdaptiveClipping(**adaptive))
