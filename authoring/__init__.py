"""webgrad: author and train a classifier in Python with a Keras-like API, export it for the web.

>>> import numpy as np, webgrad as wg
>>> wg.set_seed(0)
>>> model = wg.Sequential([wg.layers.Input((4,)), wg.layers.Dense(3, activation="softmax")])
>>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
>>> x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32"); y = (x[:, 0] > 0).astype("int32")
>>> history = model.fit(x, y, epochs=2, verbose=0)
>>> len(history.history["loss"])
2

Every name here is imported on first use (PEP 562), so ``import webgrad`` loads nothing else and no
module of the package imports another through this facade: the package's modules import each other
by their full names (``from webgrad.model import Model``), along the layers of docs/architecture.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports these on first use
    from webgrad import (
        activations,
        autodiff,
        backends,
        callbacks,
        data_adapters,
        datasets,
        federated,
        initializers,
        layers,
        losses,
        metrics,
        models,
        ops,
        optimizers,
        privacy,
        random,
        raw_ops,
        regularizers,
        saving,
        schedules,
        text,
        utils,
        zoo,
    )
    from webgrad.autodiff import GradientTape
    from webgrad.backends import get_backend, set_backend
    from webgrad.exporting import export
    from webgrad.layers import Input
    from webgrad.load import load_model
    from webgrad.model import Model, Sequential
    from webgrad.privacy import DPConfig
    from webgrad.random import set_seed
    from webgrad.training import TrainingDivergedError

__version__ = "0.1.0"

_SUBMODULES = (
    "activations", "autodiff", "backends", "callbacks", "datasets", "federated", "initializers", "layers", "losses",
    "metrics", "ops", "optimizers", "privacy", "random", "raw_ops", "regularizers", "schedules", "text", "utils", "zoo",
)
# public name -> (module, attribute in it; None for the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    **{name: (f"{__name__}.{name}", None) for name in _SUBMODULES},
    "models": (f"{__name__}.models", None),
    "saving": (f"{__name__}.saving", None),
    "data_adapters": (f"{__name__}.data_adapters", None),
    "GradientTape": (f"{__name__}.autodiff", "GradientTape"),
    "get_backend": (f"{__name__}.backends", "get_backend"),
    "set_backend": (f"{__name__}.backends", "set_backend"),
    "export": (f"{__name__}.exporting", "export"),
    "Input": (f"{__name__}.layers", "Input"),
    "load_model": (f"{__name__}.load", "load_model"),
    "Model": (f"{__name__}.model", "Model"),
    "Sequential": (f"{__name__}.model", "Sequential"),
    "DPConfig": (f"{__name__}.privacy", "DPConfig"),
    "set_seed": (f"{__name__}.random", "set_seed"),
    "TrainingDivergedError": (f"{__name__}.training", "TrainingDivergedError"),
}

__all__ = [
    "DPConfig", "GradientTape", "Input", "Model", "Sequential", "TrainingDivergedError", "activations", "autodiff",
    "backends", "callbacks", "data_adapters", "datasets", "export", "federated", "get_backend", "initializers",
    "layers", "load_model", "losses", "metrics", "models", "ops", "optimizers", "privacy", "random", "raw_ops",
    "regularizers", "saving", "schedules", "set_backend", "set_seed", "text", "utils", "zoo",
]


def __getattr__(name: str) -> Any:
    """Imports a public name on first use and keeps it, so later lookups are plain attribute reads."""
    if name not in _LAZY:
        # a Keras name webgrad lacks is a NotImplementedError (webgrad.keras_names), imported only on a miss
        raise importlib.import_module(f"{__name__}.keras_names").unsupported("", name)
    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
