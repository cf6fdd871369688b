"""Numpy references of the gradient ops (the op set's ``gradOps``): the backward pass the runtime's
training graphs are made of, each a thin wrapper over the forward op's VJP in ``authoring/raw_ops/``.

>>> import numpy as np
>>> from webgrad.raw_ops.grad import GRAD_REGISTRY, apply_grad
>>> "Conv2DBackpropFilter" in GRAD_REGISTRY
True
>>> apply_grad("ReshapeLike", np.arange(6, dtype=np.float32), np.zeros((2, 3), np.float32)).shape
(2, 3)
"""

from __future__ import annotations

import importlib
import pkgutil

from webgrad.raw_ops.grad.registry import GRAD_REGISTRY, GradImpl, apply_grad

__all__ = ["GRAD_REGISTRY", "GradImpl", "apply_grad"]


def _load_all() -> None:
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_") and mod.name != "registry":
            importlib.import_module(f"{__name__}.{mod.name}")


_load_all()
