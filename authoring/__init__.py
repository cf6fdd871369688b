"""webgrad: author and train a classifier in Python with a Keras-like API, export it for the web.

>>> import numpy as np, webgrad as wg
>>> wg.set_seed(0)
>>> model = wg.Sequential([wg.layers.Input((4,)), wg.layers.Dense(3, activation="softmax")])
>>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
>>> x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32"); y = (x[:, 0] > 0).astype("int32")
>>> history = model.fit(x, y, epochs=2, verbose=0)
>>> len(history.history["loss"])
2
"""

from . import (
    activations,
    autodiff,
    backends,
    callbacks,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    ops,
    optimizers,
    privacy,
    random,
    schedules,
    zoo,
)
from . import model as models
from .backends import get_backend, set_backend
from .exporter.export import export
from .layers import Input
from .load import load_model
from .model import Model, Sequential
from .privacy import DPConfig
from .random import set_seed
from .training import TrainingDivergedError

__version__ = "0.1.0"

__all__ = [
    "DPConfig", "Input", "Model", "Sequential", "TrainingDivergedError", "activations", "autodiff", "backends",
    "callbacks", "datasets", "export", "get_backend", "initializers", "layers", "load_model", "losses", "metrics",
    "models", "ops", "optimizers", "privacy", "random", "schedules", "set_backend", "set_seed", "zoo",
]
