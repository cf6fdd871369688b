"""``image_dataset_from_directory`` / ``text_dataset_from_directory`` over local folders, Keras's way:
one subfolder per class (class names sorted, or as given), files sorted within each, optionally a
seeded shuffle and a training/validation split; the result is a ``PyDataset`` of ``(x, y)`` numpy
batches that ``fit`` takes, with ``class_names`` and ``file_paths`` like Keras's datasets.

>>> import os, tempfile
>>> root = tempfile.mkdtemp()
>>> for cls, text in [("neg", "bad"), ("pos", "good"), ("pos", "great")]:
...     os.makedirs(os.path.join(root, cls), exist_ok=True)
...     with open(os.path.join(root, cls, text + ".txt"), "w") as f:
...         _ = f.write(text)
>>> ds = text_dataset_from_directory(root, batch_size=2, shuffle=False, verbose=False)
>>> ds.class_names, len(ds)
(['neg', 'pos'], 2)
>>> x, y = ds[0]
>>> x.tolist(), y.tolist()
(['bad', 'good'], [0, 1])
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from webgrad.data_adapters import PyDataset
from webgrad.utils.images import img_to_array, load_img

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}
# Keras's interpolation names -> Pillow's (Pillow antialiases when it shrinks; tf.image.resize does not)
_INTERPOLATIONS = {"bilinear": "bilinear", "nearest": "nearest", "bicubic": "bicubic", "lanczos3": "lanczos",
                   "area": "box"}


class DirectoryDataset(PyDataset):
    """Batches of files from a folder: ``(x, y)`` numpy batches, or ``x`` alone without labels.

    The first pass reads the files in index order (Keras's order); with ``shuffle`` each later epoch
    (``on_epoch_end``, or a new ``for`` loop) reads them in a new order drawn from ``seed``.
    """

    def __init__(self, file_paths: list[str], labels: np.ndarray | None, label_mode: str | None,
                 class_names: list[str] | None, batch_size: int | None, load: Callable[[str], Any],
                 shuffle: bool, seed: int):
        super().__init__()
        self.file_paths = file_paths
        self.class_names = class_names
        self._labels = labels
        self._label_mode = label_mode
        self._batch_size = batch_size
        self._load = load
        self._shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(file_paths))
        self._passes = 0

    def __len__(self) -> int:
        n = len(self.file_paths)
        return n if self._batch_size is None else math.ceil(n / self._batch_size)

    def _encode(self, labels: np.ndarray) -> np.ndarray:
        if self._label_mode == "binary":
            return labels.astype(np.float32)[..., None]
        if self._label_mode == "categorical":
            return np.eye(len(self.class_names or ()), dtype=np.float32)[labels]
        return labels.astype(np.int32)

    def __getitem__(self, index: int) -> Any:
        if not -len(self) <= index < len(self):
            raise IndexError(f"batch {index} out of range: the dataset has {len(self)} batches")
        index %= len(self)
        if self._batch_size is None:  # unbatched: one sample per item, as Keras with batch_size=None
            i = self._order[index]
            x = self._load(self.file_paths[i])
            return x if self._labels is None else (x, self._encode(self._labels[i]))
        rows = self._order[index * self._batch_size:(index + 1) * self._batch_size]
        x = np.stack([self._load(self.file_paths[i]) for i in rows])
        return x if self._labels is None else (x, self._encode(self._labels[rows]))

    def on_epoch_end(self) -> None:
        if self._shuffle:
            self._order = self._rng.permutation(len(self.file_paths))

    def __iter__(self) -> Any:
        if self._passes:
            self.on_epoch_end()
        self._passes += 1
        return super().__iter__()


def _check_split(validation_split: float | None, subset: str | None, shuffle: bool, seed: int | None) -> None:
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed` argument, "
                         "to make sure that there is no overlap between the training and validation subset.")


def _sorted_files(directory: str, formats: tuple[str, ...], follow_links: bool) -> list[str]:
    """Files under ``directory`` with one of ``formats``, folders and names in sorted order (as Keras)."""
    out = []
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda w: w[0]):
        out += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith(formats)]
    return out


def index_directory(directory: str, labels: Any, formats: tuple[str, ...], class_names: Sequence[str] | None = None,
                    shuffle: bool = True, seed: int | None = None, follow_links: bool = False,
                    verbose: bool = True) -> tuple[list[str], np.ndarray | None, list[str] | None]:
    """The file paths, their labels and the class names, in Keras's order (a seeded shuffle of
    ``numpy.random.RandomState(seed)`` when ``shuffle``)."""
    if not os.path.isdir(directory):
        raise ValueError(f"directory {directory!r} does not exist or is not a folder")
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names) <= set(subdirs):
                raise ValueError("The `class_names` passed did not match the names of the subdirectories of the "
                                 f"target directory. Expected: {subdirs} (or a subset of it), but received: "
                                 f"class_names={list(class_names)}")
            subdirs = list(class_names)  # the order given
        paths: list[str] = []
        label_list: list[int] = []
        for index, subdir in enumerate(subdirs):
            found = _sorted_files(os.path.join(directory, subdir), formats, follow_links)
            paths += found
            label_list += [index] * len(found)
        found_labels: np.ndarray | None = np.array(label_list, dtype=np.int32)
        names: list[str] | None = list(subdirs)
    else:
        if class_names is not None:
            raise ValueError("When `labels` is not 'inferred', argument `class_names` cannot be specified"
                             + (" (the `class_names` will be the sorted list of labels)." if labels is not None
                                else "."))
        paths = _sorted_files(directory, formats, follow_links)
        if labels is None:
            found_labels, names = None, None
        else:
            if len(labels) != len(paths):
                raise ValueError(f"Expected the lengths of `labels` to match the number of files in the target "
                                 f"directory. len(labels) is {len(labels)} while we found {len(paths)} files in "
                                 f"directory {directory}.")
            found_labels = np.asarray(labels, dtype=np.int32)
            names = [str(label) for label in sorted(set(labels))]
    if verbose:
        kinds = "" if names is None else f" belonging to {len(names)} classes"
        print(f"Found {len(paths)} files{kinds}.")
    if shuffle:
        if seed is None:
            seed = int(np.random.randint(1e6))
        np.random.RandomState(seed).shuffle(paths)
        if found_labels is not None:
            np.random.RandomState(seed).shuffle(found_labels)
    return paths, found_labels, names


def _split(paths: list[str], labels: np.ndarray | None, validation_split: float | None, subset: str
           ) -> tuple[list[str], np.ndarray | None]:
    if not validation_split:
        return paths, labels
    n_val = int(validation_split * len(paths))
    cut = slice(0, len(paths) - n_val) if subset == "training" else slice(len(paths) - n_val, len(paths))
    return paths[cut], None if labels is None else labels[cut]


def _from_directory(directory: str, labels: Any, label_mode: str | None, class_names: Sequence[str] | None,
                    batch_size: int | None, shuffle: bool, seed: int | None, validation_split: float | None,
                    subset: str | None, follow_links: bool, verbose: bool, formats: tuple[str, ...],
                    load: Callable[[str], Any], what: str) -> DirectoryDataset | list[DirectoryDataset]:
    if labels not in ("inferred", None):
        if not isinstance(labels, list | tuple):
            raise ValueError("`labels` argument should be a list/tuple of integer labels, of the same size as the "
                             f"number of {what} files in the target directory, 'inferred' or None. "
                             f"Received: labels={labels}")
        if class_names:
            raise ValueError(f"You can only pass `class_names` if `labels='inferred'`. Received: labels={labels}, "
                             f"and class_names={class_names}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    _check_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = int(np.random.randint(1e6))
    paths, found, names = index_directory(directory, labels, formats, class_names, shuffle, seed, follow_links,
                                          verbose)
    if label_mode == "binary" and len(names or ()) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={names}")

    def dataset(part: str | None, shuffled: bool) -> DirectoryDataset:
        part_paths, part_labels = _split(paths, found, validation_split, part or "training")
        if not part_paths:
            raise ValueError(f"No {what} files found in directory {directory} for {part or 'the dataset'}. "
                             f"Allowed formats: {formats}")
        if verbose and part:
            print(f"Using {len(part_paths)} files for {part}.")
        return DirectoryDataset(part_paths, part_labels, label_mode, names, batch_size, load, shuffled, seed)

    if subset == "both":
        return [dataset("training", shuffle), dataset("validation", False)]
    return dataset(subset, shuffle)


def image_dataset_from_directory(
    directory: str | os.PathLike, labels: Any = "inferred", label_mode: str | None = "int",
    class_names: Sequence[str] | None = None, color_mode: str = "rgb", batch_size: int | None = 32,
    image_size: tuple[int, int] | int = (256, 256), shuffle: bool = True, seed: int | None = None,
    validation_split: float | None = None, subset: str | None = None, interpolation: str = "bilinear",
    follow_links: bool = False, crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
    data_format: str | None = None, format: str = "tf", verbose: bool = True,
) -> DirectoryDataset | list[DirectoryDataset]:
    """Images from ``directory`` (one subfolder per class) as ``(images, labels)`` batches.

    Images are decoded with Pillow, converted to ``color_mode`` and resized to ``image_size =
    (height, width)``: ``x`` is float32 ``(batch, height, width, channels)`` with values in 0..255.
    ``label_mode``: ``"int"`` (int32 ``(batch,)``), ``"categorical"`` (one-hot float32), ``"binary"``
    (float32 ``(batch, 1)``, two classes) or None (images only). ``subset="both"`` returns
    ``[training, validation]``. Each dataset has ``class_names`` and ``file_paths``.
    """
    if color_mode not in _CHANNELS:
        raise ValueError(f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. Received: '
                         f"color_mode={color_mode}")
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, list | tuple) or len(image_size) != 2:
        raise ValueError(f"Invalid `image_size` value. Expected a tuple of 2 integers. Received: "
                         f"image_size={image_size}")
    if interpolation.lower() not in _INTERPOLATIONS:
        raise NotImplementedError(f"image_dataset_from_directory(interpolation={interpolation!r}) is not supported "
                                  f"yet (supported: {', '.join(_INTERPOLATIONS)})")
    for arg, value in (("crop_to_aspect_ratio", crop_to_aspect_ratio), ("pad_to_aspect_ratio", pad_to_aspect_ratio)):
        if value:
            raise NotImplementedError(f"image_dataset_from_directory({arg}=True) is not supported yet")
    if data_format not in (None, "channels_last"):
        raise NotImplementedError(f"image_dataset_from_directory(data_format={data_format!r}) is not supported yet "
                                  "(webgrad is channels-last)")
    if format != "tf":
        raise NotImplementedError(f"image_dataset_from_directory(format={format!r}) is not supported yet: webgrad "
                                  "returns a PyDataset of numpy batches")
    size, resample = tuple(int(s) for s in image_size), _INTERPOLATIONS[interpolation.lower()]

    def load(path: str) -> np.ndarray:
        return img_to_array(load_img(path, color_mode=color_mode, target_size=size, interpolation=resample))

    return _from_directory(str(directory), labels, label_mode, class_names, batch_size, shuffle, seed,
                           validation_split, subset, follow_links, verbose, IMAGE_FORMATS, load, "image")


def text_dataset_from_directory(
    directory: str | os.PathLike, labels: Any = "inferred", label_mode: str | None = "int",
    class_names: Sequence[str] | None = None, batch_size: int | None = 32, max_length: int | None = None,
    shuffle: bool = True, seed: int | None = None, validation_split: float | None = None, subset: str | None = None,
    follow_links: bool = False, format: str = "tf", verbose: bool = True,
) -> DirectoryDataset | list[DirectoryDataset]:
    """The ``.txt`` files of ``directory`` (one subfolder per class) as ``(texts, labels)`` batches:
    ``texts`` is a numpy array of ``str`` (each cut to ``max_length`` characters when given)."""
    if format != "tf":
        raise NotImplementedError(f"text_dataset_from_directory(format={format!r}) is not supported yet: webgrad "
                                  "returns a PyDataset of numpy batches")

    def load(path: str) -> np.ndarray:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        return np.array(text if max_length is None else text[:max_length])

    return _from_directory(str(directory), labels, label_mode, class_names, batch_size, shuffle, seed,
                           validation_split, subset, follow_links, verbose, (".txt",), load, "text")
