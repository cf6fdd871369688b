"""compile / fit / evaluate / predict, on the numpy reference (the default backend) or the jax backend.

Inputs are checked against the model's signature before anything runs; a non-finite loss stops
training with the epoch and batch, leaving the weights as they were before that batch. The loop
(epochs, shuffling, metrics, callbacks, progress) is one for both backends; a backend's "steps" object
does the per-batch work: ``NumpySteps`` here, ``webgrad.backends.jax_steps.JaxSteps`` for jax.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from webgrad import losses as wg_losses
from webgrad import metrics as wg_metrics
from webgrad import optimizers as wg_optimizers
from webgrad import privacy
from webgrad import random as wg_random
from webgrad.autodiff import gradients
from webgrad.backends import check_backend, get_backend
from webgrad.callbacks import Callback, History
from webgrad.fit_checks import batch_size_arg, check_label_dtype, count_arg, require_examples, validation_cut
from webgrad.raw_ops import no_grad
from webgrad.progress import Progress, resolve_verbose
from webgrad.tensor import Tensor


class TrainingDivergedError(FloatingPointError):
    """The training loss became NaN or infinite."""


def _as_list(x: Any) -> list:
    return list(x) if isinstance(x, list | tuple) else [x]


def _value(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


class NumpySteps:
    """The numpy backend's per-batch work (the jax backend's ``JaxSteps`` has the same methods)."""

    def __init__(self, model: Any):
        self.model = model

    def load_weights(self) -> None:
        """Nothing to copy: the numpy backend computes on the model's own weights."""

    def load_slots(self) -> None:
        """Nothing to copy: the optimizer keeps its slots."""

    def sync(self) -> None:
        """Nothing to write back."""

    def train(self, bx: list[np.ndarray], by: list[np.ndarray], dp: privacy.DPConfig | None,
              dp_rng: np.random.Generator | None) -> tuple[float, list[Any]]:
        return self.model._train_step(bx, by, dp, dp_rng)

    def evaluate(self, bx: list[np.ndarray], by: list[np.ndarray]) -> tuple[float, list[Any]]:
        m = self.model
        with no_grad():
            outs = m._forward(bx, training=False)
            return float(np.sum(_value(m._per_example_loss(outs, by)))), outs

    def predict(self, bx: list[np.ndarray]) -> list[np.ndarray]:
        with no_grad():
            return [_value(o) for o in self.model._forward(bx, training=False)]


