"""Keras-style layers. Every layer computes with op-set ops only, so it runs, differentiates and
exports the same way everywhere.
"""

from typing import Any

from webgrad import keras_names
from webgrad.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from webgrad.layers.attention import MultiHeadAttention
from webgrad.layers.augmentation import RandomCrop, RandomFlip, RandomRotation, RandomZoom
from webgrad.layers.base import IncompatibleShapesError, Layer, clear_session, get_layer_class
from webgrad.layers.conv import Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D
from webgrad.layers.core import Activation, Dense, Dropout, Embedding, Flatten, Input, InputLayer, Reshape
from webgrad.layers.masking import Masking
from webgrad.layers.merge import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from webgrad.layers.normalization import BatchNormalization, LayerNormalization
from webgrad.layers.op_layer import OpLayer
from webgrad.layers.pooling import (
    AveragePooling2D,
    AvgPool2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAvgPool1D,
    GlobalAvgPool2D,
    GlobalMaxPool1D,
    GlobalMaxPool2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPool2D,
    MaxPooling2D,
)
from webgrad.layers.preprocessing import Normalization, Rescaling
from webgrad.layers.regularization import GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D
from webgrad.layers.reshaping import (
    Cropping1D,
    Cropping2D,
    Identity,
    Permute,
    RepeatVector,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)
from webgrad.layers.sequence import (
    AveragePooling1D,
    AvgPool1D,
    Conv1D,
    Convolution1D,
    MaxPool1D,
    MaxPooling1D,
)
from webgrad.layers.text_vectorization import TextVectorization
from webgrad.layers.transformer import (
    PositionalEmbedding,
    PositionEmbedding,
    TokenAndPositionEmbedding,
    TransformerEncoder,
)

__all__ = [
    "Activation", "Add", "AveragePooling2D", "BatchNormalization", "Concatenate", "Conv2D", "Dense",
    "DepthwiseConv2D", "Dropout", "Embedding", "Flatten", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "IncompatibleShapesError", "Input", "InputLayer", "Layer", "LayerNormalization", "MaxPooling2D", "OpLayer",
    "Reshape",
    "clear_session", "get_layer_class",
    # classifier layers (issue 14, item 7)
    "AvgPool2D", "Cropping1D", "Cropping2D", "ELU", "GaussianDropout", "GaussianNoise", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "Identity",
    "LeakyReLU", "MaxPool2D", "Normalization", "PReLU", "Permute", "RandomCrop", "RandomFlip", "RandomRotation",
    "RandomZoom", "ReLU", "RepeatVector", "Rescaling", "SeparableConv2D", "Softmax", "SpatialDropout1D",
    "SpatialDropout2D", "UpSampling2D", "ZeroPadding1D", "ZeroPadding2D", "Conv2DTranspose",
    # merge layers and functions, the layer contract (issue 14, item 1)
    "Average", "Maximum", "Minimum", "Multiply", "Subtract", "add", "average", "concatenate", "maximum", "minimum",
    "multiply", "subtract",
    # sequence layers, masking, attention (issue 18)
    "AveragePooling1D", "AvgPool1D", "Conv1D", "Convolution1D", "Masking", "MaxPool1D", "MaxPooling1D",
    "MultiHeadAttention", "PositionEmbedding", "PositionalEmbedding", "TokenAndPositionEmbedding",
    "TransformerEncoder",
    # text preprocessing (issue 18)
    "TextVectorization",
]


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("layers", name)
