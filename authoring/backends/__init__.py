"""Backends: where training runs. ``numpy`` (the reference, default) or ``jax`` (jitted XLA programs on
CPU, GPU or TPU, data parallel over all devices; the optional extra ``webgrad[jax]``).

>>> import webgrad as wg
>>> wg.get_backend()
'numpy'
>>> wg.set_backend("torch")
Traceback (most recent call last):
ValueError: unknown backend 'torch'; valid: numpy, jax
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

BACKENDS = ("numpy", "jax")
INSTALL_HINT = 'pip install "webgrad[jax]"'
_state = {"backend": "numpy"}


def check_backend(name: str) -> str:
    """``name`` if it is a backend this install can run; a ValueError listing the valid names, or an
    ImportError saying how to install JAX."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; valid: {', '.join(BACKENDS)}")
    if name == "jax":
        require_jax()
    return name


def require_jax() -> Any:
    """The ``jax`` module, or an ImportError with the install command."""
    try:
        return importlib.import_module("jax")
    except ImportError as e:
        raise ImportError(f"the jax backend needs JAX: {INSTALL_HINT}") from e


def set_backend(name: str) -> None:
    """Makes ``name`` (``numpy`` or ``jax``) the backend that ``compile`` uses when given none."""
    _state["backend"] = check_backend(name)


def get_backend() -> str:
    """The default backend's name."""
    return _state["backend"]


def array_namespace(x: Any) -> Any:
    """``jax.numpy`` for a JAX array (or tracer), else ``numpy``: lets one rule serve both backends.

    >>> array_namespace(np.zeros(2)).__name__
    'numpy'
    """
    if type(x).__module__.startswith("jax"):
        return importlib.import_module("jax.numpy")
    return np


__all__ = ["BACKENDS", "INSTALL_HINT", "array_namespace", "check_backend", "get_backend", "require_jax",
           "set_backend"]
