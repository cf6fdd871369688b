"""Keras 3's ``keras.utils`` namespace: labels and sequences (``to_categorical``, ``pad_sequences``,
``normalize``), seeding (``set_random_seed``), data (``PyDataset``, ``image_dataset_from_directory``,
``text_dataset_from_directory``, image files), model pictures (``plot_model``) and the serialization
registry (``get_custom_objects``, ``register_keras_serializable``…).

>>> import webgrad as wg
>>> wg.utils.to_categorical([1, 0]).tolist()
[[0.0, 1.0], [1.0, 0.0]]
>>> wg.utils.pad_sequences([[5, 6, 7], [8]], maxlen=2, padding="post").tolist()
[[6, 7], [8, 0]]

Keras names webgrad does not have yet (``get_file``, ``timeseries_dataset_from_array``…) raise
``NotImplementedError`` saying so.
"""

from __future__ import annotations

from typing import Any

from webgrad import keras_names
from webgrad.data_adapters import PyDataset, pack_x_y_sample_weight, unpack_x_y_sample_weight
from webgrad.layers.base import clear_session
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
from webgrad.utils.directory_datasets import DirectoryDataset, image_dataset_from_directory, text_dataset_from_directory
from webgrad.utils.images import array_to_img, img_to_array, load_img, save_img
from webgrad.utils.numerical import normalize, to_categorical
from webgrad.utils.plot import model_to_dot, plot_model
from webgrad.utils.rng import set_random_seed
from webgrad.utils.sequence import pad_sequences

Sequence = PyDataset  # Keras keeps the old name as an alias

__all__ = [
    "CustomObjectScope", "DirectoryDataset", "PyDataset", "Sequence", "array_to_img", "clear_session",
    "custom_object_scope", "deserialize_keras_object", "get_custom_objects", "get_registered_name",
    "get_registered_object", "image_dataset_from_directory", "img_to_array", "load_img", "model_to_dot",
    "normalize", "pack_x_y_sample_weight", "pad_sequences", "plot_model", "register_keras_serializable",
    "save_img", "serialize_keras_object", "set_random_seed", "text_dataset_from_directory", "to_categorical",
    "unpack_x_y_sample_weight",
]


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("utils", name)
