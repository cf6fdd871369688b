"""``wg.saving``: saving whole models and their weights, Keras 3 style: ``model.save("m.keras")``,
``wg.models.load_model("m.keras")`` (or ``wg.saving.load_model``), ``model.save_weights("w.weights.h5")``
/ ``model.load_weights(...)``.

What the files hold:

- ``x.keras`` is a zip archive like Keras's: ``metadata.json`` (``webgrad_version``, ``format_version``,
  ``date_saved``), ``config.json`` (``class_name``, ``config`` = ``model.get_config()``, ``build_config``,
  and ``compile_config``: optimizer, loss, metrics, loss weights) and ``model.weights.npz``, a NumPy
  ``.npz`` archive where Keras has ``model.weights.h5`` (webgrad does not depend on h5py).
- ``x.weights.h5`` (the name Keras requires, so Keras scripts run unchanged) is a NumPy ``.npz`` archive
  too, **not HDF5**: ``np.load("x.weights.h5")`` opens it; Keras cannot.

Weight entries are named as in Keras's files, by class and position, never by layer name (names are
generated and differ between processes): ``layers/dense/vars/0``, ``layers/dense_1/vars/1``... for the
model's layers in order, ``vars/<i>`` for weights of the model itself, and, for a compiled model, the
optimizer's state: ``optimizer/iterations``, ``optimizer/learning_rate`` and ``optimizer/vars/<j>/<slot>``
for the j-th trainable weight. ``load_weights`` (and ``load_model``) restore that state into a compiled
model, so ``fit`` continues exactly where the saved model stopped.

A save builds the whole file in memory, writes it under a temporary name next to the target and renames
it into place: a failed save never leaves a half-written file at the target.

>>> import os, tempfile, numpy as np, webgrad as wg
>>> model = wg.Sequential([wg.Input((3,)), wg.layers.Dense(2)])
>>> model.compile(optimizer="adam", loss="mse")
>>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
>>> model.save(path)
>>> loaded = wg.saving.load_model(path)
>>> x = np.ones((1, 3), np.float32)
>>> bool(np.array_equal(loaded.predict(x), model.predict(x))), type(loaded.optimizer).__name__
(True, 'Adam')
"""

from __future__ import annotations

from typing import Any

from webgrad import keras_names
from webgrad.saving.files import FORMAT_VERSION
from webgrad.saving.saving_api import SavingMixin, load_model, load_weights, save_model, save_weights
from webgrad.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)

__all__ = [
    "FORMAT_VERSION", "CustomObjectScope", "SavingMixin", "custom_object_scope", "deserialize_keras_object",
    "get_custom_objects", "get_registered_name", "get_registered_object", "load_model", "load_weights",
    "register_keras_serializable", "save_model", "save_weights", "serialize_keras_object",
]


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("saving", name)
