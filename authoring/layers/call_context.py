"""The layer call context: what a layer's ``call`` hands down to the layers it calls inside.

Keras passes ``training`` from a layer's call to the sub-layers it calls without an explicit
``training`` (a Dropout inside a custom block drops while the model trains). webgrad does the same
with one stack: every ``Layer.call`` (wrapped once per class, see ``wrap_call``) pushes the
``training`` value it resolved; a call inside it reads the top. The resolution order is Keras's:
the argument given, else the enclosing call's value, else the default in ``call``'s signature.

The stack is also how a layer knows it is called inside another layer's call (``in_call``): such a
call on symbolic tensors is a step of its parent's computation, not a node of a functional graph.

Masks (Keras's ``mask`` / ``query_mask``... arguments) that a functional graph computed for a layer
call reach that call through ``giving``: the class's ``call`` takes them (when it declares them and
the caller gave none), whatever wraps the call on the instance (the exporter's checks, the JAX
backend's replacements), so a captured or traced graph masks exactly as the eager one.

>>> with entered(True):
...     current_training(), in_call()
(True, True)
>>> current_training(), in_call()
(None, False)
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_stack: list[bool | None] = []
#: mask arguments waiting for the next call of a layer (by id), see ``giving``
_given: dict[int, dict[str, Any]] = {}


def in_call() -> bool:
    """Whether a layer's ``call`` is running (so a layer called now is a sub-layer call)."""
    return bool(_stack)


def current_training() -> bool | None:
    """The ``training`` value of the innermost running call (None outside any call)."""
    return _stack[-1] if _stack else None


@contextmanager
def entered(training: bool | None) -> Iterator[None]:
    """Runs the body as a layer call whose resolved ``training`` is ``training``."""
    _stack.append(training if training is not None else current_training())
    try:
        yield
    finally:
        _stack.pop()


@contextmanager
def outside() -> Iterator[None]:
    """Runs the body as if no layer were being called (building a layer inside another's call)."""
    saved = _stack[:]
    _stack.clear()
    try:
        yield
    finally:
        _stack[:] = saved


@contextmanager
def giving(layer: Any, masks: dict[str, Any]) -> Iterator[None]:
    """Inside, the next call of ``layer`` gets ``masks`` (argument name -> mask) for the mask arguments
    its ``call`` declares and the caller left out (or gave as None)."""
    if not masks:
        yield
        return
    _given[id(layer)] = masks
    try:
        yield
    finally:
        _given.pop(id(layer), None)


class CallSignature:
    """What a ``call`` method declares: ``training`` / ``mask`` and where ``training`` sits."""

    def __init__(self, fn: Callable[..., Any]):
        params = list(inspect.signature(fn).parameters.values())[1:]  # without self
        names = [p.name for p in params]
        self.names = names
        self.has_training = "training" in names
        self.has_mask = "mask" in names
        positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        self.training_index = positional.index("training") if "training" in positional else None
        default = params[names.index("training")].default if self.has_training else None
        self.training_default = None if default is inspect.Parameter.empty else default
        self.n_positional = len(positional)
        self.positional = positional


def wrap_call(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` (a class's ``call``) run inside the call context: ``training`` resolved as Keras does and
    given to ``fn`` only if it declares it; ``mask`` dropped when ``fn`` does not take one; losses
    cleared when this is the outermost call; the layer's activity regularizer applied to the result."""
    if getattr(fn, "_wg_wrapped", False):
        return fn
    sig = CallSignature(fn)

    @functools.wraps(fn)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _given:
            for name, value in (_given.pop(id(self), None) or {}).items():
                at = sig.positional.index(name) if name in sig.positional else None
                if name in sig.names and kwargs.get(name) is None and (at is None or len(args) <= at):
                    kwargs[name] = value
        given: Any = None
        if sig.has_training:
            if sig.training_index is not None and len(args) > sig.training_index:
                given = args[sig.training_index]
            else:
                given = kwargs.get("training")
        else:
            given = kwargs.pop("training", None)
        if not sig.has_mask and kwargs.get("mask", 0) is None:
            kwargs.pop("mask")
        training = given if given is not None else current_training()
        if training is None:
            training = sig.training_default
        if sig.has_training and training is not None and not (
                sig.training_index is not None and len(args) > sig.training_index):
            kwargs["training"] = training
        outermost = not _stack
        if outermost:
            self._clear_losses()
        depth = self.__dict__.get("_wg_call_depth", 0)
        self.__dict__["_wg_call_depth"] = depth + 1
        try:
            with entered(training):
                out = fn(self, *args, **kwargs)
        finally:
            self.__dict__["_wg_call_depth"] = depth
        if depth == 0:  # a super().call(...) inside call is the same call: regularize once
            self._activity_loss(out)
        return out

    call._wg_wrapped = True  # type: ignore[attr-defined]
    call._wg_signature = sig  # type: ignore[attr-defined]
    return call


def signature_of(layer: Any) -> CallSignature:
    """The call signature of ``layer``'s class (computed once per class, when it is defined)."""
    return getattr(type(layer).call, "_wg_signature", None) or CallSignature(type(layer).call)
