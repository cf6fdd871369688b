"""Keras-style layers. Every layer computes with op-set ops only, so it runs, differentiates and
exports the same way everywhere.
"""

from webgrad.layers.base import IncompatibleShapesError, Layer, clear_session, get_layer_class
from webgrad.layers.conv import Conv2D, DepthwiseConv2D
from webgrad.layers.core import Activation, Dense, Dropout, Embedding, Flatten, Input, InputLayer, Reshape
from webgrad.layers.merge import Add, Concatenate
from webgrad.layers.normalization import BatchNormalization, LayerNormalization
from webgrad.layers.op_layer import OpLayer
from webgrad.layers.pooling import AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D, MaxPooling2D

__all__ = [
    "Activation", "Add", "AveragePooling2D", "BatchNormalization", "Concatenate", "Conv2D", "Dense",
    "DepthwiseConv2D", "Dropout", "Embedding", "Flatten", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "IncompatibleShapesError", "Input", "InputLayer", "Layer", "LayerNormalization", "MaxPooling2D", "OpLayer",
    "Reshape",
    "clear_session", "get_layer_class",
]
