"""MultiHeadAttention, as Keras 3's, made of op-set ops (MatMul, Reshape, Transpose, Where, Softmax).

The weights have Keras's shapes and order, so ``set_weights(keras_layer.get_weights())`` copies a
Keras layer: ``query_kernel [query_dim, heads, key_dim]``, ``query_bias [heads, key_dim]``, the same
for ``key`` and ``value`` (``value_dim``), then ``attention_output_kernel [heads, value_dim, out]``
and ``attention_output_bias [out]``.

Masks (float32 0/1, see ``webgrad.layers.masking``) combine as in Keras: the query's mask
``[B, T] -> [B, T, 1]``, the value's and the key's ``[B, S] -> [B, 1, S]``, the causal mask
``[1, T, S]`` and ``attention_mask [B, T, S]`` are multiplied (a logical and); a masked score is
replaced by -1e9 before the softmax. Keras on JAX then differs by path, and webgrad follows it: with
``dropout > 0`` or ``return_attention_scores`` (Keras's Softmax-layer path) the probabilities are
multiplied by the mask, so a query whose every key is masked attends to nothing; otherwise (its
``dot_product_attention`` path) such a query attends to all keys evenly. The rows that differ are
those of masked queries, which masked pooling leaves out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import initializers, regularizers
from webgrad import raw_ops as ops
from webgrad.layers.base import Layer
from webgrad.layers.core import Dropout, _no_constraint, _regularizer_config
from webgrad.layers.masking import as_float_mask

_MASKED = np.float32(-1e9)  # Keras's large negative number for float32 scores


def _positive(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"MultiHeadAttention {what} must be a positive int, got {value!r}")
    return int(value)


def _and(a: Any, b: Any) -> Any:
    """The logical and of two float 0/1 masks (either may be None)."""
    if a is None:
        return b
    return a if b is None else ops.Mul(a, b)


class MultiHeadAttention(Layer):
    """Multi-head attention (Keras's ``MultiHeadAttention``): ``layer(query, value, key=None)`` with
    ``query [B, T, dim]``, ``value``/``key [B, S, dim]`` gives ``[B, T, output_shape or dim]``;
    ``return_attention_scores=True`` also gives the probabilities ``[B, heads, T, S]``. Masks of the
    inputs (``Embedding(mask_zero=True)``) are used as Keras uses them; ``attention_mask [B, T, S]``
    and ``use_causal_mask`` add to them. Attention over the steps axis only (``attention_axes``
    None or (1,)).

    >>> import numpy as np, webgrad as wg
    >>> x = np.random.default_rng(0).normal(size=(2, 5, 8)).astype(np.float32)
    >>> mha = wg.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> y, scores = mha(x, x, return_attention_scores=True)
    >>> y.shape, scores.shape, bool(np.allclose(scores.numpy().sum(-1), 1))
    ((2, 5, 8), (2, 2, 5, 5), True)
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None, dropout: float = 0.0,
                 use_bias: bool = True, output_shape: int | tuple | None = None, attention_axes: Any = None,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        _no_constraint(self, kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.supports_masking = True
        self.num_heads = _positive(num_heads, "num_heads")
        self.key_dim = _positive(key_dim, "key_dim")
        self.value_dim = _positive(value_dim, "value_dim") if value_dim is not None else self.key_dim
        if not 0 <= float(dropout) < 1:
            raise ValueError(f"MultiHeadAttention dropout must be in [0, 1), got {dropout}")
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        if output_shape is not None:
            shape = (output_shape,) if isinstance(output_shape, int | np.integer) else tuple(output_shape)
            if len(shape) != 1:
                raise NotImplementedError(f"MultiHeadAttention {self.name!r}: output_shape {output_shape!r}: "
                                          "only one output dimension is supported")
            output_shape = _positive(shape[0], "output_shape")
        self.output_shape = output_shape
        axes = (attention_axes,) if isinstance(attention_axes, int) else attention_axes
        if axes not in (None, (1,), [1], (-2,), [-2]):
            raise NotImplementedError(f"MultiHeadAttention {self.name!r}: attention_axes={attention_axes!r}: "
                                      "only attention over the steps axis (None or (1,)) is supported")
        self.seed = seed
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.dropout_layer = Dropout(self.dropout, seed=seed)
        self._made = False

    def build(self, query_shape: Any, value_shape: Any = None, key_shape: Any = None) -> None:
        """Makes the weights for these input shapes (Keras's ``build(query_shape, value_shape)``); a
        build from the query's shape alone waits for the first call, which knows the value's."""
        if value_shape is None or self._made:
            return
        key_shape = value_shape if key_shape is None else key_shape
        for what, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3 or shape[-1] is None:
                raise ValueError(f"MultiHeadAttention {self.name!r} expects 3-D {what} (batch, steps, features) "
                                 f"with known features, got {tuple(shape)}")
        h = self.num_heads
        out = self.output_shape or int(query_shape[-1])
        for name, dim, size in (("query", query_shape[-1], self.key_dim), ("key", key_shape[-1], self.key_dim),
                                ("value", value_shape[-1], self.value_dim)):
            self._weights_for(name, (int(dim), h, size), (h, size))
        self._weights_for("attention_output", (h, self.value_dim, out), (out,))
        self._made = True

    def _weights_for(self, name: str, kernel: tuple, bias: tuple) -> None:
        setattr(self, f"{name}_kernel", self.add_weight(shape=kernel, initializer=self.kernel_initializer,
                                                        regularizer=self.kernel_regularizer,
                                                        name=f"{name}_kernel"))
        setattr(self, f"{name}_bias", self.add_weight(shape=bias, initializer=self.bias_initializer,
                                                      regularizer=self.bias_regularizer, name=f"{name}_bias")
                if self.use_bias else None)

    def _heads(self, x: Any, name: str, size: int) -> Any:
        """``x [B, T, dim]`` projected to ``[B, heads, T, size]``."""
        kernel, bias = getattr(self, f"{name}_kernel"), getattr(self, f"{name}_bias")
        h = self.num_heads
        y = ops.MatMul(x, ops.Reshape(kernel, shape=[int(kernel.shape[0]), h * size]),
                       None if bias is None else ops.Reshape(bias, shape=[h * size]))
        return ops.Transpose(ops.Reshape(y, shape=[0, -1, h, size]), perm=[0, 2, 1, 3])

    def attention_mask_of(self, query: Any, value: Any, query_mask: Any = None, value_mask: Any = None,
                          key_mask: Any = None, attention_mask: Any = None, use_causal_mask: bool = False) -> Any:
        """The float 0/1 mask ``[B or 1, T or 1, S or 1]`` that all the masks given make (None: none)."""
        mask = None
        if query_mask is not None:
            mask = ops.Reshape(as_float_mask(query_mask), shape=[0, -1, 1])
        for m in (value_mask, key_mask):
            if m is not None:
                mask = _and(mask, ops.Reshape(as_float_mask(m), shape=[0, 1, -1]))
        if use_causal_mask:
            t, s = query.shape[1], value.shape[1]
            if t is None or s is None:
                raise ValueError(f"MultiHeadAttention {self.name!r}: use_causal_mask needs known sequence lengths, "
                                 f"got query {tuple(query.shape)} and value {tuple(value.shape)}")
            mask = _and(mask, np.tril(np.ones((1, t, s), np.float32)))
        if attention_mask is not None:
            mask = _and(mask, as_float_mask(attention_mask))
        return mask

    def call(self, query: Any, value: Any, key: Any = None, query_mask: Any = None, value_mask: Any = None,
             key_mask: Any = None, attention_mask: Any = None, return_attention_scores: bool = False,
             training: bool | None = None, use_causal_mask: bool = False) -> Any:
        key = value if key is None else key
        if not self._made:
            self.build(tuple(query.shape), tuple(value.shape), tuple(key.shape))
        mask = self.attention_mask_of(query, value, query_mask, value_mask, key_mask, attention_mask,
                                      use_causal_mask)
        q = ops.Mul(self._heads(query, "query", self.key_dim), np.float32(1.0 / np.sqrt(self.key_dim)))
        k = self._heads(key, "key", self.key_dim)
        v = self._heads(value, "value", self.value_dim)
        scores = ops.MatMul(q, k, transpose_b=True)  # [B, heads, T, S]
        if mask is not None:
            mask = ops.Reshape(mask, shape=[0, 1, *(-1 if d is None else int(d) for d in mask.shape[1:])])
            scores = ops.Where(mask, scores, _MASKED)
        probs = ops.Softmax(scores, axis=-1)
        if mask is not None and (self.dropout > 0 or return_attention_scores):
            probs = ops.Mul(probs, mask)  # Keras's Softmax-layer path: a fully masked row attends to nothing
        attended = ops.MatMul(self.dropout_layer(probs, training=training), v)  # [B, heads, T, value_dim]
        merged = ops.Reshape(ops.Transpose(attended, perm=[0, 2, 1, 3]), shape=[0, -1, self.num_heads * self.value_dim])
        kernel = self.attention_output_kernel
        out = ops.MatMul(merged, ops.Reshape(kernel, shape=[self.num_heads * self.value_dim, int(kernel.shape[-1])]),
                         self.attention_output_bias)
        return (out, probs) if return_attention_scores else out

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "output_shape": self.output_shape,
            "seed": self.seed,
            "kernel_initializer": initializers.name_of(self.kernel_initializer),
            "bias_initializer": initializers.name_of(self.bias_initializer),
            **_regularizer_config(kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer),
        }
