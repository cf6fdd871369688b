"""``wg.export``: a webgrad model, or a Keras 3 model or ``.keras`` file, as a web bundle.

A Keras model is first brought in with ``webgrad.keras_import.from_keras`` (its JAX inference graph
as op-set ops); everything else is ``webgrad.exporter.export.export``, whose arguments and report
this function shares.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from webgrad.exporter.export import ExportReport
from webgrad.exporter.export import export as export_webgrad_model
from webgrad.keras_import import from_keras, is_keras_model


@functools.wraps(export_webgrad_model)
def export(model: Any, path: str | Path, **kwargs: Any) -> ExportReport:
    if is_keras_model(model) or (isinstance(model, str | os.PathLike) and str(model).endswith(".keras")):
        model = from_keras(model)
    return export_webgrad_model(model, path, **kwargs)


export.__doc__ = (export_webgrad_model.__doc__ or "") + """
    ``model`` may also be a Keras 3 model (on the JAX backend) or a path to a ``.keras`` file: it is
    imported with ``wg.models.from_keras`` first (needs the ``keras`` extra).
    """

__all__ = ["export"]
