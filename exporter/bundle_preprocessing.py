"""Checks ``metadata.preprocessing`` at load, as far as ``classify`` (js_runtime/src/classify.js) uses
it: ``x * scale``, then ``(x - mean) / std`` with ``mean``/``std`` one number or one per channel along
the input's last axis. A bad value would make classify return NaN probabilities with no error.

>>> check_preprocessing({"preprocessing": {"scale": 1 / 255, "std": [0.5, 0.5, 0.5]}}, (None, 8, 8, 3), "m")
>>> try:
...     check_preprocessing({"preprocessing": {"std": [1, 0, 1]}}, (None, 3), "model.json")
... except BundleError as e:
...     print(e.code, str(e).split(": ", 1)[1][:51])
ESCHEMA schema violation at $.metadata.preprocessing.std[1]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webgrad.exporter.bundle_errors import BundleError
from webgrad.exporter.bundle_json import is_finite_number


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "..."


def check_preprocessing(metadata: Mapping[str, Any], input_shape: tuple, where: str) -> None:
    """ESCHEMA unless ``metadata["preprocessing"]`` is absent or an object whose ``scale`` is a finite
    number and whose ``mean``/``std`` are finite numbers or arrays of them whose length broadcasts to
    ``input_shape``'s last dim (1, or that dim; any length when the dim is dynamic), ``std`` without 0."""
    if "preprocessing" not in metadata:
        return
    pre = metadata["preprocessing"]
    base = "$.metadata.preprocessing"

    def fail(path: str, message: str) -> None:
        raise BundleError("ESCHEMA", f"{where}: schema violation at {path}: {message}")

    if not isinstance(pre, dict):
        fail(base, f"expected an object, got {_describe(pre)}")
    if "scale" in pre and not is_finite_number(pre["scale"]):
        fail(f"{base}.scale", f"expected a finite number, got {_describe(pre['scale'])}")
    channels = input_shape[-1] if input_shape else 1
    for key in ("mean", "std"):
        if key not in pre:
            continue
        value, path = pre[key], f"{base}.{key}"
        nonzero = key == "std"
        want = f"a finite {'non-zero ' if nonzero else ''}number"
        if not isinstance(value, list):
            if not is_finite_number(value) or (nonzero and value == 0):
                fail(path, f"expected {want} or a non-empty array of them, got {_describe(value)}")
            continue
        if not value:
            fail(path, f"expected {want} or a non-empty array of them, got []")
        for i, v in enumerate(value):
            if not is_finite_number(v) or (nonzero and v == 0):
                fail(f"{path}[{i}]", f"expected {want}, got {_describe(v)}")
        if len(value) != 1 and channels is not None and len(value) != channels:
            fail(path, f"{len(value)} values do not broadcast to the input's last dim ({channels})")
