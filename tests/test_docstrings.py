"""Runs the examples in every public docstring of the installed package (they are documentation that
must keep working)."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import webgrad
import webgrad.exporter

HAVE_JAX = importlib.util.find_spec("jax") is not None

MODULES = sorted(
    m.name
    for pkg, prefix in ((webgrad, "webgrad."), (webgrad.exporter, "webgrad.exporter."))
    for m in pkgutil.walk_packages(pkg.__path__, prefix)
    if not m.name.rsplit(".", 1)[-1].startswith("_") and m.name != "webgrad.cli"
    # the JAX backend's modules import jax, an optional extra: documented and tested only where installed
    and (HAVE_JAX or not m.name.startswith(("webgrad.backends.jax", "webgrad.backends.sharding")))
)


@pytest.mark.parametrize("name", ["webgrad", *MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_public_functions_have_docstrings():
    missing = []
    for name in ["webgrad", *MODULES]:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if callable(obj) and not (obj.__doc__ or "").strip():
                missing.append(f"{name}.{attr}")
    assert not missing, missing
