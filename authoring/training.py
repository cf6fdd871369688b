"""compile / fit / evaluate / predict with Keras 3's contract, on the numpy reference (the default
backend) or the jax backend.

``fit`` walks the batches of each epoch (``webgrad.data_adapters``: arrays, a ``PyDataset``, a generator)
and runs ``self.train_step(data)`` on each; ``evaluate`` runs ``test_step`` and ``predict`` runs
``predict_step``. Override them on a ``wg.Model`` subclass as in Keras's guide "Customizing what happens
in fit()"; a custom step on the numpy backend takes gradients with ``wg.GradientTape``::

    class CustomModel(wg.Model):
        def train_step(self, data):
            x, y = data
            with wg.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

On the jax backend the built-in steps run as jitted XLA programs; an overridden ``train_step`` (or
``compute_loss``) runs eagerly on the numpy reference instead, with a warning (the steps compute with
the same ops, so results agree; only speed differs), and ``evaluate``/``predict`` stay on jax.

The built-in steps check inputs against the model's signature before anything runs; a non-finite loss
stops training with the epoch and batch, leaving the weights as they were before that batch.
"""

from __future__ import annotations

import functools
import inspect
import math
import warnings
from typing import Any

import numpy as np

from webgrad import compile_utils, privacy
from webgrad import data_adapters as adapters
from webgrad import losses as wg_losses
from webgrad import metrics as wg_metrics
from webgrad import optimizers as wg_optimizers
from webgrad import random as wg_random
from webgrad import raw_ops as ops
from webgrad.autodiff import gradients
from webgrad.backends import check_backend, get_backend
from webgrad.callbacks import Callback, CallbackList, History
from webgrad.fit_checks import (
    batch_size_arg,
    check_label_dtype,
    count_arg,
    require_examples,
    sample_weight_arg,
    steps_arg,
    validation_cut,
    validation_freq_arg,
)
from webgrad.layers.text_vectorization import as_texts, vectorize_model_inputs
from webgrad.progress import Progress, resolve_verbose
from webgrad.raw_ops import no_grad
from webgrad.tensor import Tensor


class TrainingDivergedError(FloatingPointError):
    """The training loss became NaN or infinite."""


class _NonFiniteLossError(Exception):
    """Raised by the built-in train step before it applies a batch whose loss is not finite."""

    def __init__(self, value: float):
        super().__init__(value)
        self.value = value


def _texts_or_none(x: Any, reads_texts: bool) -> list[str] | None:
    """``as_texts(x)``, except that a model without a string input gets None for a string array of
    another shape than ``(n,)``/``(n, 1)`` (its dtype check then says it takes numbers)."""
    try:
        return as_texts(x, "x")
    except ValueError:
        if reads_texts:
            raise
        return None


def _as_list(x: Any) -> list:
    return list(x) if isinstance(x, list | tuple) else [x]


