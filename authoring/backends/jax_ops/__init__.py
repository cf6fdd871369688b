"""JAX lowerings of the op set: ``<snake_op>.py`` here lowers the op whose numpy reference is
``webgrad/ops/<snake_op>.py``. Importing this package needs JAX.

>>> from webgrad.backends import jax_ops  # doctest: +SKIP
>>> sorted(jax_ops.LOWERINGS)[:3]  # doctest: +SKIP
['Add', 'ArgMax', 'AvgPool2D']
"""

from __future__ import annotations

import importlib
import pkgutil

from webgrad.backends.jax_ops._registry import LOWERINGS, MissingLoweringError, lowering, register

__all__ = ["LOWERINGS", "MissingLoweringError", "lowering", "register"]

for _mod in pkgutil.iter_modules(__path__):
    if not _mod.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_mod.name}")
