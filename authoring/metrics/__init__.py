"""Metrics (Keras 3's ``keras.metrics``): stateful accumulators over batches.

Each metric has ``update_state(y_true, y_pred, sample_weight=None)``, ``result()`` and ``reset_state()``;
``get`` resolves what ``compile(metrics=[...])`` is given (a name, a ``Metric``, a class, a function) the
way Keras does, and the log name is the string given, else the metric's ``name``.

>>> import numpy as np
>>> m = get("accuracy")
>>> m.update_state(np.array([1, 0]), np.array([[0.2, 0.8], [0.3, 0.7]]))
>>> m.result(), m.name
(0.5, 'accuracy')
>>> get("mae").name, MeanAbsoluteError().name
('mae', 'mean_absolute_error')
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from webgrad import keras_names
from webgrad.layers.base import _snake
from webgrad.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from webgrad.metrics.base import Metric, MetricVariable
from webgrad.metrics.confusion import (
    AUC,
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from webgrad.metrics.confusion_at import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)
from webgrad.metrics.correlation import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from webgrad.metrics.f_score import F1Score, FBetaScore
from webgrad.metrics.hinge import CategoricalHinge, Hinge, SquaredHinge, categorical_hinge, hinge, squared_hinge
from webgrad.metrics.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from webgrad.metrics.reduction import Mean, MeanMetricWrapper, Sum, as_array
from webgrad.metrics.regression import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
    cosine_similarity,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)

__all__ = [
    "AUC", "Accuracy", "BinaryAccuracy", "BinaryCrossentropy", "CategoricalAccuracy", "CategoricalCrossentropy",
    "CategoricalHinge", "ConcordanceCorrelation", "CosineSimilarity", "F1Score", "FBetaScore", "FalseNegatives",
    "FalsePositives", "Hinge", "KLDivergence", "LogCoshError", "Mean", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanMetricWrapper", "MeanSquaredError", "MeanSquaredLogarithmicError", "Metric",
    "MetricVariable", "PearsonCorrelation", "Poisson", "Precision", "PrecisionAtRecall", "R2Score", "Recall",
    "RecallAtPrecision", "RootMeanSquaredError", "SensitivityAtSpecificity", "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy", "SparseTopKCategoricalAccuracy", "SpecificityAtSensitivity", "SquaredHinge",
    "Sum", "TopKCategoricalAccuracy", "TrueNegatives", "TruePositives", "accuracy", "binary_accuracy",
    "binary_crossentropy", "categorical_accuracy", "categorical_crossentropy", "categorical_hinge",
    "concordance_correlation", "cosine_similarity", "deserialize", "get", "hinge", "kl_divergence", "log_cosh",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error",
    "pearson_correlation", "poisson", "serialize", "sparse_categorical_accuracy", "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy", "squared_hinge", "top_k_categorical_accuracy",
]

_CLASSES: tuple[type[Metric], ...] = (
    Mean, Sum, MeanMetricWrapper, MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, AUC, FalseNegatives, FalsePositives, Precision, Recall,
    TrueNegatives, TruePositives, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, F1Score, FBetaScore, CosineSimilarity, LogCoshError, Hinge, SquaredHinge,
    CategoricalHinge, KLDivergence, Poisson, PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
    SpecificityAtSensitivity, R2Score, PearsonCorrelation, ConcordanceCorrelation,
)
# Keras's lookup table: class names, their snake_case, and the short aliases
_BY_NAME: dict[str, type[Metric]] = {
    **{c.__name__: c for c in _CLASSES},
    **{_snake(c.__name__): c for c in _CLASSES},
    **{alias: cls for cls, aliases in (
        (BinaryCrossentropy, ("bce", "BCE")), (MeanSquaredError, ("mse", "MSE")), (MeanAbsoluteError, ("mae", "MAE")),
        (MeanAbsolutePercentageError, ("mape", "MAPE")), (MeanSquaredLogarithmicError, ("msle", "MSLE")),
    ) for alias in aliases},
}


def _accuracy_by_shape(y_true: Any, y_pred: Any) -> np.ndarray:
    """Keras's ``"accuracy"``: binary when predictions end in one unit, sparse when labels have lower rank
    (or end in 1 against several units), categorical otherwise."""
    t, p = as_array(y_true), as_array(y_pred)
    if p.shape[-1:] == (1,):
        return binary_accuracy(t, p)
    if t.ndim < p.ndim or (t.shape[-1:] == (1,) and p.shape[-1] > 1):
        return sparse_categorical_accuracy(t, p)
    return categorical_accuracy(t, p)


def get(identifier: Any, loss_name: str | None = None) -> Metric:
    """The metric ``compile(metrics=[identifier])`` uses, named as Keras names it in the logs.

    ``identifier``: a ``Metric`` (kept as is), a name (``"accuracy"``/``"acc"`` pick binary, sparse or
    categorical accuracy from the shapes of labels and predictions, as Keras does; ``"mae"``,
    ``"precision"``, ``"AUC"``… make that metric, named with the string), a ``Metric`` class, a
    ``{"class_name", "config"}`` dict, or a function ``fn(y_true, y_pred)`` of per-sample values.
    ``loss_name`` is accepted for callers that pass the loss; the accuracy kind comes from the shapes.
    Unknown names raise a ValueError that lists the valid ones.
    """
    del loss_name  # Keras picks the accuracy kind from the data, which agrees with the loss when they fit
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return MeanMetricWrapper(_accuracy_by_shape, name=identifier)
        if identifier not in _BY_NAME:
            valid = ["accuracy", "acc", *sorted(set(_BY_NAME) - {"accuracy"}, key=str.lower)]
            raise ValueError(f"unknown metric {identifier!r}; valid: {', '.join(valid)} (or a Metric instance)")
        metric = _BY_NAME[identifier]()
        metric.name = identifier
        return metric
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=_snake(getattr(identifier, "__name__", type(identifier).__name__)))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def serialize(metric: Metric) -> dict[str, Any]:
    """``{"class_name", "config"}`` of a metric."""
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Callable] | None = None) -> Metric:
    """A metric from ``serialize``'s dict; ``custom_objects`` maps class names of user metrics."""
    classes = {**_BY_NAME, **(custom_objects or {})}
    name = config.get("class_name")
    if name not in classes:
        raise ValueError(f"unknown metric class {name!r}; pass it in custom_objects")
    return classes[name].from_config(dict(config.get("config", {})))


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks (IoU, R2Score…): NotImplementedError
    raise keras_names.unsupported("metrics", name)
