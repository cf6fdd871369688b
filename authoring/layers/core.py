"""Core layers: Input, Dense, Activation, Flatten, Reshape, Dropout, Embedding."""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import activations, initializers, regularizers
from webgrad import random as wg_random
from webgrad import raw_ops as ops
from webgrad.layers.base import Layer
from webgrad.tensor import SymbolicTensor


class InputLayer(Layer):
    """The entry of a functional model; made by ``wg.Input``."""

    n_inputs = 0

    def __init__(self, shape: tuple | None = None, dtype: str = "float32", batch_size: int | None = None, *,
                 batch_shape: tuple | None = None, **kwargs: Any):
        super().__init__(dtype=dtype, **kwargs)
        if batch_shape is not None:
            if shape is not None or batch_size is not None:
                raise ValueError(f"InputLayer {self.name!r}: give shape (and batch_size) or batch_shape, not both")
            batch_size, shape = batch_shape[0], tuple(batch_shape[1:])
        if shape is None:
            raise ValueError(f"InputLayer {self.name!r} needs a shape (without the batch dim), e.g. shape=(784,)")
        self.shape = tuple(shape)
        self.batch_size = batch_size
        self.built = True
        self._output_tensor = SymbolicTensor((batch_size, *self.shape), dtype, name=self.name)
        self._output_tensor.history = (self, 0, 0)

    @property
    def output(self) -> SymbolicTensor:
        """The symbolic tensor this input layer makes."""
        return self._output_tensor

    @property
    def input(self) -> SymbolicTensor:
        return self._output_tensor

    @property
    def batch_shape(self) -> tuple:
        """The input's shape with the batch dim (``None`` unless ``batch_size`` was given)."""
        return self._output_tensor.shape

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "shape": list(self.shape), "dtype": self.dtype, "batch_size": self.batch_size}


def Input(shape: tuple | None = None, dtype: str = "float32", name: str | None = None, batch_size: int | None = None,
          *, batch_shape: tuple | None = None) -> Any:
    """A symbolic model input of ``shape`` (without the batch dim), or of ``batch_shape`` (with it).

    >>> import webgrad as wg
    >>> wg.Input((28, 28, 1)).shape, wg.Input(batch_shape=(8, 3)).shape
    ((None, 28, 28, 1), (8, 3))
    """
    return InputLayer(shape, dtype=dtype, name=name, batch_size=batch_size, batch_shape=batch_shape).output


def _no_constraint(layer: Layer, **constraints: Any) -> None:
    given = [k for k, v in constraints.items() if v is not None]
    if given:
        raise NotImplementedError(f"{type(layer).__name__} {layer.name!r}: {', '.join(given)} is not supported yet")


class Dense(Layer):
    """``activation(x @ kernel + bias)`` over the last axis (a sequence's mask passes through).

    >>> import numpy as np, webgrad as wg
    >>> wg.layers.Dense(3)(np.ones((2, 4), np.float32)).shape
    (2, 3)
    """

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        use_bias: bool = True,
        kernel_initializer: str = "glorot_uniform",
        bias_initializer: str = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        if int(units) <= 0:
            raise ValueError(f"Dense units must be positive, got {units}")
        _no_constraint(self, kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.units = int(units)
        self.activation = activations.check(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape: tuple) -> None:
        last = input_shape[-1]
        if last is None or len(input_shape) < 2:
            raise ValueError(f"Dense needs a known last dimension, got input shape {input_shape}")
        self.kernel = self.add_weight(shape=(last, self.units), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer, name="bias") if self.use_bias else None

    def call(self, x: Any, training: bool = False) -> Any:
        if str(x.dtype) != "float32":  # integer inputs, as Keras's matmul promotes them
            x = ops.Cast(x, to="float32")
        fused = activations.FUSABLE.get(self.activation)
        y = ops.MatMul(x, self.kernel, self.bias, activation=fused or "none")
        return y if fused else activations.get(self.activation)(y)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self.activation,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.name_of(self.kernel_initializer),
            "bias_initializer": initializers.name_of(self.bias_initializer),
            **_regularizer_config(kernel_regularizer=self.kernel_regularizer,
                                  bias_regularizer=self.bias_regularizer),
        }


