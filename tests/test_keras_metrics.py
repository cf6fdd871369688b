"""webgrad.metrics against keras.metrics (JAX backend): the same batches fed over several update_state
calls, with and without sample_weight, give the same result and the same names; compile log names and
a custom Metric subclass written as in the Keras docs behave the same under both libraries."""

import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import webgrad as wg

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(7)
N, K = 24, 4


def _batches(kind, n_batches=3):
    """``n_batches`` of (y_true, y_pred, sample_weight) for one kind of problem."""
    out = []
    for _ in range(n_batches):
        w = RNG.uniform(0, 2, N).astype(np.float32)
        if kind == "binary":
            t = RNG.integers(0, 2, (N, 1)).astype(np.float32)
            p = RNG.uniform(0, 1, (N, 1)).astype(np.float32)
        elif kind == "binary_flat":
            t = RNG.integers(0, 2, N).astype(np.float32)
            p = RNG.uniform(0, 1, N).astype(np.float32)
        elif kind == "logits":
            t = RNG.integers(0, 2, (N, 1)).astype(np.float32)
            p = RNG.normal(0, 2, (N, 1)).astype(np.float32)
        elif kind == "multilabel":
            t = RNG.integers(0, 2, (N, K)).astype(np.float32)
            p = RNG.uniform(0, 1, (N, K)).astype(np.float32)
        elif kind in ("onehot", "sparse", "sparse_logits"):
            labels = RNG.integers(0, K, N)
            logits = RNG.normal(0, 1.5, (N, K)).astype(np.float32)
            e = np.exp(logits - logits.max(1, keepdims=True))
            p = logits if kind == "sparse_logits" else (e / e.sum(1, keepdims=True)).astype(np.float32)
            t = np.eye(K, dtype=np.float32)[labels] if kind == "onehot" else labels.astype(np.int32)
        elif kind == "regression":
            t = RNG.uniform(0.1, 3, (N, 3)).astype(np.float32)
            p = RNG.uniform(0.1, 3, (N, 3)).astype(np.float32)
        else:
            raise AssertionError(kind)
        out.append((t, p, w))
    return out


CASES = [
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("RootMeanSquaredError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "regression"),
    ("Precision", {}, "binary"),
    ("Precision", {"thresholds": [0.3, 0.5, 0.7]}, "binary_flat"),
    ("Precision", {"thresholds": [0.0, 0.5, 1.0]}, "binary"),  # evenly spaced: Keras buckets
    ("Precision", {"top_k": 2}, "multilabel"),
    ("Precision", {"class_id": 1}, "multilabel"),
    ("Recall", {}, "binary"),
    ("Recall", {"thresholds": [0.25, 0.8]}, "multilabel"),
    ("Recall", {"class_id": 2, "top_k": 2}, "multilabel"),
    ("TruePositives", {}, "binary"),
    ("FalsePositives", {"thresholds": [0.2, 0.8]}, "binary_flat"),
    ("TrueNegatives", {}, "multilabel"),
    ("FalseNegatives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "binary"),
    ("AUC", {}, "binary"),
    ("AUC", {"curve": "PR"}, "binary"),
    ("AUC", {"num_thresholds": 50, "summation_method": "minoring"}, "binary_flat"),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}, "binary"),
    ("AUC", {"multi_label": True}, "multilabel"),
    ("AUC", {"multi_label": True, "curve": "PR", "label_weights": [1.0, 0.5, 2.0, 0.0]}, "multilabel"),
    ("AUC", {"label_weights": [1.0, 0.5, 2.0, 0.0]}, "multilabel"),
    ("AUC", {"from_logits": True}, "logits"),
    ("AUC", {"thresholds": [0.1, 0.4, 0.9]}, "binary"),
    ("AUC", {"curve": "PRGAIN"}, "binary"),
    ("F1Score", {}, "multilabel"),
    ("F1Score", {"average": "micro"}, "onehot"),
    ("F1Score", {"average": "macro", "threshold": 0.5}, "multilabel"),
    ("F1Score", {"average": "weighted"}, "onehot"),
    ("FBetaScore", {"beta": 2.0, "average": "macro", "threshold": 0.4}, "multilabel"),
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {"threshold": 0.7}, "binary_flat"),
    ("CategoricalAccuracy", {}, "onehot"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True}, "logits"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("CosineSimilarity", {}, "regression"),
    ("LogCoshError", {}, "regression"),
    ("Hinge", {}, "binary"),
    ("SquaredHinge", {}, "multilabel"),
    ("CategoricalHinge", {}, "onehot"),
    ("KLDivergence", {}, "onehot"),
    ("Poisson", {}, "regression"),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "binary"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "num_thresholds": 50}, "binary_flat"),
    ("PrecisionAtRecall", {"recall": 0.6}, "binary"),
    ("RecallAtPrecision", {"precision": 0.4, "class_id": 1}, "multilabel"),
    ("RecallAtPrecision", {"precision": 0.5, "num_thresholds": 1}, "binary"),
    ("R2Score", {}, "regression"),
    ("R2Score", {"class_aggregation": None}, "regression"),
    ("R2Score", {"class_aggregation": "variance_weighted_average", "num_regressors": 2}, "regression"),
    ("PearsonCorrelation", {}, "regression"),
    ("ConcordanceCorrelation", {}, "regression"),
]


