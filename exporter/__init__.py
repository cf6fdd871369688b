"""webgrad.exporter: the op set, graph capture, passes, quantization and web bundles.

Bundle functions are imported on first use (PEP 562), so ``import webgrad.exporter`` stays cheap:
``write_bundle`` (``bundle_writer``), ``read_bundle`` and ``BundleError`` (``bundle_reader``),
``load_bundle`` (``runner``), ``ExportTargetError`` (``atomic_write``).

>>> import webgrad.exporter as e
>>> e.ExportTargetError.__module__
'webgrad.exporter.atomic_write'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports these on first use
    from webgrad.exporter.atomic_write import ExportTargetError
    from webgrad.exporter.bundle_reader import BundleError, read_bundle
    from webgrad.exporter.bundle_writer import write_bundle
    from webgrad.exporter.runner import load_bundle

_LAZY = {
    "write_bundle": "bundle_writer",
    "read_bundle": "bundle_reader",
    "BundleError": "bundle_reader",
    "load_bundle": "runner",
    "ExportTargetError": "atomic_write",
}

__all__ = ["BundleError", "ExportTargetError", "load_bundle", "read_bundle", "write_bundle"]


def __getattr__(name: str) -> Any:
    """Imports a public name on first use and keeps it."""
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
