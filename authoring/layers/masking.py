"""Masks of padded sequences, Keras-style, made of op-set ops.

A mask is a float32 0/1 tensor ``[batch, steps]`` (1 = a real step, 0 = padding), computed with
op-set ops (``NotEqual``, ``Mul``, ``Where``...), so it is part of the captured graph and masks the
same way in numpy, JAX and every runtime of an exported bundle. Keras's masks are booleans with the
same truth values; a bool or integer mask given by the user is turned into this form.

Where masks come from and go, as in Keras 3:

- a layer makes one in ``compute_mask(inputs, previous_mask)`` (``Embedding(mask_zero=True)``,
  ``Masking``, ``TokenAndPositionEmbedding(mask_zero=True)``);
- a layer whose ``supports_masking`` is true hands its input's mask on to its output (``Dense``,
  ``Dropout``, ``Activation``, ``LayerNormalization``...); any other layer drops it;
- a layer whose ``call`` declares ``mask`` (or ``query_mask``, ``value_mask``, ``key_mask`` for its
  ``query``, ``value``, ``key`` inputs) receives it: the global poolings, ``MultiHeadAttention``,
  ``TransformerEncoder``.

The functional graph (``Model``, ``Sequential``) carries the masks from call to call (``node_masks``,
``output_masks``). A layer called directly, or inside a subclassed model's ``call``, gets a mask only
when it is given one (``layer(x, mask=m)``).

>>> import numpy as np, webgrad as wg
>>> ids = wg.Input((4,), dtype="int32")
>>> embed = wg.layers.Embedding(10, 3, mask_zero=True)
>>> model = wg.Model(ids, wg.layers.GlobalAveragePooling1D()(embed(ids)))
>>> pooled = model.predict(np.array([[4, 2, 0, 0]]), verbose=0)
>>> bool(np.allclose(pooled, embed.embeddings.numpy()[[4, 2]].mean(axis=0)))  # the padding is left out
True
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

import webgrad.layers.call_context as call_context
from webgrad import raw_ops as ops
from webgrad.layers.base import Layer, LayerNode, flatten, map_structure
from webgrad.tensor import SymbolicTensor, Tensor


def as_float_mask(mask: Any) -> Any:
    """``mask`` as a float32 0/1 tensor: arrays through ``mask != 0``; tensors the same way (an op, so a
    symbolic integer mask stays in the graph), except float32 ones, which webgrad's layers make 0/1
    already; None stays None.

    >>> as_float_mask(np.array([[True, False]]))
    array([[1., 0.]], dtype=float32)
    """
    if mask is None:
        return None
    if isinstance(mask, Tensor | SymbolicTensor):
        dtype = str(mask.dtype)
        if dtype == "float32":
            return mask
        if dtype == "bool":
            return ops.Cast(mask, to="float32")
        return ops.NotEqual(mask, np.zeros((), dtype))
    return (np.asarray(mask) != 0).astype(np.float32)  # Keras casts a mask to bool first


def steps_mask(mask: Any) -> Any:
    """A ``[batch, steps]`` mask as ``[batch, steps, 1]``, to broadcast over the features."""
    return ops.Reshape(as_float_mask(mask), shape=[0, -1, 1])


def _tensor_arguments(layer: Layer, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments that hold tensors (Keras's ``tensor_arguments_dict``), by parameter name."""
    try:
        bound = inspect.signature(type(layer).call).bind(layer, *args, **kwargs)
    except TypeError:  # a call with *args: only the first argument is known
        return {"inputs": args[0]} if args else {}
    out = {}
    for name, value in list(bound.arguments.items())[1:]:
        if any(isinstance(v, SymbolicTensor) for v in flatten(value)):
            out[name] = value
    return out


def _mask_of(value: Any, masks: dict[int, Any]) -> Any:
    """The mask of a symbolic argument (a list of masks for a list of tensors; None when none has one)."""
    got = map_structure(lambda t: masks.get(id(t)) if isinstance(t, SymbolicTensor) else None, value)
    return None if all(m is None for m in flatten(got)) else got


def node_masks(node: LayerNode, masks: dict[int, Any]) -> tuple[dict[str, Any], Any]:
    """For one call of a functional graph: the mask arguments to give it (Keras's rule: ``mask`` for a
    call with one tensor argument, else ``<name>_mask`` for each tensor argument ``<name>``, when the
    call declares them) and the previous mask (the mask given, else the first input's)."""
    if not masks:
        return {}, None
    names = set(call_context.signature_of(node.layer).names)
    tensors = _tensor_arguments(node.layer, node.args, node.kwargs)
    give: dict[str, Any] = {}
    if len(tensors) == 1 and "mask" in names:
        mask = _mask_of(next(iter(tensors.values())), masks)
        if mask is not None:
            give["mask"] = mask
    elif len(tensors) > 1:
        for name, value in tensors.items():
            mask = _mask_of(value, masks) if f"{name}_mask" in names else None
            if mask is not None:
                give[f"{name}_mask"] = mask
    previous = give.get("mask", _mask_of(node.args[0], masks) if node.args else None)
    return give, previous


def output_masks(node: LayerNode, first_input: Any, previous: Any, masks: dict[int, Any]) -> None:
    """Records the masks of a call's outputs in ``masks`` (by symbolic output): the layer's
    ``compute_mask(first input, previous mask)`` when it supports masking; none otherwise."""
    if not node.layer.supports_masking:
        return
    out = node.layer.compute_mask(first_input, previous)
    if out is None:
        return
    flat = flatten(out) if isinstance(out, list | tuple) else [out]
    for sym, mask in zip(node.outputs, flat, strict=False):
        if mask is not None:
            masks[id(sym)] = as_float_mask(mask)


class Masking(Layer):
    """Masks the time steps whose features all equal ``mask_value`` (Keras's ``Masking``): those steps
    are set to 0 and masked for the layers after it.

    >>> import numpy as np, webgrad as wg
    >>> x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], np.float32)
    >>> layer = wg.layers.Masking(0.0)
    >>> layer.compute_mask(x).numpy()
    array([[1., 0., 1.]], dtype=float32)
    """

    def __init__(self, mask_value: float = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.mask_value = float(mask_value)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        return ops.ReduceMax(ops.NotEqual(inputs, np.float32(self.mask_value)), axes=[-1])

    def call(self, x: Any, training: bool = False) -> Any:
        keep = ops.ReduceMax(ops.NotEqual(x, np.float32(self.mask_value)), axes=[-1], keepdims=True)
        return ops.Where(keep, x, np.float32(0))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
