"""Op dispatch: ``apply("Conv2D", x, w, b, strides=[2, 2])`` or ``ops.Conv2D(x, w, b, strides=[2, 2])``.

One entry point runs an op-set op on whatever it is given:

- symbolic tensors: the op's shape rule gives a new ``SymbolicTensor`` (shape inference, model building);
- numpy arrays / ``Tensor``: the numpy reference runs; when an input needs a gradient and recording
  is on, the result keeps a ``Node`` for ``autodiff.gradients``.

Attributes are checked against the op set file and defaulted before any implementation sees them.

>>> import numpy as np
>>> from webgrad import raw_ops as ops
>>> ops.Relu(np.array([-1.0, 2.0], np.float32))
Tensor(shape=(2,), dtype=float32)
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import numpy as np

from webgrad.exporter.opset import normalize_attrs, op_names, op_spec
from webgrad.raw_ops import registry
from webgrad.raw_ops.registry import REGISTRY, ShapeError
from webgrad.tensor import Node, SymbolicTensor, Tensor, Variable

__all__ = ["apply", "REGISTRY", "ShapeError", "name_scope", "no_grad", "recording", "tracing"]

_state: dict[str, Any] = {"record": True, "tracer": None, "scope": []}


def _load_all() -> None:
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_") and mod.name != "registry":
            importlib.import_module(f"{__name__}.{mod.name}")


class no_grad:  # noqa: N801 -- named like torch.no_grad, used as a function-style context
    """Context manager: ops run without recording gradients (inference, metrics)."""

    def __enter__(self) -> None:
        self._prev = _state["record"]
        _state["record"] = False

    def __exit__(self, *exc: Any) -> None:
        _state["record"] = self._prev


class tracing:  # noqa: N801 (used like a function, as no_grad)
    """Context manager: every op applied to symbolic tensors is also reported to ``tracer.record(name,
    args, attrs, output, scope)`` (graph capture for export); ``scope`` is the list of open
    ``name_scope`` names.
    """

    def __init__(self, tracer: Any):
        self.tracer = tracer

    def __enter__(self) -> Any:
        self._prev = _state["tracer"]
        _state["tracer"] = self.tracer
        return self.tracer

    def __exit__(self, *exc: Any) -> None:
        _state["tracer"] = self._prev


class name_scope:  # noqa: N801
    """Context manager naming the ops applied inside (layers open one with their name)."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self) -> None:
        _state["scope"].append(self.name)

    def __exit__(self, *exc: Any) -> None:
        _state["scope"].pop()


def recording() -> bool:
    """Whether ops record gradients now."""
    return _state["record"]


def _as_array(x: Any) -> Any:
    if x is None or isinstance(x, np.ndarray):
        return x
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, bool | int | float | np.number):
        return np.asarray(x, dtype=np.float32)
    return np.asarray(x)


def _check_input_dtypes(name: str, spec: dict, arrays: list[Any]) -> None:
    ins = spec["inputs"]
    for i, a in enumerate(arrays):
        if a is None:
            continue
        ispec = ins[min(i, len(ins) - 1)]
        if str(a.dtype) not in ispec["dtypes"]:
            raise TypeError(f"{name} input {ispec['name']!r} must be {' or '.join(ispec['dtypes'])}, got {a.dtype}")


def _pad_optional(name: str, spec: dict, inputs: tuple) -> list[Any]:
    ins = spec["inputs"]
    if ins and ins[-1].get("variadic"):
        if not inputs:
            raise ValueError(f"{name} needs at least one input")
        return list(inputs)
    required = sum(1 for i in ins if not i.get("optional"))
    if not required <= len(inputs) <= len(ins):
        names = ", ".join(i["name"] + ("?" if i.get("optional") else "") for i in ins)
        raise TypeError(f"{name} takes inputs ({names}); got {len(inputs)}")
    return list(inputs) + [None] * (len(ins) - len(inputs))


def apply(name: str, *inputs: Any, **attrs: Any) -> Any:
    """Runs op-set op ``name`` on ``inputs`` with ``attrs`` (see the module docstring)."""
    spec = op_spec(name)
    attrs = normalize_attrs(name, attrs)
    impl = REGISTRY.get(name)
    if impl is None:
        raise NotImplementedError(f"op {name} has no numpy reference")
    args = [_as_array(x) if isinstance(x, bool | int | float) else x for x in _pad_optional(name, spec, inputs)]
    tracer = _state["tracer"]
    if any(isinstance(x, SymbolicTensor) for x in args) or (
        getattr(tracer, "traces_weights", False) and any(isinstance(x, Variable) for x in args)
    ):
        shapes = [None if x is None else tuple(x.shape) for x in args]
        dtypes = [None if x is None else str(x.dtype) for x in args]
        shape, dtype = impl.shape(shapes, dtypes, attrs)
        out = SymbolicTensor(shape, dtype)
        if _state["tracer"] is not None:
            _state["tracer"].record(name, args, attrs, out, list(_state["scope"]))
        return out
    arrays = [_as_array(x) for x in args]
    _check_input_dtypes(name, spec, arrays)
    out = impl.forward(arrays, attrs)
    needs_grad = (
        _state["record"]
        and spec["differentiable"]
        and any(isinstance(x, Tensor) and x.requires_grad for x in args)
    )
    if needs_grad:
        node_inputs = [x if isinstance(x, Tensor) else a for x, a in zip(args, arrays, strict=True)]
        return Tensor(out, requires_grad=True, node=Node(impl, attrs, node_inputs))
    return Tensor(out)


def __getattr__(name: str) -> Any:
    if name in op_names():
        def op(*inputs: Any, **attrs: Any) -> Any:
            return apply(name, *inputs, **attrs)

        op.__name__ = name
        op.__doc__ = op_spec(name)["doc"]
        return op
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_load_all()
del registry