def _close(ours, theirs):
    """Within 1e-6 of Keras, relative to the metric's scale (counts of float32 weights carry float32 noise:
    ``fn = total - tp`` is a few 1e-7 of the total, not 0, in Keras too)."""
    theirs = np.asarray(theirs, np.float64)
    scale = max(1.0, float(np.abs(theirs).max()))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6 * scale)


def _ids(case):
    name, kw, kind = case
    return f"{name}({','.join(f'{k}={v}' for k, v in kw.items())})-{kind}"


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_metric_matches_keras(case, weighted):
    name, kw, kind = case
    ours, theirs = getattr(wg.metrics, name)(**kw), getattr(keras.metrics, name)(**kw)
    for t, p, w in _batches(kind):
        sw = w if weighted else None
        ours.update_state(t, p, sample_weight=sw)
        theirs.update_state(t, p, sample_weight=sw)
    _close(ours.result(), theirs.result())
    assert [v.shape for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    ours.reset_state()
    theirs.reset_state()
    t, p, w = _batches(kind, 1)[0]
    ours.update_state(t, p)
    theirs.update_state(t, p)
    _close(ours.result(), theirs.result())


@pytest.mark.parametrize("name", ["Mean", "Sum"])
@pytest.mark.parametrize("shape,weight_shape", [((N,), (N,)), ((N, 3), (N,)), ((N, 3), (N, 3)), ((N, 3, 2), (N, 1))])
def test_reductions_match_keras(name, shape, weight_shape):
    ours, theirs = getattr(wg.metrics, name)(), getattr(keras.metrics, name)()
    for _ in range(3):
        v, w = RNG.normal(size=shape).astype(np.float32), RNG.uniform(0, 2, weight_shape).astype(np.float32)
        ours.update_state(v, sample_weight=w)
        theirs.update_state(v, sample_weight=w)
        ours.update_state(v)
        theirs.update_state(v)
    # float32 totals of values of both signs: the rounding is relative to sum(|v|), not to the result
    np.testing.assert_allclose(ours.result(), np.asarray(theirs.result()), rtol=1e-6, atol=1e-5)


def test_default_names_match_keras():
    for name in ["MeanSquaredError", "MeanAbsoluteError", "RootMeanSquaredError", "MeanAbsolutePercentageError",
                 "MeanSquaredLogarithmicError", "F1Score", "FBetaScore", "BinaryAccuracy", "CategoricalAccuracy",
                 "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "Mean",
                 "Sum", "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
                 "CosineSimilarity", "LogCoshError", "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence",
                 "Poisson", "R2Score", "PearsonCorrelation", "ConcordanceCorrelation"]:
        assert getattr(wg.metrics, name)().name == getattr(keras.metrics, name)().name, name
    # classes without a default name are named after the class, counted per process like layers
    for name, base in [("Precision", "precision"), ("Recall", "recall"), ("AUC", "auc"),
                       ("TruePositives", "true_positives"), ("FalseNegatives", "false_negatives")]:
        assert getattr(wg.metrics, name)().name.startswith(base)
        assert getattr(keras.metrics, name)().name.startswith(base)


def _fit_logs(lib, metrics, binary=True):
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32") if binary else (x[:, 0] > 0).astype("int32")
    units, act, loss = (1, "sigmoid", "binary_crossentropy") if binary else (2, "softmax",
                                                                              "sparse_categorical_crossentropy")
    model = lib.Sequential([lib.layers.Input((4,)), lib.layers.Dense(units, activation=act)])
    model.compile(optimizer="adam", loss=loss, metrics=metrics(lib))
    return model.fit(x, y, epochs=1, batch_size=16, verbose=0).history


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "sparse"])
def test_compile_log_names_match_keras(binary):
    def metrics(lib):
        if binary:  # regression and threshold metrics need labels shaped like the predictions
            names = ["acc", "mae", "mse", "mape", "msle", "binary_accuracy", "precision", "recall", "auc", "AUC",
                     "true_positives", "bce", "Recall"]
            objs = [lib.metrics.MeanSquaredError(), lib.metrics.F1Score(average="micro", threshold=0.5),
                    lib.metrics.AUC(curve="PR", name="pr_auc"),
                    lib.metrics.BinaryAccuracy(threshold=0.3, name="acc_at_0.3")]
        else:
            names = ["accuracy", "sparse_categorical_accuracy", "sparse_categorical_crossentropy"]
            objs = [lib.metrics.SparseTopKCategoricalAccuracy(k=1), lib.metrics.SparseCategoricalAccuracy("sca")]
        return names + objs

    ours, theirs = _fit_logs(wg, metrics, binary), _fit_logs(keras, metrics, binary)
    assert sorted(ours) == sorted(theirs)


