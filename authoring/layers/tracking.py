"""What a layer owns: the sub-layers and weights assigned to its attributes, found when asked.

Keras tracks every ``Layer`` and ``Variable`` a layer assigns to an attribute, also inside lists,
tuples and dicts, so that ``weights``, ``trainable_weights`` (what the optimizer updates),
``get_weights`` and ``trainable = False`` reach them. webgrad finds them by walking the layer's
attributes in assignment order each time it is asked, so a list appended to (``self.blocks.append``)
or an entry replaced later is seen too. Attributes the framework itself set in ``__init__`` are
skipped (``Layer._untracked``), so bookkeeping never shows up as state.

>>> import webgrad as wg
>>> class Block(wg.layers.Layer):
...     def __init__(self):
...         super().__init__()
...         self.parts = [wg.layers.Dense(2), {"out": wg.layers.Dense(1)}]
>>> [type(la).__name__ for la in tracked_layers(Block(), wg.layers.Layer)]
['Dense', 'Dense']
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from webgrad.tensor import Variable


def _walk(value: Any, layer_type: type) -> Iterator[Any]:
    if isinstance(value, layer_type | Variable):
        yield value
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _walk(v, layer_type)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _walk(v, layer_type)


def tracked_values(layer: Any, layer_type: type) -> Iterator[Any]:
    """The ``layer_type`` instances and variables in ``layer``'s own attributes (not those the
    framework set), in assignment order."""
    from_framework = layer.__dict__.get("_untracked", ())
    for name, value in list(layer.__dict__.items()):
        if name not in from_framework:
            yield from _walk(value, layer_type)


def tracked_layers(layer: Any, layer_type: type) -> list[Any]:
    """The sub-layers assigned to ``layer``'s attributes (each once, never ``layer`` itself)."""
    seen = {id(layer)}
    out = []
    for v in tracked_values(layer, layer_type):
        if isinstance(v, layer_type) and id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def tracked_variables(layer: Any, layer_type: type) -> list[Variable]:
    """The variables assigned to ``layer``'s attributes directly (not through a sub-layer)."""
    return [v for v in tracked_values(layer, layer_type) if isinstance(v, Variable)]
