"""What ``compile(loss=, loss_weights=, metrics=)`` means per model output, with Keras 3's rules and log names.

- ``loss``: one loss for every output, a list (one per output, ``None`` = that output is not trained
  on), or a dict keyed by output name (outputs left out are not trained on).
- ``loss_weights``: a list or a dict keyed by output name (missing names weigh 1).
- ``metrics``: a list for a single output; with several outputs a dict keyed by output name, or a
  list with one entry (a metric or a list of metrics) per output, as Keras 3 asks. A flat list of
  another length applies every metric to every output (webgrad keeps this older shorthand).
- Log names: ``loss`` is the weighted total; with several trained outputs each also logs its own
  unweighted ``<output>_loss``; metrics log as ``<output>_<metric>`` with several outputs.

>>> spec = resolve_losses(["sparse_categorical_crossentropy", None], {"cls": 2.0}, ["cls", "box"])
>>> [getattr(lo, "name", None) for lo in spec.losses], spec.weights
(['sparse_categorical_crossentropy', None], [2.0, 1.0])
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np

from webgrad import losses as wg_losses
from webgrad import metrics as wg_metrics

__all__ = ["CompileMetrics", "LossSpec", "loss_tracker", "resolve_losses", "resolve_metrics"]


def loss_tracker(name: str = "loss") -> wg_metrics.Metric:
    """A weighted running mean (Keras's ``Mean`` metric): fit's ``loss`` and the ``<output>_loss`` logs.

    >>> t = loss_tracker("loss")
    >>> t.update_state(1.0, sample_weight=3); t.update_state(2.0, sample_weight=1)
    >>> float(t.result())
    1.25
    """
    return wg_metrics.Mean(name=name)


@dataclass
class LossSpec:
    """The resolved ``loss`` / ``loss_weights``: one entry per output (``None``: not trained on)."""

    losses: list[Any]
    weights: list[float]
    output_names: list[str]
    trackers: list[wg_metrics.Metric | None]


def _keyed(spec: dict, names: list[str], what: str) -> list[Any]:
    unknown = sorted(set(spec) - set(names))
    if unknown:
        raise ValueError(f"compile: {what} given for unknown outputs {unknown}; the model's outputs are {names}")
    return [spec.get(n) for n in names]


def resolve_losses(loss: Any, loss_weights: Any, names: list[str]) -> LossSpec:
    """Per-output losses and weights for outputs ``names``; clear errors for a wrong count or name."""
    n = len(names)
    if isinstance(loss, dict):
        specs = _keyed(loss, names, "loss")
    elif isinstance(loss, list | tuple):
        if len(loss) != n:
            raise ValueError(f"compile: loss is a list of {len(loss)} for a model with {n} outputs {names}; "
                             "give one entry per output (None for an output that is not trained on) or a dict")
        specs = list(loss)
    else:
        specs = [loss] * n
    if all(s is None for s in specs):
        raise ValueError(f"compile: no output has a loss (loss={loss!r}); give a loss for at least one of {names}")
    if loss_weights is None:
        weights = [1.0] * n
    elif isinstance(loss_weights, dict):
        weights = [1.0 if w is None else float(w) for w in _keyed(loss_weights, names, "loss_weights")]
    elif isinstance(loss_weights, list | tuple):
        if len(loss_weights) != n:
            raise ValueError(f"compile: loss_weights is a list of {len(loss_weights)} for a model with {n} outputs "
                             f"{names}; give one weight per output or a dict keyed by output name")
        weights = [float(w) for w in loss_weights]
    elif isinstance(loss_weights, int | float) and n == 1:
        weights = [float(loss_weights)]
    else:
        raise TypeError(f"compile: loss_weights must be a list or a dict keyed by output name, got {loss_weights!r}")
    losses = [None if s is None else wg_losses.get(s) for s in specs]
    several = sum(lo is not None for lo in losses) > 1
    trackers = [loss_tracker(f"{name}_loss") if several and lo is not None else None
                for name, lo in zip(names, losses, strict=True)]
    return LossSpec(losses, weights, list(names), trackers)


def _metric_list(entry: Any) -> list[Any]:
    if entry is None:
        return []
    return list(entry) if isinstance(entry, list | tuple) else [entry]


def resolve_metrics(metrics: Any, names: list[str], losses: list[Any]) -> list[list[wg_metrics.Metric]]:
    """The metric objects of each output (``accuracy`` picks its kind from that output's loss)."""
    n = len(names)
    if not metrics:
        per_output: list[list[Any]] = [[] for _ in names]
    elif isinstance(metrics, dict):
        per_output = [_metric_list(m) for m in _keyed(metrics, names, "metrics")]
    elif not isinstance(metrics, list | tuple):
        per_output = [[metrics] for _ in names]
    elif n > 1 and len(metrics) == n:
        per_output = [_metric_list(m) for m in metrics]  # Keras 3: one entry per output
    else:
        per_output = [list(metrics) for _ in names]
    return [[wg_metrics.get(m, getattr(lo, "name", None)) for m in ms]
            for ms, lo in zip(per_output, losses, strict=True)]


def _takes_sample_weight(metric: Any) -> bool:
    try:
        return "sample_weight" in inspect.signature(metric.update_state).parameters
    except (TypeError, ValueError):
        return False


def update_metric(metric: Any, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
    """``metric.update_state`` with the sample weights when the metric takes them."""
    if sample_weight is not None and _takes_sample_weight(metric):
        metric.update_state(y_true, y_pred, sample_weight=sample_weight)
    else:
        metric.update_state(y_true, y_pred)


class CompileMetrics:
    """The compiled metrics of all outputs as one metric-like object (Keras's ``CompileMetrics``):
    ``result()`` is a dict of log names to values. ``metrics`` ignore sample weights and
    ``weighted_metrics`` use them, as in Keras; a repeated name gets Keras's ``weighted_`` prefix or
    ``_1``, ``_2`` suffix."""

    name = "compile_metrics"

    def __init__(self, per_output: list[list[Any]], names: list[str],
                 weighted: list[list[Any]] | None = None):
        self.output_names = names
        weighted = weighted or [[] for _ in names]
        multi = len(names) > 1
        counts: dict[str, int] = {}
        self._entries: list[tuple[int, Any, bool, str]] = []  # (output index, metric, weighted, log name)
        for is_weighted, table in ((False, per_output), (True, weighted)):
            for i, ms in enumerate(table):
                for m in ms:
                    name = f"{names[i]}_{m.name}" if multi else m.name
                    if name in counts and is_weighted:
                        name = f"{names[i]}_weighted_{m.name}" if multi else f"weighted_{m.name}"
                    if name in counts:
                        counts[name] += 1
                        name = f"{name}_{counts[name] - 1}"
                    else:
                        counts[name] = 1
                    self._entries.append((i, m, is_weighted, name))

    @property
    def metrics(self) -> list[Any]:
        return [m for _, m, _, _ in self._entries]

    @property
    def log_names(self) -> list[str]:
        return [name for _, _, _, name in self._entries]

    def _per_output(self, values: Any, what: str) -> list[Any]:
        """``values`` (one array, a list in output order, or a dict by output name) as a list."""
        names = self.output_names
        if isinstance(values, dict):
            return [values[n] for n in names]
        if len(names) == 1:
            return [values]
        if not isinstance(values, list | tuple) or len(values) != len(names):
            raise ValueError(f"{what} must have one entry per output {names}, got {type(values).__name__}")
        return list(values)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Updates each output's metrics (structures as the model gives them: an array, a list or a dict)."""
        ys, ps = self._per_output(y_true, "y_true"), self._per_output(y_pred, "y_pred")
        for i, m, is_weighted, _ in self._entries:
            update_metric(m, np.asarray(ys[i]), np.asarray(ps[i]), sample_weight if is_weighted else None)

    def result(self) -> dict[str, Any]:
        return {name: m.result() for _, m, _, name in self._entries}

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()