class Activation(Layer):
    """Applies an activation by name (``relu``, ``softmax``…)."""

    def __init__(self, activation: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.check(activation)

    def call(self, x: Any, training: bool = False) -> Any:
        return activations.get(self.activation)(x)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": self.activation}


class Flatten(Layer):
    """Flattens everything but the batch dim."""

    def call(self, x: Any, training: bool = False) -> Any:
        return ops.Flatten(x, axis=1)


class Reshape(Layer):
    """Reshapes to ``target_shape`` (without the batch dim; one -1 allowed)."""

    def __init__(self, target_shape: tuple, **kwargs: Any):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)

    def call(self, x: Any, training: bool = False) -> Any:
        # 0 keeps the batch dim, whatever it is at run time
        return ops.Reshape(x, shape=[0, *self.target_shape])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of the inputs while training (scaling the rest); identity otherwise."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.supports_masking = True
        if noise_shape is not None:
            raise NotImplementedError(f"Dropout {self.name!r}: noise_shape= is not supported yet")
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.seed = seed
        self._rng: np.random.Generator | None = None

    def call(self, x: Any, training: bool = False) -> Any:
        if not training or self.rate == 0 or isinstance(x, SymbolicTensor):
            return x
        if self._rng is None:
            self._rng = wg_random.child(self.seed)
        keep = self._rng.random(x.shape, dtype=np.float32) >= self.rate
        return ops.Mul(x, keep.astype(np.float32) / np.float32(1 - self.rate))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class Embedding(Layer):
    """Maps integer ids in ``[0, input_dim)`` to rows of a trainable table. With ``mask_zero=True``
    the id 0 is padding: the output carries the mask ``ids != 0`` to the layers that use masks
    (pooling, attention; see ``webgrad.layers.masking``), and ``input_dim`` must count the 0.

    >>> import numpy as np, webgrad as wg
    >>> embed = wg.layers.Embedding(10, 4, mask_zero=True)
    >>> embed(np.array([[5, 3, 0]])).shape, embed.compute_mask(np.array([[5, 3, 0]])).numpy()
    ((1, 3, 4), array([[1., 1., 0.]], dtype=float32))
    """

    def __init__(
        self, input_dim: int, output_dim: int, embeddings_initializer: str = "random_uniform",
        embeddings_regularizer: Any = None, embeddings_constraint: Any = None, mask_zero: bool = False,
        **kwargs: Any
    ):
        super().__init__(**kwargs)
        _no_constraint(self, embeddings_constraint=embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)

    def build(self, input_shape: tuple) -> None:
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer, name="embeddings"
        )

    def call(self, x: Any, training: bool = False) -> Any:
        if str(x.dtype) != "int32":
            x = ops.Cast(x, to="int32")
        return ops.Gather(self.embeddings, x, axis=0)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """``ids != 0`` as a float32 mask with ``mask_zero``, else None."""
        if not self.mask_zero:
            return None
        x = inputs if hasattr(inputs, "dtype") else np.asarray(inputs)
        if str(x.dtype) not in ("int32", "float32"):
            x = np.asarray(x).astype(np.int32)
        return ops.NotEqual(x, np.zeros((), str(x.dtype)))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "mask_zero": self.mask_zero,
            "embeddings_initializer": initializers.name_of(self.embeddings_initializer),
            **_regularizer_config(embeddings_regularizer=self.embeddings_regularizer),
        }


def _regularizer_config(**regs: Any) -> dict[str, Any]:
    """The regularizers that are set, serialized (a config without regularizers stays as it was)."""
    return {k: regularizers.serialize(v) for k, v in regs.items() if v is not None}
