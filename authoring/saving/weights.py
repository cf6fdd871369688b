"""The weight entries of a model and its optimizer in a saved file, named as Keras names them (by class
and position, not by layer name), and loading them back with every entry checked first.

>>> import webgrad as wg
>>> model = wg.Sequential([wg.Input((2,)), wg.layers.Dense(3), wg.layers.Dense(1)])
>>> [key for key, _, _ in weight_entries(model)]
['layers/dense/vars/0', 'layers/dense/vars/1', 'layers/dense_1/vars/0', 'layers/dense_1/vars/1']
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np

from webgrad.tensor import Variable


def _snake(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def weight_entries(model: Any) -> list[tuple[str, Variable, str]]:
    """(file key, weight, owner for messages) for every weight of ``model``, keyed by class and position
    (see the module doc)."""
    entries: list[tuple[str, Variable, str]] = []
    covered: set[int] = set()
    used: dict[str, int] = {}
    for layer in getattr(model, "layers", []):
        base = _snake(type(layer).__name__)
        n = used.get(base, 0)
        used[base] = n + 1
        key = base if n == 0 else f"{base}_{n}"
        for i, w in enumerate(layer.weights):
            if id(w) in covered:  # a weight shared by two layers is saved once
                continue
            covered.add(id(w))
            entries.append((f"layers/{key}/vars/{i}", w, f"layer {layer.name!r} ({type(layer).__name__})"))
    rest = [w for w in model.weights if id(w) not in covered]
    for i, w in enumerate(rest):
        entries.append((f"vars/{i}", w, f"model {model.name!r}"))
    return entries


def weights_state(model: Any, include_optimizer: bool) -> dict[str, np.ndarray]:
    state = {key: np.asarray(w.data) for key, w, _ in weight_entries(model)}
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None:
        state["optimizer/iterations"] = np.array(int(optimizer.iterations), np.int64)
        if not callable(optimizer._learning_rate):
            state["optimizer/learning_rate"] = np.array(optimizer.learning_rate, np.float32)
        for j, slots in enumerate(optimizer.state_arrays(model.trainable_weights)):
            for slot, array in slots.items():
                state[f"optimizer/vars/{j}/{slot}"] = array
    return state


def load_state(model: Any, store: dict[str, np.ndarray], skip_mismatch: bool, source: str,
                with_optimizer: bool) -> None:
    """Checks every weight entry of ``store`` against the model, then assigns them all (nothing changes
    when a check fails), then the optimizer state."""
    entries = weight_entries(model)
    if not entries and any(not k.startswith("optimizer/") for k in store):
        raise ValueError(f"model {model.name!r} has no weights yet, {source} has some: build the model first "
                         "(call it on a batch of data, or model.build(input_shape)) before loading weights")
    problems: list[str] = []
    assign: list[tuple[Variable, np.ndarray]] = []
    for key, w, owner in entries:
        if key not in store:
            problems.append(f"{owner}: weight {w.name!r} {tuple(w.shape)} is not in the file (no entry {key!r})")
            continue
        value = store[key]
        if tuple(value.shape) != tuple(w.shape):
            problems.append(f"{owner}: weight {w.name!r} has shape {tuple(w.shape)}, the file has shape "
                            f"{tuple(value.shape)} (entry {key!r})")
            continue
        assign.append((w, value))
    known = {key for key, _, _ in entries}
    extra = sorted(k for k in store if not k.startswith("optimizer/") and k not in known)
    if extra:
        problems.append(f"the file has {len(extra)} weight(s) the model does not: {extra[:6]}"
                        + (" ..." if len(extra) > 6 else ""))
    if problems:
        message = (f"cannot load the weights of {source} into model {model.name!r} ({len(problems)} "
                   "problem(s)):\n  " + "\n  ".join(problems))
        if not skip_mismatch:
            raise ValueError(message)
        warnings.warn(message + "\nskip_mismatch=True: those weights were left as they are", stacklevel=3)
    for w, value in assign:
        w.assign(value)
    optimizer = getattr(model, "optimizer", None)
    if with_optimizer and optimizer is not None and "optimizer/iterations" in store:
        _load_optimizer_state(model, optimizer, store, source)
    steps = getattr(model, "_steps", None)
    if steps is not None:  # a compiled backend's copy (jax) reads the new weights and slots before its next use
        steps.load_weights()
        steps.load_slots()


def _load_optimizer_state(model: Any, optimizer: Any, store: dict[str, np.ndarray], source: str) -> None:
    trainable = model.trainable_weights
    slots = [{k.rsplit("/", 1)[1]: v for k, v in store.items() if k.startswith(f"optimizer/vars/{j}/")}
             for j in range(len(trainable))]
    saved = {k.split("/")[2] for k in store if k.startswith("optimizer/vars/")}
    if len(saved) > len(trainable) or any(set(s) != set(optimizer.slot_names) for s in slots if s):
        warnings.warn(f"{source}: the saved optimizer state does not fit optimizer {optimizer.name!r} "
                      f"(slots {list(optimizer.slot_names)} for {len(trainable)} trainable weights); "
                      "it was not restored", stacklevel=4)
        return
    try:
        optimizer.load_state(int(store["optimizer/iterations"]), [(w, s) for w, s in zip(trainable, slots,
                                                                                            strict=True) if s])
    except ValueError as e:
        warnings.warn(f"{source}: the optimizer state was not restored: {e}", stacklevel=4)
        return
    if "optimizer/learning_rate" in store and not callable(optimizer._learning_rate):
        optimizer.learning_rate = float(store["optimizer/learning_rate"])