def _value(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _labels(y: Any) -> np.ndarray:
    """Labels as a numpy array; floating labels as float32 (Keras's floatx), integer labels as they are."""
    a = np.asarray(_value(y))
    return a.astype(np.float32) if np.issubdtype(a.dtype, np.floating) and a.dtype != np.float32 else a


def _float(x: Any) -> float:
    return float(np.asarray(_value(x)))


def pythonify_logs(logs: Any) -> dict[str, Any]:
    """Logs as Keras hands them to callbacks: nested dicts flattened, numbers as floats, keys sorted.

    >>> pythonify_logs({"loss": np.float32(0.5), "compile_metrics": {"accuracy": 1}})
    {'accuracy': 1.0, 'loss': 0.5}
    """
    out: dict[str, Any] = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            out.update(pythonify_logs(value))
            continue
        try:
            out[key] = float(np.asarray(_value(value)))
        except (TypeError, ValueError):
            out[key] = value
    return out


@functools.lru_cache(maxsize=256)
def _takes_training(fn: Any) -> bool:
    """Whether a ``compute_loss`` takes ``training`` (looked up once per function, not per batch)."""
    params = inspect.signature(fn).parameters
    return "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _overrides(model: Any, name: str) -> bool:
    return getattr(type(model), name) is not getattr(TrainingMixin, name)


def _callback_list(callbacks: Any, model: Any, params: dict[str, Any], add_history: bool = False) -> CallbackList:
    """The callbacks of one ``fit``/``evaluate``/``predict`` call (a CallbackList given by fit to its
    validation is used as it is, as in Keras); ``History`` comes last."""
    if isinstance(callbacks, CallbackList):
        return callbacks
    for cb in callbacks or []:
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks must be webgrad.callbacks.Callback instances, got {type(cb).__name__}")
    return CallbackList(callbacks, add_history=add_history, model=model, **params)


def _history(cbs: CallbackList) -> History:
    return next(cb for cb in cbs.callbacks if isinstance(cb, History))


class NumpySteps:
    """The numpy backend's runner (the jax backend's ``JaxSteps`` has the same methods): the model
    computes on its own weights, so there is nothing to copy; the steps themselves are the model's."""

    def __init__(self, model: Any):
        self.model = model

    def load_weights(self) -> None:
        """Nothing to copy: the numpy backend computes on the model's own weights."""

    def load_slots(self) -> None:
        """Nothing to copy: the optimizer keeps its slots."""

    def sync(self) -> None:
        """Nothing to write back."""

    def predict(self, bx: list[np.ndarray]) -> list[np.ndarray]:
        with no_grad():
            return [_value(o) for o in self.model._forward(bx, training=False)]


class TrainingMixin:
    """The Keras training API; mixed into ``Model``."""

    def __init__(self) -> None:
        self.optimizer: wg_optimizers.Optimizer | None = None
        self.compiled_losses: list[Any] = []
        self.loss_weights: list[float] = []
        self.stop_training = False
        self.history: History | None = None
        self._loss_spec: Any = None
        self._metric_specs: Any = None
        self._weighted_metric_specs: Any = None
        self._loss_weight_spec: Any = None
        self._backend: str | None = None
        self._mixed_precision: str | None = None
        self._steps: Any = None
        self._loss_tracker: wg_metrics.Metric | None = None
        self._compile_metrics: compile_utils.CompileMetrics | None = None
        self._losses_resolved: compile_utils.LossSpec | None = None
        self._fit_dp: tuple[Any, Any] | None = None
        self._eager_training = False
        self._initial_epoch: int | None = None

    # ---- compile -------------------------------------------------------------------------------
    def compile(self, optimizer: Any = "adam", loss: Any = None, metrics: Any = None,
                loss_weights: Any = None, backend: str | None = None, mixed_precision: str | None = None,
                weighted_metrics: Any = None, run_eagerly: bool | None = None, steps_per_execution: int = 1,
                jit_compile: Any = "auto") -> None:
        """Sets the optimizer, the loss (one, a list or a dict per output; ``None`` entries are not
        trained on), ``loss_weights`` (a list or a dict by output name) and metrics (names or Metric
        objects; per output as a dict or a list of lists). See ``webgrad.compile_utils``.

        ``loss`` may be left out when a custom ``train_step`` computes its own loss. ``backend`` is
        ``"numpy"`` or ``"jax"`` (default: ``wg.get_backend()``); with jax,
        ``mixed_precision="bfloat16"`` computes matrix products in bfloat16 with float32 master weights.
        ``weighted_metrics`` are metrics weighted by ``sample_weight`` (plain ``metrics`` are not, as in
        Keras). ``run_eagerly`` and ``jit_compile`` are accepted for Keras compatibility (numpy is always eager,
        jax always jitted).
        """
        self._backend = check_backend(backend or get_backend())
        if mixed_precision not in (None, "float32") and self._backend != "jax":
            raise ValueError(f"mixed_precision={mixed_precision!r} needs backend='jax'")
        if steps_per_execution != 1:
            raise NotImplementedError("compile(steps_per_execution=...) other than 1 is not supported yet")
        self._mixed_precision, self._steps = mixed_precision, None
        self.optimizer = wg_optimizers.get(optimizer)
        self._loss_spec, self._metric_specs, self._loss_weight_spec = loss, metrics or [], loss_weights
        self._weighted_metric_specs = weighted_metrics or []
        self.compiled_losses, self.loss_weights = [], []
        self._losses_resolved, self._compile_metrics = None, None
        self._loss_tracker = compile_utils.loss_tracker("loss")
        if loss is not None:
            for spec in (list(loss.values()) if isinstance(loss, dict) else _as_list(loss)):
                if spec is not None:
                    wg_losses.get(spec)  # fail early on unknown names
        for spec in (metrics, weighted_metrics):
            for m in (list(spec.values()) if isinstance(spec, dict) else _as_list(spec or [])):
                for one in _as_list(m):
                    if one is not None:
                        wg_metrics.get(one)  # fail early on unknown names
        if self.built and self.outputs:
            self._resolve_compile()

    def _output_names(self, y_pred: Any = None) -> list[str]:
        if self.outputs:
            names = getattr(self, "output_names", None)
            return list(names) if names else [o.history[0].name for o in self.outputs]
        if isinstance(y_pred, dict):
            return sorted(y_pred)
        n = len(_as_list(y_pred)) if y_pred is not None else 1
        return ["output"] if n == 1 else [f"output_{i}" for i in range(n)]

    def _flat_preds(self, y_pred: Any) -> list[Any]:
        """Outputs as a list in output order (dict outputs by name)."""
        if isinstance(y_pred, dict):
            return [y_pred[n] for n in self._output_names(y_pred)]
        return _as_list(y_pred)

    def _resolve_compile(self, y_pred: Any = None) -> None:
        """Resolves the losses and metrics per output; needs the outputs (built, or one ``y_pred``)."""
        names = self._output_names(y_pred)
        if self._loss_spec is None:
            self._losses_resolved = None
            losses: list[Any] = [None] * len(names)
            self.compiled_losses, self.loss_weights = losses, [1.0] * len(names)
        else:
            spec = compile_utils.resolve_losses(self._loss_spec, self._loss_weight_spec, names)
            self._losses_resolved = spec
            self.compiled_losses, self.loss_weights, losses = spec.losses, spec.weights, spec.losses
        per_output = compile_utils.resolve_metrics(self._metric_specs, names, losses)
        weighted = compile_utils.resolve_metrics(self._weighted_metric_specs, names, losses)
        self._compile_metrics = compile_utils.CompileMetrics(per_output, names, weighted)

    def _require_compiled(self, where: str) -> None:
        if self.optimizer is None:
            raise RuntimeError(f"model {self.name!r} must be compiled before {where}; "
                               "call model.compile(optimizer=..., loss=...)")

    # ---- metrics (Keras 3's Trainer API) ---------------------------------------------------------
    @property
    def metrics(self) -> list[Any]:
        """The metric objects ``fit`` resets each epoch and reports: the loss tracker, the compiled
        metrics (one ``compile_metrics`` object), the per-output loss trackers, then the Metric objects
        assigned as attributes of the model (``self.loss_tracker = Mean(name="loss")``)."""
        out: list[Any] = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        if self._compile_metrics is not None:
            out.append(self._compile_metrics)
        if self._losses_resolved is not None:
            out.extend(t for t in self._losses_resolved.trackers if t is not None)
        own = {id(m) for m in out}
        for value in list(vars(self).values()):
            for m in value if isinstance(value, list | tuple) else [value]:
                if isinstance(m, wg_metrics.Metric) and id(m) not in own and not isinstance(m, type):
                    own.add(id(m))
                    out.append(m)
        return out

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        """Resets every metric in ``self.metrics``."""
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self) -> dict[str, Any]:
        """The results of ``self.metrics`` as one dict (a dict result, the compiled metrics', is merged)."""
        out: dict[str, Any] = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
            else:
                out[m.name] = r
        return out

    @property
    def trainable_variables(self) -> list:
        """Keras's name for ``trainable_weights``."""
        return self.trainable_weights

    # ---- data in ---------------------------------------------------------------------------------
    def _prepare_x(self, x: Any) -> list[np.ndarray]:
        """``x`` (an array, a list, or a dict by input name) as a list of arrays in the model's input
        order and dtypes, checked against the model's input shapes (a Sequential builds from it)."""
        # a string array of the wrong shape is a shape error only for a model that reads texts; for one
        # without a string input, it is an input of the wrong dtype
        reads_texts = not self.inputs or any(str(i.dtype) == "string" for i in self.inputs)
        if isinstance(x, dict):
            names = [s.history[0].name for s in self.inputs] if self.inputs else []
            missing = [n for n in names if n not in x]
            if missing or not names:
                raise ValueError(f"inputs {missing} missing; the model's inputs are {names}, got {sorted(x)}")
            xs = [x[n] for n in names]
        else:
            xs = [x] if _texts_or_none(x, reads_texts) is not None else _as_list(x)  # a list of str: one input
        arrays = []
        for a in xs:
            texts = _texts_or_none(a, reads_texts)
            if texts is not None:  # raw strings: vectorized below by the model's TextVectorization
                arrays.append(np.asarray(texts, dtype=object))
                continue
            a = np.asarray(_value(a))
            if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
                raise TypeError(f"inputs must be numeric arrays (or texts for a string input), got dtype {a.dtype}")
            arrays.append(a)
        self._ensure_built(arrays if len(arrays) > 1 else arrays[0])  # a Sequential or subclassed model builds
        if self.inputs and len(arrays) == len(self.inputs):  # texts -> ids before anything else sees them
            arrays = vectorize_model_inputs(self, arrays)
        if not self.inputs:  # a model without a signature: floats arrive as float32, as in Keras
            return [a.astype(np.float32) if a.dtype == np.float64 else a for a in arrays]
        if len(arrays) != len(self.inputs):
            raise ValueError(f"model {self.name!r} takes {len(self.inputs)} inputs, got {len(arrays)}")
        out = []
        for a, spec in zip(arrays, self.inputs, strict=True):
            if spec.dtype == "string":  # ids from its TextVectorization, checked there
                out.append(a)
                continue
            want = spec.shape
            if a.ndim != len(want) or any(w is not None and w != g for w, g in zip(want, a.shape, strict=True)):
                raise ValueError(f"input {spec.history[0].name!r} expects shape {want} (None = any), "
                                 f"got an array of shape {a.shape}")
            out.append(a.astype(spec.dtype, copy=False))
        n = {len(a) for a in out}
        if len(n) > 1:
            raise ValueError(f"inputs have different numbers of examples: {[len(a) for a in out]}")
        return out

    def _label_list(self, y: Any) -> list[Any]:
        """Labels as a list in output order (a dict is read by output name)."""
        if isinstance(y, dict):
            names = self._output_names()
            missing = [n for n in names if n not in y]
            if missing and self.outputs:
                raise ValueError(f"labels for outputs {missing} missing; the model's outputs are {names}, "
                                 f"got {sorted(y)}")
            return [y.get(n) for n in names] if self.outputs else list(y.values())
        n_out = len(self.outputs) if self.outputs else len(self.compiled_losses) or 1
        return _as_list(y) if n_out > 1 else [y]

    def _prepare_y(self, y: Any, n: int) -> list[np.ndarray]:
        if y is None:
            raise ValueError(f"labels missing: got y=None for {n} input examples; pass one label per example")
        ys = self._label_list(y)
        if self.outputs and len(ys) != len(self.outputs):
            raise ValueError(f"model has {len(self.outputs)} outputs, got {len(ys)} label arrays")
        out = []
        for i, yy in enumerate(ys):
            yy = _labels(yy)
            if yy.ndim == 0:
                raise ValueError(f"labels must be an array with one entry per example, got the scalar {yy.item()!r}")
            if len(yy) != n:
                raise ValueError(f"{len(yy)} labels for {n} input examples")
            lo = self.compiled_losses[i] if i < len(self.compiled_losses) else None
            if lo is not None and self.outputs:
                spec = self.outputs[i]
                check_label_dtype(yy, spec.history[0].name, lo)
                if hasattr(lo, "check_labels"):
                    lo.check_labels(yy, spec.shape)
            out.append(yy)
        return out

    def _x_struct(self, xs: list[np.ndarray]) -> Any:
        return xs[0] if len(xs) == 1 else xs

    def _y_struct(self, ys: list[Any]) -> Any:
        return ys[0] if len(ys) == 1 else ys

    def _convert_batch(self, data: Any, with_labels: bool = True) -> Any:
        """A batch from an adapter as the steps receive it: inputs checked and cast to the model's
        dtypes (a list in input order for several inputs), labels and sample weights as numpy arrays."""
        x, y, sw = adapters.unpack_x_y_sample_weight(data)
        x = self._x_struct(self._prepare_x(x))
        if not with_labels:
            return (x,)
        if y is not None:
            y = self._y_struct([_labels(a) for a in self._label_list(y)])
        if sw is not None:
            sw = sample_weight_arg(_value(sw), len(adapters.flatten(x)[0]), "a batch")
        return adapters.pack_x_y_sample_weight(x, y, sw)

    # ---- the model's forward pass and losses ------------------------------------------------------
    def _forward(self, xs: list[Any], training: bool) -> list[Any]:
        return self._flat_preds(self(xs if len(xs) > 1 else xs[0], training=training))

    def _loss_vectors(self, outs: list[Any], ys: list[Any]) -> list[Any]:
        """The per-example loss of each output (None for an output without a loss)."""
        if not self.compiled_losses:
            self._resolve_compile(outs if len(outs) > 1 else outs[0])
        if self._losses_resolved is None:
            raise ValueError(f"no loss to compute for model {self.name!r}: give a loss in compile(), or override "
                             "train_step/compute_loss")
        if len(ys) != len(outs):
            raise ValueError(f"model {self.name!r} has {len(outs)} outputs, got {len(ys)} label arrays")
        return [None if lo is None else wg_losses.per_example(lo, y, out)
                for out, y, lo in zip(outs, ys, self.compiled_losses, strict=True)]

    def _extra_losses(self) -> Any:
        """The sum of ``self.losses`` (regularization and ``add_loss`` terms), or None when there are none."""
        total = None
        for loss in getattr(self, "losses", None) or []:
            term = loss if isinstance(loss, Tensor) else Tensor(np.asarray(loss, np.float32))
            term = ops.ReduceSum(term) if term.shape else term
            total = term if total is None else total + term
        return total

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None,
                     training: bool = True) -> Any:
        """The total loss of a batch (a scalar Tensor on the autodiff graph): the compiled losses, each the
        mean over the batch of ``loss * sample_weight``, times ``loss_weights``, plus ``sum(self.losses)``.
        Updates the ``<output>_loss`` trackers of a multi-output model (Keras 3's ``compute_loss``)."""
        outs = self._flat_preds(y_pred)
        vectors = self._loss_vectors(outs, self._label_list(y))
        spec = self._losses_resolved
        assert spec is not None
        sw = None if sample_weight is None else np.asarray(_value(sample_weight), np.float32).reshape(-1)
        total = None
        for v, w, tracker in zip(vectors, spec.weights, spec.trackers, strict=True):
            if v is None:
                continue
            term = ops.ReduceMean(v if sw is None else v * Tensor(sw))
            if tracker is not None:
                tracker.update_state(_float(term), sample_weight=len(_value(v)))
            term = term if w == 1.0 else term * np.float32(w)
            total = term if total is None else total + term
        extra = self._extra_losses()
        if extra is not None:
            total = extra if total is None else total + extra
        return total

    def _compute_loss(self, x: Any, y: Any, y_pred: Any, sample_weight: Any, training: bool) -> Any:
        # an override written before Keras 3.3 may not take `training`
        if _takes_training(type(self).compute_loss):
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict[str, Any]:
        """Updates the compiled metrics with a batch and returns ``get_metrics_result()``."""
        if self._compile_metrics is None:
            self._resolve_compile(y_pred)
        if self._compile_metrics is not None and self._compile_metrics.metrics and y is not None:
            outs = [_value(o) for o in self._flat_preds(y_pred)]
            self._compile_metrics.update_state(self._y_struct(self._label_list(y)), self._y_struct(outs), sample_weight)
        return self.get_metrics_result()

    # ---- the steps (override them as in Keras) ----------------------------------------------------
    def _jax_runs_builtin(self) -> bool:
        return (self._backend or get_backend()) == "jax" and not _overrides(self, "compute_loss")

    def train_step(self, data: Any) -> dict[str, Any]:
        """One optimizer step on the batch ``data`` = ``(x, y[, sample_weight])``; returns the logs."""
        x, y, sw = adapters.unpack_x_y_sample_weight(data)
        xs = _as_list(x)
        n = len(xs[0])
        dp, dp_rng = self._fit_dp or (None, None)
        if y is None:
            raise ValueError("labels missing: the built-in train_step needs batches (x, y[, sample_weight]); "
                             "override train_step to train without labels")
        if self._jax_runs_builtin() and not self._eager_training:
            loss, terms, outs = self._backend_steps().train(xs, self._label_list(y), sw, dp, dp_rng)
            if not math.isfinite(loss):
                raise _NonFiniteLossError(loss)
            self._track_terms(terms, n)
        elif dp is not None:
            loss, outs = self._dp_numpy_step(xs, self._label_list(y), sw, dp, dp_rng)
        else:
            outs = self._forward(xs, training=True)
            y_pred = outs[0] if len(outs) == 1 else outs
            total = self._compute_loss(x, y, y_pred, sw, training=True)
            loss = _float(total)
            if not math.isfinite(loss):
                raise _NonFiniteLossError(loss)
            variables = self.trainable_weights
            grads = gradients(total, variables)
            self.optimizer.apply_gradients(zip(grads, variables, strict=True))
        assert self._loss_tracker is not None
        self._loss_tracker.update_state(loss, sample_weight=n)
        return self.compute_metrics(x, y, outs[0] if len(outs) == 1 else outs, sw)

    def _dp_numpy_step(self, xs: list[Any], ys: list[Any], sw: Any, dp: privacy.DPConfig,
                       dp_rng: np.random.Generator) -> tuple[float, list[Any]]:
        outs = self._forward(xs, training=True)
        vectors = self._loss_vectors(outs, ys)
        per_example = None
        for v, w in zip(vectors, self.loss_weights, strict=True):
            if v is not None:
                term = v if w == 1.0 else v * np.float32(w)
                per_example = term if per_example is None else per_example + term
        self._track_terms([None if v is None else float(np.mean(_value(v))) for v in vectors], len(xs[0]))
        loss = float(np.mean(_value(per_example)))
        if not math.isfinite(loss):
            raise _NonFiniteLossError(loss)
        variables = self.trainable_weights
        per_grads = gradients(per_example, variables, per_example=True)
        clipped, _ = privacy.clip_per_example(per_grads, dp.l2_norm_clip)
        grads = privacy.noisy_mean(clipped, dp, dp_rng)
        self.optimizer.apply_gradients(zip(grads, variables, strict=True))
        return loss, outs

    def _track_terms(self, terms: list[Any], n: int) -> None:
        spec = self._losses_resolved
        if spec is None:
            return
        for t, tracker in zip(terms, spec.trackers, strict=True):
            if tracker is not None and t is not None:
                tracker.update_state(float(t), sample_weight=n)

    def test_step(self, data: Any) -> dict[str, Any]:
        """The loss and metrics of the batch ``data`` = ``(x, y[, sample_weight])``; returns the logs."""
        x, y, sw = adapters.unpack_x_y_sample_weight(data)
        xs = _as_list(x)
        if y is None:
            raise ValueError("labels missing: evaluate needs batches (x, y[, sample_weight])")
        if self._jax_runs_builtin():
            loss, terms, outs = self._backend_steps().evaluate(xs, self._label_list(y), sw)
            self._track_terms(terms, len(xs[0]))
        else:
            with no_grad():
                outs = self._forward(xs, training=False)
                loss = _float(self._compute_loss(x, y, outs[0] if len(outs) == 1 else outs, sw, training=False))
        assert self._loss_tracker is not None
        self._loss_tracker.update_state(loss, sample_weight=len(xs[0]))
        return self.compute_metrics(x, y, outs[0] if len(outs) == 1 else outs, sw)

    def predict_step(self, data: Any) -> Any:
        """The outputs for the batch ``data`` = ``(x,)`` (numpy arrays; a list for several outputs)."""
        x, _, _ = adapters.unpack_x_y_sample_weight(data)
        outs = self._backend_steps().predict(_as_list(x))
        if isinstance(getattr(self, "_outputs_struct", None), dict):  # dict outputs come back by name
            return dict(zip(self._output_names(), outs, strict=True))
        return outs[0] if len(outs) == 1 else outs

    def _backend_steps(self) -> Any:
        """The per-batch runner of the compiled backend (built once; the jax one holds the jitted steps)."""
        if self._steps is None:
            if (self._backend or get_backend()) == "jax":
                # jax is an optional extra (webgrad[jax]): imported only when a model is compiled for it
                from webgrad.backends.jax_steps import JaxSteps

                self._steps = JaxSteps(self, self._mixed_precision)
            else:
                self._steps = NumpySteps(self)
        return self._steps

    def _train_runner(self) -> Any:
        """The runner fit trains with: the backend's, or numpy for a custom step on jax (with a warning)."""
        custom = _overrides(self, "train_step") or _overrides(self, "compute_loss")
        self._eager_training = custom and (self._backend or get_backend()) == "jax"
        if self._eager_training:
            warnings.warn(f"model {self.name!r} overrides train_step/compute_loss: on the jax backend it trains "
                          "eagerly on the numpy reference (same results, slower); evaluate/predict stay on jax",
                          stacklevel=3)
            return NumpySteps(self)
        return self._backend_steps()

    # ---- data to batches -------------------------------------------------------------------------------
    def _arrays(self, x: Any, y: Any, sample_weight: Any, where: str, labels: bool) -> tuple:
        """Checked arrays ``(xs, ys or None, sw or None, n)``; labels are required by the built-in steps."""
        xs = self._prepare_x(x)
        n = len(xs[0])
        if self.outputs and not self.compiled_losses and self.optimizer is not None:
            self._resolve_compile()
        ys = None
        if y is not None or labels:
            ys = self._prepare_y(y, n)
        sw = sample_weight_arg(sample_weight, n, where)
        return xs, ys, sw, n

    def _adapter(self, xs: list[np.ndarray], ys: Any, sw: Any, batch_size: int, shuffle: bool,
                 class_weight: Any = None) -> adapters.ArrayDataAdapter:
        return adapters.ArrayDataAdapter(self._x_struct(xs), None if ys is None else self._y_struct(ys), sw,
                                         batch_size, shuffle, class_weight)

    # ---- fit ----------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = "auto", callbacks: list[Callback] | None = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, class_weight: dict | None = None,
            sample_weight: Any = None, initial_epoch: int = 0, steps_per_epoch: int | None = None,
            validation_steps: int | None = None, validation_batch_size: int | None = None,
            validation_freq: Any = 1, dp: privacy.DPConfig | dict | None = None) -> History:
        """Trains for ``epochs`` over the data; returns the History (Keras 3's ``fit``).

        ``x`` is arrays (with ``y`` and optional ``sample_weight``/``class_weight``), a
        ``webgrad.data_adapters.PyDataset`` or a generator/iterable of ``(x, y[, sample_weight])``
        batches. Each batch runs ``self.train_step(data)``. ``validation_data`` is ``(x, y[, sw])`` or a
        PyDataset/iterable, evaluated every ``validation_freq`` epochs (``val_*`` logs).
        After the callbacks' ``on_train_begin``, training starts at epoch
        ``max(initial_epoch, model._initial_epoch or 0)``: a callback resuming an interrupted run
        (``BackupAndRestore``) sets ``model._initial_epoch``.

        ``dp`` turns on DP-SGD (see ``webgrad.privacy``, arrays only); the ε spent is logged as
        ``epsilon``. Everything is checked before the first batch (``webgrad.fit_checks``);
        ``batch_size=None`` means 32 and ``epochs=0`` returns an empty History, as in Keras.
        """
        batch_size = batch_size_arg(batch_size, "fit")
        epochs = count_arg(epochs, "epochs", "fit")
        initial_epoch = count_arg(initial_epoch, "initial_epoch", "fit")
        steps_per_epoch = steps_arg(steps_per_epoch, "steps_per_epoch", "fit")
        validation_steps = steps_arg(validation_steps, "validation_steps", "fit")
        validation_freq = validation_freq_arg(validation_freq)
        val_batch_size = batch_size_arg(validation_batch_size, "fit") if validation_batch_size else batch_size
        self._require_compiled("training")
        builtin = not _overrides(self, "train_step")
        rng = wg_random.generator()
        n = None
        if adapters.is_batch_iterable(x):
            if validation_split:
                raise ValueError("fit: validation_split needs array inputs; with a PyDataset or a generator, "
                                 "pass validation_data")
            adapter: Any = adapters.get_data_adapter(x, y, sample_weight, batch_size, shuffle, class_weight)
        else:
            xs, ys, sw, n = self._arrays(x, y, sample_weight, "fit", labels=builtin)
            require_examples(n, "fit: x", "train on")
            if validation_data is None and validation_split:
                cut = validation_cut(n, validation_split)
                vys = None if ys is None else self._y_struct([a[cut:] for a in ys])
                validation_data = adapters.pack_x_y_sample_weight(
                    self._x_struct([a[cut:] for a in xs]), vys, None if sw is None else sw[cut:])
                xs, n = [a[:cut] for a in xs], cut
                ys = None if ys is None else [a[:cut] for a in ys]
                sw = None if sw is None else sw[:cut]
            adapter = self._adapter(xs, ys, sw, batch_size, shuffle, class_weight)
        val = None
        if validation_data is not None:
            val = self._validation_setup(validation_data, validation_steps, rng)
        self._build_from(adapter)
        dp_cfg = self._dp_setup(dp, n, sample_weight, class_weight, builtin)
        iterator = adapters.EpochIterator(adapter, rng, steps_per_epoch)
        verbose = resolve_verbose(verbose)
        cbs = _callback_list(callbacks, self, {"verbose": verbose, "epochs": epochs, "steps": iterator.num_batches},
                             add_history=True)
        self.history = _history(cbs)
        self.stop_training = False
        self._initial_epoch = None
        runner = self._train_runner()
        runner.load_weights()
        runner.load_slots()
        cbs.on_train_begin({})
        start = max(initial_epoch, self._initial_epoch or 0)
        epoch_logs: dict[str, Any] = {}
        try:
            for epoch in range(start, epochs):
                self.reset_metrics()
                cbs.on_epoch_begin(epoch, {})
                logs, steps, bar = self._train_epoch(iterator, runner, cbs, epoch, epochs, verbose)
                runner.sync()  # validation and callbacks see this epoch's weights
                if steps == 0:
                    bar.close({})
                    warnings.warn("fit: the training data gave no batches this epoch; stopping training",
                                  stacklevel=2)
                    break
                epoch_logs = dict(logs)
                if val is not None and self._should_validate(epoch, validation_freq):
                    val_logs = self.evaluate(val[0], val[1], sample_weight=val[2], batch_size=val_batch_size,
                                             steps=validation_steps, callbacks=cbs, verbose=0, return_dict=True,
                                             _iterator=val[3])
                    epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                if dp_cfg is not None and n:
                    epoch_logs["epsilon"] = privacy.epsilon(dp_cfg, (epoch + 1) * steps,
                                                            min(1.0, batch_size / n))
                bar.close(epoch_logs)
                cbs.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
                runner.load_weights()  # a callback may have set weights
        finally:
            self._fit_dp, self._eager_training = None, False
        cbs.on_train_end(dict(epoch_logs))
        self._initial_epoch = None
        return self.history

    def _build_from(self, adapter: Any) -> None:
        """A model not built yet (a Sequential without Input, a subclassed model) builds from the first
        batch of a PyDataset or generator before the backend's runner needs its weights."""
        if not self.inputs and hasattr(adapter, "peek"):
            try:
                batch = adapter.peek()
            except (StopIteration, IndexError):
                return  # no data: the loop reports it
            self._convert_batch(batch, with_labels=False)

    def _dp_setup(self, dp: Any, n: int | None, sample_weight: Any, class_weight: Any, builtin: bool) -> Any:
        self._fit_dp = None
        if dp is None:
            return None
        if n is None:
            raise NotImplementedError("fit(dp=...) with a PyDataset or a generator is not supported yet; pass arrays")
        if not builtin:
            raise NotImplementedError("fit(dp=...) with a custom train_step is not supported yet")
        if sample_weight is not None or class_weight is not None:
            raise NotImplementedError("fit(dp=...) with sample_weight or class_weight is not supported yet")
        if getattr(self, "losses", None):
            raise NotImplementedError("fit(dp=...) with regularization or add_loss losses is not supported yet")
        cfg = privacy.DPConfig.of(dp)
        bn = [la.name for la in self.layers if type(la).__name__ == "BatchNormalization"]
        if bn:
            raise ValueError(f"DP-SGD cannot train BatchNormalization layers {bn}: batch statistics mix "
                             "examples; use LayerNormalization")
        self._fit_dp = (cfg, wg_random.child(cfg.seed))
        return cfg

    def _train_epoch(self, iterator: adapters.EpochIterator, runner: Any, cbs: CallbackList, epoch: int,
                     epochs: int, verbose: int) -> tuple[dict[str, Any], int, Progress]:
        """One epoch of train steps; returns the last logs, the number of steps run and the progress bar
        (closed by fit with the epoch's logs, validation included)."""
        bar = Progress(verbose, iterator.num_batches, f"Epoch {epoch + 1}/{epochs}")
        logs: dict[str, Any] = {}
        steps = 0
        for step, data in iterator.epoch():
            cbs.on_train_batch_begin(step, {})
            try:
                logs = pythonify_logs(self.train_step(self._convert_batch(data)))
            except _NonFiniteLossError as e:
                runner.sync()
                bar.close({"loss": e.value})
                raise TrainingDivergedError(
                    f"loss became {e.value} at epoch {epoch + 1}, batch {step + 1} of {iterator.num_batches}; "
                    "training stopped before applying that batch (try a lower learning rate)") from None
            steps += 1
            loss = logs.get("loss")
            if isinstance(loss, float) and not math.isfinite(loss):
                runner.sync()
                bar.close(logs)
                raise TrainingDivergedError(
                    f"loss became {loss} at epoch {epoch + 1}, batch {step + 1} of {iterator.num_batches} "
                    "(in the model's own train_step, which had already applied that batch)")
            bar.update(logs)
            cbs.on_train_batch_end(step, logs)
            if self.stop_training:
                break
        return logs, steps, bar

    @staticmethod
    def _should_validate(epoch: int, freq: Any) -> bool:
        return (epoch + 1) % freq == 0 if isinstance(freq, int) else (epoch + 1) in freq

    def _validation_setup(self, validation_data: Any, steps: int | None, rng: np.random.Generator) -> tuple:
        """``(x, y, sample_weight, cached iterator or None)`` of ``validation_data``, checked like the
        training data so a bad one fails before any training. A PyDataset or generator keeps one iterator
        across epochs (so ``validation_steps`` of a generator carry on, as in Keras)."""
        if adapters.is_batch_iterable(validation_data):
            it = adapters.EpochIterator(adapters.get_data_adapter(validation_data), rng, steps)
            return validation_data, None, None, it
        if not isinstance(validation_data, tuple | list) or len(validation_data) not in (2, 3):
            got = f"a {type(validation_data).__name__}" + (
                f" of length {len(validation_data)}" if isinstance(validation_data, tuple | list) else "")
            raise ValueError(f"fit: validation_data must be a pair (x_val, y_val), got {got} (or give "
                             "(x_val, y_val, sample_weight_val), a PyDataset or a generator)")
        vx, vy, vsw = adapters.unpack_x_y_sample_weight(tuple(validation_data))
        xs, ys, sw, n = self._arrays(vx, vy, vsw, "fit: validation_data", labels=True)
        require_examples(n, "fit: validation_data", "validate on")
        return self._x_struct(xs), self._y_struct(ys), sw, None

    # ---- evaluate / predict ---------------------------------------------------------------------
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = "auto",
                 sample_weight: Any = None, steps: int | None = None, callbacks: list[Callback] | None = None,
                 return_dict: bool = False, **kwargs: Any) -> Any:
        """Loss and metrics over the data (arrays with ``y``, or a PyDataset/iterable of batches), each
        batch through ``self.test_step``: a list ``[loss, *per-output losses, *metrics]`` (a float
        without metrics), or a dict with ``return_dict``. Zero examples is an error (there is no loss of
        nothing); ``batch_size=None`` means 32.
        """
        batch_size = batch_size_arg(batch_size, "evaluate")
        steps = steps_arg(steps, "steps", "evaluate")
        self._require_compiled("evaluation")
        cached = kwargs.pop("_iterator", None)  # fit's validation of a PyDataset/generator
        if kwargs:
            raise TypeError(f"evaluate got unexpected arguments: {sorted(kwargs)}")
        if cached is not None:
            adapter: Any = None
        elif adapters.is_batch_iterable(x):
            adapter = adapters.get_data_adapter(x, y, sample_weight, batch_size)
        else:
            labels = not _overrides(self, "test_step")
            xs, ys, sw, n = self._arrays(x, y, sample_weight, "evaluate", labels=labels)
            require_examples(n, "evaluate: x", "evaluate")
            adapter = self._adapter(xs, ys, sw, batch_size, False)
        if adapter is not None:
            self._build_from(adapter)
        iterator = cached or adapters.EpochIterator(adapter, wg_random.generator(), steps)
        verbose = resolve_verbose(verbose)
        cbs = _callback_list(callbacks, self, {"verbose": verbose, "epochs": 1, "steps": iterator.num_batches})
        logs = self._evaluate_epoch(iterator, cbs, verbose)
        return logs if return_dict else self._logs_list(logs)

    def _ordered_log_names(self, logs: dict[str, Any]) -> list[str]:
        """Keras's order of evaluate's list: loss, the per-output losses, the compiled metrics, the rest."""
        first = ["loss"]
        if self._losses_resolved is not None:
            trackers = dict(zip(self._losses_resolved.output_names, self._losses_resolved.trackers, strict=True))
            # Keras lists the per-output losses in the order of a loss dict as given
            order = list(self._loss_spec) if isinstance(self._loss_spec, dict) else list(trackers)
            first += [trackers[n].name for n in order if trackers.get(n) is not None]
        if self._compile_metrics is not None:
            first += self._compile_metrics.log_names
        names = [k for k in first if k in logs]
        return names + [k for k in logs if k not in names]

    def _evaluate_epoch(self, iterator: adapters.EpochIterator, cbs: CallbackList, verbose: int) -> dict[str, Any]:
        runner = self._backend_steps()
        runner.load_weights()
        self.reset_metrics()
        cbs.on_test_begin({})
        bar = Progress(verbose, iterator.num_batches, "Evaluate")
        logs: dict[str, Any] = {}
        seen = 0
        for step, data in iterator.epoch():
            cbs.on_test_batch_begin(step, {})
            logs = pythonify_logs(self.test_step(self._convert_batch(data)))
            seen += 1
            bar.update(logs)
            cbs.on_test_batch_end(step, logs)
        if not seen:
            raise ValueError("evaluate: the data gave no batches: there is nothing to evaluate")
        bar.close(logs)
        cbs.on_test_end(dict(logs))
        return logs

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = 0, steps: int | None = None,
                callbacks: list[Callback] | None = None) -> Any:
        """Model outputs for ``x`` (arrays, or a PyDataset/iterable of batches), each batch through
        ``self.predict_step``, as numpy arrays (a list for several outputs); for 0 rows, empty arrays of
        shape ``(0, *output_shape[1:])`` as in Keras. ``batch_size=None`` means 32.
        """
        batch_size = batch_size_arg(batch_size, "predict")
        steps = steps_arg(steps, "steps", "predict")
        if adapters.is_batch_iterable(x):
            adapter: Any = adapters.get_data_adapter(x, None, None, batch_size)
            self._build_from(adapter)
        else:
            xs = self._prepare_x(x)
            if len(xs[0]) == 0:
                return self._empty_outputs(xs)
            adapter = self._adapter(xs, None, None, batch_size, False)
        iterator = adapters.EpochIterator(adapter, wg_random.generator(), steps)
        verbose = resolve_verbose(verbose)
        cbs = _callback_list(callbacks, self, {"verbose": verbose, "epochs": 1, "steps": iterator.num_batches})
        self._backend_steps().load_weights()
        cbs.on_predict_begin({})
        bar = Progress(verbose, iterator.num_batches, "Predict")
        chunks: list[Any] = []
        for step, data in iterator.epoch():
            cbs.on_predict_batch_begin(step, {})
            out = self.predict_step(self._convert_batch(data, with_labels=False))
            chunks.append(out)
            bar.update({})
            cbs.on_predict_batch_end(step, {"outputs": out})
        bar.close({})
        cbs.on_predict_end({})
        if not chunks:
            raise ValueError("predict: the data gave no batches")
        return _concat(chunks)

    # ---- one batch ---------------------------------------------------------------------------------
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: dict | None = None,
                       return_dict: bool = False) -> Any:
        """One ``train_step`` on one batch (metrics reset first, as in Keras); returns its logs like
        ``evaluate`` does (a list, or a dict with ``return_dict``)."""
        self._require_compiled("training")
        if class_weight is not None:
            sample_weight = adapters.ArrayDataAdapter(x, y, sample_weight, 1, False, class_weight).sample_weight
        data = self._convert_batch(adapters.pack_x_y_sample_weight(x, y, sample_weight))
        runner = self._train_runner()
        runner.load_weights()
        runner.load_slots()
        self.reset_metrics()
        try:
            logs = pythonify_logs(self.train_step(data))
        except _NonFiniteLossError as e:
            raise TrainingDivergedError(f"loss became {e.value}; the batch was not applied (try a lower "
                                        "learning rate)") from None
        finally:
            runner.sync()
            self._eager_training = False
        return logs if return_dict else self._logs_list(logs)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False) -> Any:
        """``test_step`` on one batch (metrics reset first); returns its logs like ``evaluate``."""
        self._require_compiled("evaluation")
        data = self._convert_batch(adapters.pack_x_y_sample_weight(x, y, sample_weight))
        self._backend_steps().load_weights()
        self.reset_metrics()
        logs = pythonify_logs(self.test_step(data))
        return logs if return_dict else self._logs_list(logs)

    def predict_on_batch(self, x: Any) -> Any:
        """``predict_step`` on one batch."""
        self._backend_steps().load_weights()
        return _concat([self.predict_step(self._convert_batch((x,), with_labels=False))])

    def _logs_list(self, logs: dict[str, Any]) -> Any:
        values = [logs[k] for k in self._ordered_log_names(logs)]
        return values[0] if len(values) == 1 else values

    def _empty_outputs(self, xs: list[np.ndarray]) -> Any:
        """The outputs for 0 input rows: from the output shapes when they are known, else by running
        the model on the empty batch (shapes such as ``(None, None, 3)`` depend on the input)."""
        if self.outputs and all(d is not None for s in self.outputs for d in s.shape[1:]):
            outs = [np.zeros((0, *s.shape[1:]), s.dtype) for s in self.outputs]
        else:
            runner = self._backend_steps()
            runner.load_weights()
            outs = runner.predict(xs)
        if isinstance(getattr(self, "_outputs_struct", None), dict):
            return dict(zip(self._output_names(), outs, strict=True))
        return outs[0] if len(outs) == 1 else outs


def _concat(chunks: list[Any]) -> Any:
    """Batches of outputs joined along the batch axis, keeping their structure (array, list or dict)."""
    first = chunks[0]
    if isinstance(first, dict):
        return {k: np.concatenate([np.asarray(_value(c[k])) for c in chunks]) for k in first}
    if isinstance(first, list | tuple):
        return [np.concatenate([np.asarray(_value(c[i])) for c in chunks]) for i in range(len(first))]
    return np.concatenate([np.asarray(_value(c)) for c in chunks])
