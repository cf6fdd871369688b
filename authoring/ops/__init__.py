"""Keras's NumPy-style op namespace (``keras.ops``): ``wg.ops.matmul``, ``wg.ops.mean``, ``wg.ops.one_hot``…

Every function here lowers to op-set ops (``webgrad.raw_ops``), so what a model computes with them
runs, differentiates and exports like any layer. The op-set ops themselves are ``wg.raw_ops``.
"""

from __future__ import annotations

__all__: list[str] = []
