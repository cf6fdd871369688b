"""webgrad.exporter: the op set, graph capture, passes, quantization and web bundles.

Bundle functions are imported on first use, so ``import webgrad.exporter`` stays cheap:
``write_bundle`` (``bundle_writer``), ``read_bundle`` and ``BundleError`` (``bundle_reader``),
``load_bundle`` (``runner``).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "write_bundle": "bundle_writer",
    "read_bundle": "bundle_reader",
    "BundleError": "bundle_reader",
    "load_bundle": "runner",
}

__all__ = ["BundleError", "load_bundle", "read_bundle", "write_bundle"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