class TrainingMixin:
    """The Keras training API; mixed into ``Model``."""

    def __init__(self) -> None:
        self.optimizer: wg_optimizers.Optimizer | None = None
        self.compiled_losses: list[Any] = []
        self.loss_weights: list[float] = []
        self.compiled_metrics: list[list[wg_metrics.Metric]] = []
        self.stop_training = False
        self.history: History | None = None
        self._metric_specs: Any = None
        self._backend: str | None = None
        self._mixed_precision: str | None = None
        self._steps: Any = None

    # ---- compile -------------------------------------------------------------------------------
    def compile(self, optimizer: Any = "adam", loss: Any = None, metrics: Any = None,
                loss_weights: list[float] | None = None, backend: str | None = None,
                mixed_precision: str | None = None) -> None:
        """Sets the optimizer, the loss (one, or one per output) and metrics (names or Metric objects).

        ``backend`` is ``"numpy"`` or ``"jax"`` (default: ``wg.get_backend()``); with jax,
        ``mixed_precision="bfloat16"`` computes matrix products in bfloat16 with float32 master weights.
        """
        self._backend = check_backend(backend or get_backend())
        if mixed_precision not in (None, "float32") and self._backend != "jax":
            raise ValueError(f"mixed_precision={mixed_precision!r} needs backend='jax'")
        self._mixed_precision, self._steps = mixed_precision, None
        self.optimizer = wg_optimizers.get(optimizer)
        self._loss_spec, self._metric_specs, self._loss_weight_spec = loss, metrics or [], loss_weights
        if loss is None:
            raise ValueError("compile needs a loss, e.g. loss='sparse_categorical_crossentropy'")
        for spec in (_as_list(loss) if not isinstance(loss, dict) else list(loss.values())):
            wg_losses.get(spec)  # fail early on unknown names
        for m in _as_list(self._metric_specs):
            wg_metrics.get(m)
        if self.built:
            self._resolve_compile()

    def _resolve_compile(self) -> None:
        n = len(self.outputs)
        loss = self._loss_spec
        if isinstance(loss, dict):
            names = [y.history[0].name for y in self.outputs]
            missing = set(loss) - set(names)
            if missing:
                raise ValueError(f"loss given for unknown outputs {sorted(missing)}; outputs: {names}")
            specs = [loss.get(name) for name in names]
        elif isinstance(loss, list | tuple):
            if len(loss) != n:
                raise ValueError(f"{len(loss)} losses for a model with {n} outputs")
            specs = list(loss)
        else:
            specs = [loss] * n
        self.compiled_losses = [None if s is None else wg_losses.get(s) for s in specs]
        self.loss_weights = list(self._loss_weight_spec or [1.0] * n)
        self.compiled_metrics = [
            [wg_metrics.get(m, getattr(lo, "name", None)) for m in _as_list(self._metric_specs)]
            for lo in self.compiled_losses
        ]

    # ---- data checks -------------------------------------------------------------------------
    def _prepare_x(self, x: Any) -> list[np.ndarray]:
        if isinstance(x, dict):
            names = [s.history[0].name for s in self.inputs] if self.built else []
            missing = [n for n in names if n not in x]
            if missing:
                raise ValueError(f"inputs {missing} missing; the model's inputs are {names}, got {sorted(x)}")
            xs = [x[n] for n in names]
        else:
            xs = _as_list(x)
        arrays = []
        for a in xs:
            a = np.asarray(a)
            if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
                raise TypeError(f"inputs must be numeric arrays, got dtype {a.dtype}")
            arrays.append(a)
        self._ensure_built(arrays if len(arrays) > 1 else arrays[0])
        if len(arrays) != len(self.inputs):
            raise ValueError(f"model {self.name!r} takes {len(self.inputs)} inputs, got {len(arrays)}")
        out = []
        for a, spec in zip(arrays, self.inputs, strict=True):
            want = spec.shape
            if a.ndim != len(want) or any(w is not None and w != g for w, g in zip(want, a.shape, strict=True)):
                raise ValueError(f"input {spec.history[0].name!r} expects shape {want} (None = any), "
                                 f"got an array of shape {a.shape}")
            out.append(a.astype(spec.dtype, copy=False))
        n = {len(a) for a in out}
        if len(n) > 1:
            raise ValueError(f"inputs have different numbers of examples: {[len(a) for a in out]}")
        return out

    def _prepare_y(self, y: Any, n: int) -> list[np.ndarray]:
        if y is None:
            raise ValueError(f"labels missing: got y=None for {n} input examples; pass one label per example")
        if isinstance(y, dict):
            ys = [y[o.history[0].name] for o in self.outputs]
        else:
            ys = _as_list(y) if len(self.outputs) > 1 else [y]
        if len(ys) != len(self.outputs):
            raise ValueError(f"model has {len(self.outputs)} outputs, got {len(ys)} label arrays")
        out = []
        for yy, lo, spec in zip(ys, self.compiled_losses, self.outputs, strict=True):
            yy = np.asarray(yy)
            if yy.ndim == 0:
                raise ValueError(f"labels must be an array with one entry per example, got the scalar {yy.item()!r}")
            if lo is not None:
                check_label_dtype(yy, spec.history[0].name, lo)
            if len(yy) != n:
                raise ValueError(f"{len(yy)} labels for {n} input examples")
            if lo is not None and hasattr(lo, "check_labels"):
                lo.check_labels(yy, spec.shape)
            out.append(yy)
        return out

    # ---- steps -----------------------------------------------------------------------------------
    def _forward(self, xs: list[np.ndarray], training: bool) -> list[Any]:
        return _as_list(self.call(xs if len(xs) > 1 else xs[0], training=training))

    def _per_example_loss(self, outs: list[Any], ys: list[np.ndarray]) -> Any:
        total = None
        for out, y, lo, w in zip(outs, ys, self.compiled_losses, self.loss_weights, strict=True):
            if lo is None:
                continue
            term = lo(y, out)
            if w != 1.0:
                term = term * np.float32(w)
            total = term if total is None else total + term
        return total

    def _train_step(self, xs: list[np.ndarray], ys: list[np.ndarray], dp: privacy.DPConfig | None,
                    dp_rng: np.random.Generator | None) -> tuple[float, list[Any]]:
        outs = self._forward(xs, training=True)
        per_example = self._per_example_loss(outs, ys)
        loss_value = float(np.mean(_value(per_example)))
        if not np.isfinite(loss_value):
            return loss_value, outs
        variables = self.trainable_weights
        if dp is None:
            grads = gradients(wg_losses.mean(per_example), variables)
        else:
            per_grads = gradients(per_example, variables, per_example=True)
            clipped, _ = privacy.clip_per_example(per_grads, dp.l2_norm_clip)
            grads = privacy.noisy_mean(clipped, dp, dp_rng)
        self.optimizer.apply_gradients(zip(grads, variables, strict=True))
        return loss_value, outs

    def _metric_logs(self, prefix: str = "") -> dict[str, float]:
        logs = {}
        multi = len(self.outputs) > 1
        for spec, ms in zip(self.outputs, self.compiled_metrics, strict=True):
            for m in ms:
                name = f"{spec.history[0].name}_{m.name}" if multi else m.name
                logs[prefix + name] = m.result()
        return logs

    def _update_metrics(self, outs: list[Any], ys: list[np.ndarray]) -> None:
        for out, y, ms in zip(outs, ys, self.compiled_metrics, strict=True):
            for m in ms:
                m.update_state(y, _value(out))

    def _reset_metrics(self) -> None:
        for ms in self.compiled_metrics:
            for m in ms:
                m.reset_state()

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

    def _compiled_inputs(self, x: Any) -> list[np.ndarray]:
        """Checks the model is compiled, then ``x`` (which builds a lazy Sequential), then resolves the
        losses and metrics per output, which needs the built outputs."""
        if self.optimizer is None:
            raise RuntimeError(f"model {self.name!r} must be compiled before training or evaluation; "
                               "call model.compile(optimizer=..., loss=...)")
        xs = self._prepare_x(x)
        if not self.compiled_losses:
            self._resolve_compile()
        return xs

    # ---- fit ----------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = 32, epochs: int = 1, verbose: Any = "auto",
            callbacks: list[Callback] | None = None, validation_split: float = 0.0,
            validation_data: tuple | None = None, shuffle: bool = True, initial_epoch: int = 0,
            dp: privacy.DPConfig | dict | None = None) -> History:
        """Trains for ``epochs`` over ``(x, y)`` in mini-batches; returns the History.

        ``dp`` turns on DP-SGD (see ``webgrad.privacy``); the ε spent is logged as ``epsilon``.
        Everything is checked before the first batch (``webgrad.fit_checks``): no examples, a split
        that leaves no training or no validation examples, or a bad ``batch_size`` is an error;
        ``batch_size=None`` means 32 and ``epochs=0`` returns an empty History, as in Keras.
        """
        batch_size = batch_size_arg(batch_size, "fit")
        epochs = count_arg(epochs, "epochs", "fit")
        initial_epoch = count_arg(initial_epoch, "initial_epoch", "fit")
        xs = self._compiled_inputs(x)
        n = len(xs[0])
        ys = self._prepare_y(y, n)
        require_examples(n, "fit: x", "train on")
        if validation_data is None:
            cut = validation_cut(n, validation_split)
            if cut < n:
                vx, vy = [a[cut:] for a in xs], [a[cut:] for a in ys]
                validation_data = (vx if len(vx) > 1 else vx[0], vy if len(vy) > 1 else vy[0])
                xs, ys, n = [a[:cut] for a in xs], [a[:cut] for a in ys], cut
        else:
            self._check_validation_data(validation_data)
        dp_cfg = privacy.DPConfig.of(dp) if dp is not None else None
        dp_rng = None
        if dp_cfg is not None:
            bn = [la.name for la in self.layers if type(la).__name__ == "BatchNormalization"]
            if bn:
                raise ValueError(f"DP-SGD cannot train BatchNormalization layers {bn}: batch statistics mix "
                                 "examples; use LayerNormalization")
            dp_rng = wg_random.child(dp_cfg.seed)
        verbose = resolve_verbose(verbose)
        history = History()
        cbs = [history, *(callbacks or [])]
        for cb in cbs:
            cb.set_model(self)
        self.stop_training = False
        for cb in cbs:
            cb.on_train_begin()
        rng = wg_random.generator()
        steps_per_epoch = -(-n // batch_size)
        runner = self._backend_steps()
        runner.load_weights()
        runner.load_slots()
        for epoch in range(initial_epoch, epochs):
            for cb in cbs:
                cb.on_epoch_begin(epoch)
            order = rng.permutation(n) if shuffle else np.arange(n)
            self._reset_metrics()
            loss_sum, seen = 0.0, 0
            bar = Progress(verbose, steps_per_epoch, f"Epoch {epoch + 1}/{epochs}")
            t0 = time.perf_counter()
            for b in range(steps_per_epoch):
                idx = order[b * batch_size:(b + 1) * batch_size]
                bx, by = [a[idx] for a in xs], [a[idx] for a in ys]
                loss_value, outs = runner.train(bx, by, dp_cfg, dp_rng)
                if not np.isfinite(loss_value):
                    runner.sync()
                    bar.close({"loss": loss_value})
                    raise TrainingDivergedError(
                        f"loss became {loss_value} at epoch {epoch + 1}, batch {b + 1} of {steps_per_epoch}; "
                        "training stopped before applying that batch (try a lower learning rate)")
                loss_sum += loss_value * len(idx)
                seen += len(idx)
                self._update_metrics(outs, by)
                logs = {"loss": loss_sum / seen, **self._metric_logs()}
                bar.update(logs)
                for cb in cbs:
                    cb.on_train_batch_end(b, logs)
            logs = {"loss": loss_sum / max(seen, 1), **self._metric_logs()}
            runner.sync()  # validation and callbacks see this epoch's weights
            if validation_data is not None:
                vx, vy = validation_data[0], validation_data[1]
                vals = self.evaluate(vx, vy, batch_size=max(batch_size, 256), verbose=0, return_dict=True)
                logs.update({f"val_{k}": v for k, v in vals.items()})
            if dp_cfg is not None:
                logs["epsilon"] = privacy.epsilon(dp_cfg, (epoch + 1) * steps_per_epoch, min(1.0, batch_size / n))
            logs["time_s"] = time.perf_counter() - t0
            bar.close({k: v for k, v in logs.items() if k != "time_s"})
            for cb in cbs:
                cb.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
            runner.load_weights()  # a callback may have set weights
        for cb in cbs:
            cb.on_train_end()
        self.history = history
        return history

    def _check_validation_data(self, validation_data: Any) -> None:
        """``(x_val, y_val)`` checked like the training data, so a bad one fails before any training."""
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            got = f"a {type(validation_data).__name__}" + (
                f" of length {len(validation_data)}" if isinstance(validation_data, tuple | list) else "")
            raise ValueError(f"fit: validation_data must be a pair (x_val, y_val), got {got}")
        vxs = self._prepare_x(validation_data[0])
        self._prepare_y(validation_data[1], len(vxs[0]))
        require_examples(len(vxs[0]), "fit: validation_data", "validate on")

    # ---- evaluate / predict ---------------------------------------------------------------------
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = 32, verbose: Any = "auto",
                 return_dict: bool = False) -> Any:
        """Loss and metrics over ``(x, y)``: a list ``[loss, *metrics]`` (a float without metrics), or a
        dict with ``return_dict``. Zero examples is an error (there is no loss of nothing);
        ``batch_size=None`` means 32.
        """
        batch_size = batch_size_arg(batch_size, "evaluate")
        xs = self._compiled_inputs(x)
        n = len(xs[0])
        ys = self._prepare_y(y, n)
        require_examples(n, "evaluate: x", "evaluate")
        verbose = resolve_verbose(verbose)
        self._reset_metrics()
        steps = -(-n // batch_size)
        bar = Progress(verbose, steps, "Evaluate")
        loss_sum = 0.0
        runner = self._backend_steps()
        runner.load_weights()
        for b in range(steps):
            sl = slice(b * batch_size, (b + 1) * batch_size)
            bx, by = [a[sl] for a in xs], [a[sl] for a in ys]
            batch_loss, outs = runner.evaluate(bx, by)
            loss_sum += batch_loss
            self._update_metrics(outs, by)
            bar.update({"loss": loss_sum / min(n, (b + 1) * batch_size), **self._metric_logs()})
        logs = {"loss": loss_sum / n, **self._metric_logs()}
        bar.close(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = 32, verbose: Any = 0) -> Any:
        """Model outputs for ``x`` as numpy arrays (a list for several outputs); for 0 rows, empty
        arrays of shape ``(0, *output_shape[1:])`` as in Keras. ``batch_size=None`` means 32.
        """
        batch_size = batch_size_arg(batch_size, "predict")
        xs = self._prepare_x(x)
        n = len(xs[0])
        if n == 0:
            return self._empty_outputs(xs)
        steps = -(-n // batch_size)
        bar = Progress(resolve_verbose(verbose), steps, "Predict")
        chunks: list[list[np.ndarray]] = []
        runner = self._backend_steps()
        runner.load_weights()
        for b in range(steps):
            sl = slice(b * batch_size, (b + 1) * batch_size)
            chunks.append(runner.predict([a[sl] for a in xs]))
            bar.update({})
        bar.close({})
        outs = [np.concatenate([c[i] for c in chunks]) for i in range(len(self.outputs))]
        return outs[0] if len(outs) == 1 else outs

    def _empty_outputs(self, xs: list[np.ndarray]) -> Any:
        """The outputs for 0 input rows: from the output shapes when they are known, else by running
        the model on the empty batch (shapes such as ``(None, None, 3)`` depend on the input)."""
        if all(d is not None for s in self.outputs for d in s.shape[1:]):
            outs = [np.zeros((0, *s.shape[1:]), s.dtype) for s in self.outputs]
        else:
            runner = self._backend_steps()
            runner.load_weights()
            outs = runner.predict(xs)
        return outs[0] if len(outs) == 1 else outs