def test_accuracy_picks_the_kind_from_the_shapes_like_keras():
    probs = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]], np.float32)
    for t, p in [(np.array([1, 1]), probs), (np.array([[1], [1]]), probs), (np.eye(3)[[1, 2]], probs),
                 (np.array([1, 0]), np.array([[0.7], [0.2]], np.float32)),
                 (np.array([[1, 0]]), np.array([[0.7, 0.8]]))]:
        m = wg.metrics.get("accuracy")
        m.update_state(t, p)
        kt, kp = keras.ops.convert_to_tensor(t), keras.ops.convert_to_tensor(p)
        from keras.src.trainers.compile_utils import get_metric

        km = get_metric("accuracy", kt, kp)
        km.update_state(t, p)
        assert m.result() == pytest.approx(float(km.result())), (t, p)


def test_get_resolves_like_keras_and_lists_valid_names():
    assert isinstance(wg.metrics.get("mape"), wg.metrics.MeanAbsolutePercentageError)
    assert isinstance(wg.metrics.get("FalseNegatives"), wg.metrics.FalseNegatives)
    assert wg.metrics.get(wg.metrics.Recall).name.startswith("recall")
    m = wg.metrics.get(wg.metrics.serialize(wg.metrics.Precision(thresholds=[0.2, 0.6], name="p2")))
    assert (type(m), m.name, m.thresholds) == (wg.metrics.Precision, "p2", [0.2, 0.6])

    def my_error(y_true, y_pred):
        return np.abs(np.asarray(y_true) - np.asarray(y_pred))

    assert wg.metrics.get(my_error).name == "my_error"
    with pytest.raises(ValueError, match=r"unknown metric 'acuracy'; valid: accuracy, acc, .*AUC"):
        wg.metrics.get("acuracy")
    with pytest.raises(NotImplementedError, match=r"label_smoothing=0\.1.*not supported yet"):
        wg.metrics.BinaryCrossentropy(label_smoothing=0.1)


