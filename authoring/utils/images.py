"""Image files to arrays and back, with Pillow (Keras's ``load_img``, ``img_to_array``,
``array_to_img``, ``save_img``); ``pip install webgrad[utils]`` brings Pillow.

>>> import numpy as np, os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "red.png")
>>> save_img(path, np.full((4, 6, 3), [255, 0, 0], np.uint8))
>>> img_to_array(load_img(path, target_size=(2, 3))).shape
(2, 3, 3)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

_COLOR_MODES = {"rgb": "RGB", "rgba": "RGBA", "grayscale": "L"}
_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos", "box", "hamming")


def pil() -> Any:
    """Pillow's ``Image`` module, or an ImportError that says how to get it."""
    try:
        from PIL import Image
    except ImportError as e:  # an optional dependency: only image utilities need it
        raise ImportError("webgrad's image utilities need Pillow: pip install 'webgrad[utils]' (or pillow)") from e
    return Image


def load_img(path: str | os.PathLike, color_mode: str = "rgb", target_size: tuple[int, int] | None = None,
             interpolation: str = "bilinear", keep_aspect_ratio: bool = False) -> Any:
    """A Pillow image from a file, converted to ``color_mode`` (``rgb``, ``rgba``, ``grayscale``) and
    resized to ``target_size = (height, width)`` when given."""
    image_module = pil()
    if color_mode not in _COLOR_MODES:
        raise ValueError(f"color_mode must be one of {sorted(_COLOR_MODES)}, got {color_mode!r}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {list(_INTERPOLATIONS)}, got {interpolation!r}")
    if keep_aspect_ratio:
        raise NotImplementedError("load_img(keep_aspect_ratio=True) is not supported yet")
    with open(path, "rb") as f:
        img = image_module.open(f)
        img.load()
    img = img.convert(_COLOR_MODES[color_mode])
    if target_size is not None:
        height, width = (int(s) for s in target_size)
        if img.size != (width, height):
            resample = getattr(image_module.Resampling, interpolation.upper())
            img = img.resize((width, height), resample)
    return img


def img_to_array(img: Any, data_format: str | None = None, dtype: str = "float32") -> np.ndarray:
    """A Pillow image as a ``(height, width, channels)`` array (channels-last; grayscale gets 1 channel)."""
    if data_format not in (None, "channels_last"):
        raise NotImplementedError(f"img_to_array(data_format={data_format!r}) is not supported yet "
                                  "(webgrad is channels-last)")
    x = np.asarray(img, dtype=dtype)
    return x[..., None] if x.ndim == 2 else x


def array_to_img(x: Any, data_format: str | None = None, scale: bool = True, dtype: str | None = None) -> Any:
    """A ``(height, width, channels)`` array as a Pillow image; ``scale`` maps its range onto 0..255."""
    if data_format not in (None, "channels_last"):
        raise NotImplementedError(f"array_to_img(data_format={data_format!r}) is not supported yet")
    del dtype  # Pillow decides the image dtype from the mode
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[-1] not in (1, 3, 4):
        raise ValueError(f"array_to_img expects a (height, width, 1|3|4) array, got shape {x.shape}")
    if scale:
        x = x - x.min()
        top = x.max()
        x = x / top * 255 if top > 0 else x
    x = np.clip(np.round(x), 0, 255).astype(np.uint8)
    return pil().fromarray(x[..., 0] if x.shape[-1] == 1 else x)  # L, RGB or RGBA from the shape


def save_img(path: str | os.PathLike, x: Any, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs: Any) -> None:
    """Writes an image array (or a Pillow image) to ``path``; the format follows the extension."""
    img = x if hasattr(x, "save") else array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format or str(path).rsplit(".", 1)[-1]).lower() in ("jpg", "jpeg"):
        img = img.convert("RGB")  # JPEG has no alpha channel
    img.save(path, format=file_format, **kwargs)
