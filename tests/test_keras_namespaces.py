"""Every public name of Keras 3's namespaces either exists in webgrad or raises NotImplementedError
saying it is not supported yet (never a bare AttributeError), and webgrad.keras_names lists exactly
the installed Keras's names."""

from __future__ import annotations

import importlib
import os

os.environ["KERAS_BACKEND"] = "jax"

import pytest

keras = pytest.importorskip("keras")

import webgrad as wg  # noqa: E402
from webgrad import keras_names  # noqa: E402

# Keras namespace -> the webgrad module that mirrors it ("" is the top level)
NAMESPACES = ["", "activations", "callbacks", "initializers", "layers", "losses", "metrics", "models", "ops",
              "optimizers", "random", "regularizers", "saving", "utils"]


def _public(module):
    return sorted(n for n in dir(module) if not n.startswith("_"))


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_static_lists_are_the_installed_keras_s(namespace):
    theirs = set(_public(keras if not namespace else getattr(keras, namespace)))
    missing = sorted(theirs - keras_names.KERAS_NAMES[namespace])
    assert not missing, f"add to webgrad.keras_names[{namespace!r}]: {' '.join(missing)}"


def _webgrad_namespace(namespace):
    if not namespace:
        return wg
    try:
        return getattr(wg, namespace)
    except NotImplementedError:
        return None


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_every_keras_name_exists_or_says_not_supported_yet(namespace):
    module = _webgrad_namespace(namespace)
    if module is None:
        pytest.skip(f"wg.{namespace} does not exist yet")
    bare = []
    for name in _public(keras if not namespace else getattr(keras, namespace)):
        try:
            getattr(module, name)
        except NotImplementedError as e:
            assert "not supported yet" in str(e), (namespace, name, str(e))
        except AttributeError:
            bare.append(name)
    assert not bare, (f"wg.{namespace or '<top>'} raises a bare AttributeError for Keras names {bare}: add the "
                      "keras_names.unsupported __getattr__ to its module")


def test_the_error_is_also_an_attribute_error_so_hasattr_works():
    with pytest.raises(NotImplementedError, match=r"webgrad.mixed_precision \(keras.mixed_precision\) is not "
                                                  "supported yet"):
        wg.mixed_precision  # noqa: B018
    assert not hasattr(wg, "mixed_precision") and getattr(wg.ops, "fft", None) is None
    with pytest.raises(AttributeError, match="has no attribute 'Densee'") as e:
        wg.Densee  # noqa: B018
    assert not isinstance(e.value, NotImplementedError)


@pytest.mark.parametrize("module", ["webgrad.ops", "webgrad.random", "webgrad.activations", "webgrad.initializers"])
def test_namespaces_owned_here_raise_not_implemented(module):
    ns = module.split(".")[1]
    m = importlib.import_module(module)
    unsupported = sorted(keras_names.KERAS_NAMES[ns] - set(dir(m)))
    if ns == "random":
        assert not unsupported  # every keras.random function is here
    for name in unsupported:
        with pytest.raises(NotImplementedError, match="not supported yet"):
            getattr(m, name)
