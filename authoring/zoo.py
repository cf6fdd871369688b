"""Reference models used by the main job, tests and benchmarks (built with the public API).

>>> mnist_mlp().count_params()
203530
"""

from __future__ import annotations

from . import layers
from .model import Model, Sequential


def mnist_mlp(hidden: int = 256) -> Sequential:
    """784-hidden-10 MLP for flattened 28x28 images."""
    return Sequential([
        layers.Input((784,)),
        layers.Dense(hidden, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="mnist_mlp")


def mnist_cnn() -> Sequential:
    """The MNIST CNN: two conv + max-pool stages, a 128-unit dense layer, softmax over 10 digits."""
    return Sequential([
        layers.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="mnist_cnn")


def mobilenet_v2_style(input_shape: tuple = (32, 32, 3), classes: int = 10, width: int = 16) -> Model:
    """A small MobileNetV2-style net: inverted residual blocks with depthwise 3x3 convs, BatchNorm,
    Relu6, residual Adds and global average pooling.
    """
    def block(x, expand: int, out: int, stride: int):
        c = x.shape[-1]
        h = layers.Conv2D(c * expand, 1, use_bias=False)(x)
        h = layers.BatchNormalization()(h)
        h = layers.Activation("relu6")(h)
        h = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.Activation("relu6")(h)
        h = layers.Conv2D(out, 1, use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        return layers.Add()([x, h]) if stride == 1 and c == out else h

    inp = layers.Input(input_shape)
    x = layers.Conv2D(width, 3, strides=2, padding="same", use_bias=False)(inp)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu6")(x)
    x = block(x, 1, width, 1)
    x = block(x, 4, width * 3 // 2, 2)
    x = block(x, 4, width * 3 // 2, 1)
    x = block(x, 4, width * 2, 2)
    x = block(x, 4, width * 2, 1)
    x = layers.GlobalAveragePooling2D()(x)
    out = layers.Dense(classes, activation="softmax")(x)
    return Model(inp, out, name="mobilenet_v2_style")
