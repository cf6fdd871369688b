"""Reference models used by the main job, tests and benchmarks (built with the public API).

>>> mnist_mlp().count_params()
203530
"""

from __future__ import annotations

from webgrad import layers
from webgrad.model import Model, Sequential


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


def _make_divisible(v: float, divisor: int = 8) -> int:
    """Keras' channel rounding for MobileNets: nearest multiple of ``divisor``, never below 90 % of ``v``."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def mobilenet_v2(input_shape: tuple = (224, 224, 3), classes: int = 1000, alpha: float = 1.0) -> Model:
    """MobileNetV2 (Sandler et al. 2018) at width ``alpha``: a stride-2 3x3 stem conv of 32 channels,
    17 inverted residual blocks from the standard (expansion t, channels c, repeats n, stride s) table,
    a 1x1 conv to 1280 channels, global average pooling and a softmax dense layer. Every conv is
    bias-free and followed by BatchNormalization (epsilon 1e-3, Keras' default) and Relu6, except the
    linear bottleneck projections; blocks with stride 1 and equal in/out channels add a residual.

    >>> mobilenet_v2().count_params()  # as Keras' MobileNetV2(alpha=1.0), moving statistics included
    3538984
    """
    table = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    def conv_bn(x, filters: int, kernel: int, stride: int = 1, relu6: bool = True):
        x = layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        return layers.Activation("relu6")(x) if relu6 else x

    def inverted_residual(x, t: int, out: int, stride: int):
        c = x.shape[-1]
        h = conv_bn(x, c * t, 1) if t != 1 else x
        h = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(h)
        h = layers.BatchNormalization()(h)
        h = layers.Activation("relu6")(h)
        h = conv_bn(h, out, 1, relu6=False)
        return layers.Add()([x, h]) if stride == 1 and c == out else h

    inp = layers.Input(input_shape)
    x = conv_bn(inp, _make_divisible(32 * alpha), 3, stride=2)
    for t, c, n, s in table:
        for i in range(n):
            x = inverted_residual(x, t, _make_divisible(c * alpha), s if i == 0 else 1)
    x = conv_bn(x, _make_divisible(1280 * alpha) if alpha > 1.0 else 1280, 1)
    x = layers.GlobalAveragePooling2D()(x)
    out = layers.Dense(classes, activation="softmax")(x)
    return Model(inp, out, name=f"mobilenet_v2_{alpha:g}")


def mlp_784_512_256_10() -> Sequential:
    """The 784-512-256-10 MLP of the inference benchmark (relu hidden layers, softmax output).

    >>> mlp_784_512_256_10().count_params()
    535818
    """
    return Sequential([
        layers.Input((784,)),
        layers.Dense(512, activation="relu"),
        layers.Dense(256, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="mlp_784_512_256_10")