def _binary_true_positives(base, ops):
    """The subclass example of keras.metrics.Metric's docstring, on ``base`` and ``ops``."""

    class BinaryTruePositives(base):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = ops.cast(y_true, "bool")
            y_pred = ops.cast(y_pred, "bool")
            values = ops.logical_and(ops.equal(y_true, True), ops.equal(y_pred, True))
            values = ops.cast(values, self.dtype)
            if sample_weight is not None:
                sample_weight = ops.cast(sample_weight, self.dtype)
                sample_weight = ops.broadcast_to(sample_weight, ops.shape(values))
                values = ops.multiply(values, sample_weight)
            self.true_positives.assign(self.true_positives + ops.sum(values))

        def result(self):
            return self.true_positives

    return BinaryTruePositives


class _NumpyOps:
    """The few keras.ops the docs example uses, in numpy: the subclass API without wg.ops."""

    cast = staticmethod(lambda x, dtype: np.asarray(x).astype(dtype))
    logical_and, equal, multiply, sum = np.logical_and, np.equal, np.multiply, np.sum
    broadcast_to, shape = np.broadcast_to, np.shape


SUBCLASS_BATCHES = _batches("binary_flat", 2)


def _subclass_api_run(metric_cls):
    m = metric_cls()
    trace = []
    for t, p, w in SUBCLASS_BATCHES:
        pred = (p > 0.5).astype(np.float32)
        m.update_state(t, pred, sample_weight=w)
        trace.append(float(m.result()))
    m.reset_state()
    trace.append(float(m.result()))
    config = m.get_config()
    return trace, config, [tuple(v.shape) for v in m.variables], m.dtype


@pytest.mark.parametrize("ops_kind", ["numpy", "wg.ops"])
def test_custom_metric_subclass_from_the_keras_docs(ops_kind):
    ops = _NumpyOps if ops_kind == "numpy" else wg.ops
    if ops_kind == "wg.ops" and not all(hasattr(wg.ops, f) for f in ("cast", "logical_and", "broadcast_to")):
        pytest.skip("wg.ops does not have the functions of this example yet")
    ours = _subclass_api_run(_binary_true_positives(wg.metrics.Metric, ops))
    theirs = _subclass_api_run(_binary_true_positives(keras.metrics.Metric, keras.ops))
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    assert ours[1:] == theirs[1:]
    assert _binary_true_positives(wg.metrics.Metric, ops).from_config(ours[1]).name == "binary_true_positives"


def test_custom_metric_subclass_in_compile_and_fit():
    cls = _binary_true_positives(wg.metrics.Metric, _NumpyOps)
    history = _fit_logs(wg, lambda lib: [cls()], binary=True)
    assert set(history) >= {"binary_true_positives", "loss"}
    assert isinstance(history["binary_true_positives"][0], float)


def test_metric_without_super_init_says_so():
    class Broken(wg.metrics.Metric):
        def __init__(self):
            self.v = self.add_variable(shape=(), initializer="zeros")

    with pytest.raises(RuntimeError, match="super"):
        Broken()


