"""``wg.models``: Keras 3's ``keras.models`` namespace — ``Model``, ``Sequential``, ``load_model``,
``save_model``, ``model_from_config``, ``clone_model``.

``load_model`` takes a ``.keras`` file written by ``model.save`` (see ``webgrad.saving``) or a webgrad
bundle directory written by ``wg.export`` (see ``webgrad.load``).

>>> import os, tempfile, numpy as np, webgrad as wg
>>> model = wg.Sequential([wg.Input((3,)), wg.layers.Dense(2)])
>>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
>>> model.save(path)
>>> loaded = wg.models.load_model(path)
>>> x = np.ones((1, 3), np.float32)
>>> bool(np.array_equal(loaded.predict(x), model.predict(x)))
True
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from webgrad import keras_names, saving
from webgrad import load as bundle_load
from webgrad.keras_import import from_keras
from webgrad.model import Model, Sequential
from webgrad.saving import save_model
from webgrad.saving.configs import deserialize_layer

__all__ = [
    "Model", "Sequential", "clone_model", "from_keras", "load_model", "model_from_config", "model_from_json",
    "save_model",
]


def load_model(filepath: str | os.PathLike, custom_objects: dict[str, Any] | None = None, compile: bool = True,
               safe_mode: bool = True) -> Model:
    """A model back from a ``.keras`` file (``model.save``: architecture, weights, compile and optimizer
    state) or from a bundle directory (``wg.export``; loaded as ``wg.load_model`` does).

    >>> load_model("missing.keras")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no such file: 'missing.keras'
    """
    if Path(os.fspath(filepath)).is_dir():
        return bundle_load.load_model(filepath)
    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def model_from_config(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Model:
    """A new model (fresh weights) from ``{"class_name": ..., "config": model.get_config()}``.

    >>> import webgrad as wg
    >>> m = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3)])
    >>> model_from_config({"class_name": "Sequential", "config": m.get_config()}).count_params()
    15
    """
    with saving.custom_object_scope(custom_objects):
        return deserialize_layer(config, custom_objects)


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None) -> Model:
    """A new model from ``model.to_json()``-style JSON: ``{"class_name": ..., "config": ...}``.

    >>> import json, webgrad as wg
    >>> m = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3)])
    >>> model_from_json(json.dumps({"class_name": "Sequential", "config": m.get_config()})).count_params()
    15
    """
    return model_from_config(json.loads(json_string), custom_objects)


def clone_model(model: Model, input_tensors: Any = None, clone_function: Any = None, call_function: Any = None,
                recursive: bool = False, **kwargs: Any) -> Model:
    """A new model with ``model``'s architecture and freshly initialized weights (as Keras's
    ``clone_model``: weights are not copied; ``clone.set_weights(model.get_weights())`` copies them).

    >>> import webgrad as wg
    >>> m = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3)])
    >>> c = clone_model(m)
    >>> c is not m and c.count_params() == m.count_params()
    True
    """
    unsupported = {"input_tensors": input_tensors, "clone_function": clone_function,
                   "call_function": call_function, **kwargs}
    given = sorted(k for k, v in unsupported.items() if v is not None)
    if given or recursive:
        raise NotImplementedError(f"clone_model({', '.join(given or ['recursive'])}=...) is not supported yet by "
                                  "webgrad; clone_model(model) clones the architecture")
    spec = {"class_name": type(model).__name__, "config": model.get_config(),
            "registered_name": saving.get_registered_name(type(model))}
    return model_from_config(spec)


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("models", name)
