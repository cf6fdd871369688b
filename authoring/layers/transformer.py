"""Transformer blocks with the semantics of keras_hub's layers (documented behaviour; keras_hub itself
is not a dependency): ``TransformerEncoder``, ``PositionEmbedding`` (learned positions) and
``TokenAndPositionEmbedding``. All of them are op-set ops, masks included.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import activations, initializers
from webgrad import raw_ops as ops
from webgrad.layers.attention import MultiHeadAttention
from webgrad.layers.base import Layer
from webgrad.layers.core import Dense, Dropout, Embedding
from webgrad.layers.masking import as_float_mask
from webgrad.layers.normalization import LayerNormalization
from webgrad.tensor import SymbolicTensor


def _sequence_shape(layer: Layer, shape: Any) -> tuple:
    shape = tuple(shape)
    if len(shape) != 3 or shape[-1] is None:
        raise ValueError(f"{type(layer).__name__} {layer.name!r} expects 3-D input (batch, steps, features) "
                         f"with known features, got {shape}")
    return shape


class TransformerEncoder(Layer):
    """One Transformer encoder block (keras_hub's ``TransformerEncoder``): self-attention with
    ``num_heads`` heads of ``key_dim = features // num_heads``, dropout, residual, LayerNormalization,
    then a feed-forward ``Dense(intermediate_dim, activation) -> Dense(features)``, dropout, residual,
    LayerNormalization. ``normalize_first=True`` normalizes before each sub-block instead of after.

    Padding is masked: ``padding_mask [B, S]`` (or the input's mask, from ``Embedding(mask_zero=True)``)
    hides the padded keys from every query; ``attention_mask [B, T, S]`` combines with it (logical
    and). The mask passes on to the output.

    >>> import numpy as np, webgrad as wg
    >>> ids = wg.Input((6,), dtype="int32")
    >>> x = wg.layers.TokenAndPositionEmbedding(20, 6, 8, mask_zero=True)(ids)
    >>> x = wg.layers.TransformerEncoder(intermediate_dim=16, num_heads=2)(x)
    >>> model = wg.Model(ids, wg.layers.GlobalAveragePooling1D()(x))
    >>> model.predict(np.array([[5, 3, 9, 0, 0, 0]]), verbose=0).shape
    (1, 8)
    """

    def __init__(self, intermediate_dim: int, num_heads: int, dropout: float = 0.0, activation: Any = "relu",
                 layer_norm_epsilon: float = 1e-5, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", normalize_first: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.supports_masking = True
        if int(intermediate_dim) <= 0 or int(num_heads) <= 0:
            raise ValueError(f"TransformerEncoder {self.name!r}: intermediate_dim and num_heads must be positive, "
                             f"got {intermediate_dim} and {num_heads}")
        self.intermediate_dim = int(intermediate_dim)
        self.num_heads = int(num_heads)
        self.dropout = float(dropout)
        self.activation = activations.check(activation)
        self.layer_norm_epsilon = float(layer_norm_epsilon)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.normalize_first = bool(normalize_first)

    def build(self, input_shape: Any) -> None:
        shape = _sequence_shape(self, input_shape)
        hidden = int(shape[-1])
        key_dim = hidden // self.num_heads
        if key_dim == 0:
            raise ValueError(f"TransformerEncoder {self.name!r}: the features ({hidden}) must be at least num_heads "
                             f"({self.num_heads})")
        common = {"kernel_initializer": self.kernel_initializer, "bias_initializer": self.bias_initializer}
        self.self_attention_layer = MultiHeadAttention(self.num_heads, key_dim, dropout=self.dropout, **common)
        self.self_attention_layer.build(shape, shape)
        self.self_attention_layer.built = True
        self.self_attention_layer_norm = LayerNormalization(epsilon=self.layer_norm_epsilon)
        self.self_attention_dropout = Dropout(self.dropout)
        self.feedforward_layer_norm = LayerNormalization(epsilon=self.layer_norm_epsilon)
        self.feedforward_intermediate_dense = Dense(self.intermediate_dim, activation=self.activation, **common)
        self.feedforward_output_dense = Dense(hidden, **common)
        self.feedforward_dropout = Dropout(self.dropout)
        for layer, s in ((self.self_attention_layer_norm, shape), (self.feedforward_layer_norm, shape),
                         (self.feedforward_intermediate_dense, shape),
                         (self.feedforward_output_dense, (*shape[:-1], self.intermediate_dim))):
            layer._ensure_built(SymbolicTensor(s))

    def call(self, inputs: Any, padding_mask: Any = None, attention_mask: Any = None, training: bool | None = None,
             return_attention_scores: bool = False, mask: Any = None) -> Any:
        padding_mask = mask if padding_mask is None else padding_mask
        self_mask = None
        if padding_mask is not None:
            self_mask = ops.Reshape(as_float_mask(padding_mask), shape=[0, 1, -1])  # [B, 1, S]: padded keys
        if attention_mask is not None:
            attention_mask = as_float_mask(attention_mask)
            self_mask = attention_mask if self_mask is None else ops.Mul(self_mask, attention_mask)

        x = inputs
        residual = x
        if self.normalize_first:
            x = self.self_attention_layer_norm(x)
        attended = self.self_attention_layer(x, x, attention_mask=self_mask, training=training,
                                             return_attention_scores=return_attention_scores)
        x, scores = attended if return_attention_scores else (attended, None)
        x = ops.Add(self.self_attention_dropout(x, training=training), residual)
        if not self.normalize_first:
            x = self.self_attention_layer_norm(x)

        residual = x
        if self.normalize_first:
            x = self.feedforward_layer_norm(x)
        x = self.feedforward_output_dense(self.feedforward_intermediate_dense(x))
        x = ops.Add(self.feedforward_dropout(x, training=training), residual)
        if not self.normalize_first:
            x = self.feedforward_layer_norm(x)
        return (x, scores) if return_attention_scores else x

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "intermediate_dim": self.intermediate_dim,
            "num_heads": self.num_heads,
            "dropout": self.dropout,
            "activation": self.activation,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "kernel_initializer": initializers.name_of(self.kernel_initializer),
            "bias_initializer": initializers.name_of(self.bias_initializer),
            "normalize_first": self.normalize_first,
        }


class PositionEmbedding(Layer):
    """Learned position embeddings (keras_hub's ``PositionEmbedding``): a ``[sequence_length, features]``
    table whose first ``steps`` rows are returned, broadcast to the input's shape ``[B, steps,
    features]``; add them to the token embeddings. ``start_index`` shifts the rows read.

    >>> import numpy as np, webgrad as wg
    >>> layer = wg.layers.PositionEmbedding(sequence_length=10)
    >>> layer(np.zeros((2, 4, 3), np.float32)).shape
    (2, 4, 3)
    """

    def __init__(self, sequence_length: int, initializer: Any = "glorot_uniform", **kwargs: Any):
        super().__init__(**kwargs)
        if int(sequence_length) <= 0:
            raise ValueError(f"PositionEmbedding sequence_length must be positive, got {sequence_length}")
        self.sequence_length = int(sequence_length)
        self.initializer = initializers.get(initializer)

    def build(self, input_shape: Any) -> None:
        shape = _sequence_shape(self, input_shape)
        self.position_embeddings = self.add_weight(shape=(self.sequence_length, int(shape[-1])),
                                                   initializer=self.initializer, name="embeddings")

    def rows(self, steps: int | None, start_index: int = 0) -> Any:
        """The ``[steps, features]`` rows of the table from ``start_index``."""
        if steps is None or start_index < 0 or start_index + steps > self.sequence_length:
            raise ValueError(f"PositionEmbedding {self.name!r}: {steps} input steps from start_index {start_index} "
                             f"must fit in sequence_length {self.sequence_length}")
        table = self.position_embeddings
        if start_index or steps != self.sequence_length:
            table = ops.Slice(table, starts=[int(start_index)], ends=[int(start_index) + steps], axes=[0])
        return table

    def call(self, inputs: Any, start_index: int = 0, training: bool = False) -> Any:
        # the rows broadcast to the input's shape: an exact select that never reads the input's values
        return ops.Where(np.ones((), np.float32), self.rows(inputs.shape[1], start_index), inputs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "sequence_length": self.sequence_length,
                "initializer": initializers.name_of(self.initializer)}


class TokenAndPositionEmbedding(Layer):
    """Token embeddings plus learned position embeddings (keras_hub's ``TokenAndPositionEmbedding``):
    ids ``[B, steps]`` -> ``[B, steps, embedding_dim]``. With ``mask_zero=True`` the id 0 is padding
    and its mask goes on to the layers after (attention, pooling). Weights, in order: the token table
    ``[vocabulary_size, embedding_dim]``, the position table ``[sequence_length, embedding_dim]``.

    >>> import numpy as np, webgrad as wg
    >>> layer = wg.layers.TokenAndPositionEmbedding(50, 12, 8, mask_zero=True)
    >>> layer(np.array([[4, 7, 0]])).shape, layer.compute_mask(np.array([[4, 7, 0]])).numpy()
    ((1, 3, 8), array([[1., 1., 0.]], dtype=float32))
    """

    def __init__(self, vocabulary_size: int, sequence_length: int, embedding_dim: int,
                 embeddings_initializer: Any = "random_uniform", mask_zero: bool = False, **kwargs: Any):
        tie_weights = kwargs.pop("tie_weights", True)  # keras_hub's: ties the reverse projection only
        super().__init__(**kwargs)
        self.tie_weights = bool(tie_weights)
        self.vocabulary_size = int(vocabulary_size)
        self.sequence_length = int(sequence_length)
        self.embedding_dim = int(embedding_dim)
        # keras_hub's default "uniform" is Keras's alias of random_uniform
        alias = {"uniform": "random_uniform", "normal": "random_normal"}
        self.embeddings_initializer = initializers.get(alias.get(embeddings_initializer, embeddings_initializer)
                                                       if isinstance(embeddings_initializer, str)
                                                       else embeddings_initializer)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.token_embedding = Embedding(self.vocabulary_size, self.embedding_dim,
                                         embeddings_initializer=self.embeddings_initializer, mask_zero=self.mask_zero)
        self.position_embedding = PositionEmbedding(self.sequence_length, initializer=self.embeddings_initializer)

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        self.token_embedding._ensure_built(SymbolicTensor(shape, "int32"))
        self.position_embedding._ensure_built(SymbolicTensor((*shape, self.embedding_dim)))

    def call(self, inputs: Any, start_index: int = 0, training: bool = False) -> Any:
        tokens = self.token_embedding(inputs)
        return ops.Add(tokens, self.position_embedding.rows(tokens.shape[1], start_index))

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        return self.token_embedding.compute_mask(inputs, previous_mask)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size,
                "sequence_length": self.sequence_length, "embedding_dim": self.embedding_dim,
                "embeddings_initializer": initializers.name_of(self.embeddings_initializer),
                "mask_zero": self.mask_zero, "tie_weights": self.tie_weights}


# the name the issue uses for the learned positions
PositionalEmbedding = PositionEmbedding