def test_metrics_in_a_custom_training_loop_take_webgrad_tensors():
    """The Keras guide's loop: metrics updated on the model's outputs (webgrad Tensors) and the loss."""
    wg.utils.set_random_seed(0)
    model = wg.Sequential([wg.layers.Input((4,)), wg.layers.Dense(K, activation="softmax")])
    optimizer, loss_fn = wg.optimizers.Adam(0.01), wg.losses.SparseCategoricalCrossentropy()
    ours = [wg.metrics.SparseCategoricalAccuracy(), wg.metrics.SparseTopKCategoricalAccuracy(k=2),
            wg.metrics.SparseCategoricalCrossentropy()]
    theirs = [keras.metrics.SparseCategoricalAccuracy(), keras.metrics.SparseTopKCategoricalAccuracy(k=2),
              keras.metrics.SparseCategoricalCrossentropy()]
    loss_tracker, keras_tracker = wg.metrics.Mean(name="loss"), keras.metrics.Mean(name="loss")
    for _ in range(3):
        x = RNG.normal(size=(N, 4)).astype(np.float32)
        y = RNG.integers(0, K, N)
        with wg.GradientTape() as tape:
            probs = model(x, training=True)
            loss = wg.losses.mean(loss_fn(y, probs))  # webgrad losses give per-example values
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights, strict=True))
        assert isinstance(probs, wg.tensor.Tensor)
        for m, km in zip(ours, theirs, strict=True):
            m.update_state(y, probs)
            km.update_state(y, np.asarray(probs))
        loss_tracker.update_state(loss)
        keras_tracker.update_state(np.asarray(loss))
    for m, km in zip([*ours, loss_tracker], [*theirs, keras_tracker], strict=True):
        _close(m.result(), km.result())
        assert f"{float(m.result()):.4f}"  # the guide prints float(metric.result())


def test_auc_from_logits_takes_extreme_logits_without_overflow():
    m, km = wg.metrics.AUC(from_logits=True), keras.metrics.AUC(from_logits=True)
    logits = np.array([-1000.0, -3.0, 2.0, 1000.0], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's exp(1000) overflow would be a RuntimeWarning
        m.update_state([0, 1, 0, 1], logits)
    km.update_state([0, 1, 0, 1], logits)
    _close(m.result(), km.result())


@pytest.mark.parametrize("case", [*CASES[::2], ("Mean", {}, None), ("Sum", {}, None)],
                         ids=[*[_ids(c) for c in CASES[::2]], "Mean", "Sum"])
def test_config_keys_match_keras_and_round_trip(case):
    name, kw, _ = case
    ours, theirs = getattr(wg.metrics, name)(**kw), getattr(keras.metrics, name)(**kw)
    assert sorted(ours.get_config()) == sorted(theirs.get_config())
    again = type(ours).from_config(ours.get_config())
    assert again.get_config() == ours.get_config() and type(again) is type(ours)


def test_compile_repeated_metric_names_get_keras_suffixes():
    def metrics(lib):
        lib.utils.clear_session()  # automatic names (precision, precision_1…) count from here in both libraries
        return ["binary_accuracy", lib.metrics.BinaryAccuracy(threshold=0.3), "precision", lib.metrics.Precision(),
                lib.metrics.Precision(name="precision")]

    ours, theirs = _fit_logs(wg, metrics), _fit_logs(keras, metrics)
    assert sorted(ours) == sorted(theirs)


@pytest.mark.parametrize("fn,kind,kwargs", [
    ("binary_crossentropy", "multilabel", {}), ("binary_crossentropy", "logits", {"from_logits": True}),
    ("categorical_crossentropy", "onehot", {}), ("sparse_categorical_crossentropy", "sparse", {}),
    ("sparse_categorical_crossentropy", "sparse_logits", {"from_logits": True}), ("hinge", "binary", {}),
    ("kl_divergence", "onehot", {}), ("poisson", "regression", {}), ("mean_absolute_error", "regression", {}),
    ("mean_squared_logarithmic_error", "regression", {}), ("pearson_correlation", "regression", {}),
    ("sparse_top_k_categorical_accuracy", "sparse", {"k": 2}), ("binary_accuracy", "binary", {}),
])
def test_metric_functions_match_keras(fn, kind, kwargs):
    t, p, _ = _batches(kind, 1)[0]
    np.testing.assert_allclose(getattr(wg.metrics, fn)(t, p, **kwargs),
                               np.asarray(getattr(keras.metrics, fn)(t, p, **kwargs)), rtol=1e-5, atol=1e-6)
