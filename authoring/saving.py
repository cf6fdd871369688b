"""Saving whole models and their weights, Keras 3 style: ``model.save("m.keras")``,
``wg.models.load_model("m.keras")``, ``model.save_weights`` / ``model.load_weights``.
"""

from __future__ import annotations


class SavingMixin:
    """``save``, ``save_weights`` and ``load_weights``; mixed into ``Model``."""
