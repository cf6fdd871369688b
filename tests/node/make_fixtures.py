"""Writes the end-to-end fixtures for the Node test suite: bundles exported by Python and the numpy
runner's outputs for fixed inputs, so the npm package can be checked against the reference.

    python3 tests/node/make_fixtures.py OUTDIR

OUTDIR gets one bundle directory per model and quantization (``mlp-float32``, ``cnn-int8``, ...), the
inputs and the Python runner's outputs as little-endian float32 ``.bin`` files, ``digit.npy`` and
``digit.json`` (a raw 28x28 image in [0, 255] for the CLI) and ``fixtures.json`` describing it all.
Deterministic: the same webgrad gives the same files.

Training parity fixtures (``fixtures.json`` key ``"training"``, a list; one entry per trainable bundle
``mlp-train-sgd``, ``mlp-train-adam``, ``cnn-train-sgd``, ``cnn-train-adam``, ``mobilenet-train-adam``):
each bundle is exported with ``wg.export(..., trainable=True)`` from the model as it is before training,
then the Python numpy backend trains that model with its own ``fit`` on fixed batches, one batch per
``fit`` call (no shuffle), so the trajectory is what Python really does. Dropout and BatchNormalization
are left out (the runtime fine-tunes without dropout and with BatchNorm in inference form). An entry:

    {"name": "mlp-train-adam", "bundle": "mlp-train-adam", "optimizer": "adam", "steps": 20, "batchSize": 8,
     "x": "mlp-train-adam-x.bin", "xShape": [160, 20],        # float32, the batches one after another
     "labels": "mlp-train-adam-labels.bin", "labelsShape": [160],  # int32 class indices
     "losses": "mlp-train-adam-losses.bin", "lossesShape": [20],   # float32: each step's mean batch loss,
                                                                  # at the weights before that step
     "weights": "mlp-train-adam-weights.bin",                     # float32: the trainable weights after
     "weightsLayout": [{"name": "dense/kernel", "shape": [20, 32], "offset": 0}, ...],  # all steps, in
                                                                  # training.trainable order; offset in elements
     "iterations": 20}

Step ``k`` (0-based) trains on rows ``[k * batchSize, (k + 1) * batchSize)`` of ``x`` and ``labels``.
All ``.bin`` files are little-endian.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import webgrad as wg
from webgrad.exporter import load_bundle

QUANTIZE = (None, "float16", "int8")


def _mlp() -> wg.Model:
    inp = wg.Input((20,))
    h = wg.layers.Dense(32, activation="gelu")(inp)
    h = wg.layers.LayerNormalization()(h)
    h = wg.layers.Dense(16, activation="tanh")(h)
    out = wg.layers.Dense(5, activation="softmax")(h)
    return wg.Model(inp, out, name="mlp")


def _train_step(model: wg.Model, shape: tuple, classes: int, rng: np.random.Generator) -> None:
    """One optimizer step on random data, so BatchNorm statistics and weights are non-trivial."""
    x = rng.uniform(0, 1, (16, *shape)).astype(np.float32)
    y = rng.integers(0, classes, 16).astype(np.int32)
    model.compile(optimizer=wg.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)


def _models(rng: np.random.Generator) -> list[tuple[str, wg.Model, tuple, dict]]:
    digits = {"labels": [str(d) for d in range(10)], "preprocessing": {"scale": 1 / 255}}
    mlp = _mlp()
    _train_step(mlp, (20,), 5, rng)
    cnn = wg.zoo.mnist_cnn()
    mobile = wg.zoo.mobilenet_v2_style((16, 16, 3), classes=4, width=8)
    _train_step(mobile, (16, 16, 3), 4, rng)
    return [
        ("mlp", mlp, (3, 20), {"labels": ["a", "b", "c", "d", "e"]}),
        ("cnn", cnn, (2, 28, 28, 1), digits),
        ("mobilenet", mobile, (2, 16, 16, 3), {"labels": ["w", "x", "y", "z"]}),
    ]


def _write_bin(path: Path, a: np.ndarray, dtype: str = "<f4") -> str:
    path.write_bytes(np.ascontiguousarray(a, dtype=dtype).tobytes())
    return path.name


TRAIN_STEPS, TRAIN_BATCH = 20, 8


def _small_mobilenet(input_shape: tuple = (16, 16, 3), classes: int = 4, width: int = 8) -> wg.Model:
    """A small MobileNetV2-style net without BatchNormalization: inverted residual blocks (1x1 expand,
    depthwise 3x3, 1x1 project) with Relu6, a residual Add, global average pooling."""
    layers = wg.layers

    def block(x: object, expand: int, out: int, stride: int) -> object:
        c = x.shape[-1]
        h = layers.Conv2D(c * expand, 1, activation="relu6")(x)
        h = layers.DepthwiseConv2D(3, strides=stride, padding="same", activation="relu6")(h)
        h = layers.Conv2D(out, 1)(h)
        return layers.Add()([x, h]) if stride == 1 and c == out else h

    inp = layers.Input(input_shape)
    x = layers.Conv2D(width, 3, strides=2, padding="same", activation="relu6")(inp)
    x = block(x, 1, width, 1)
    x = block(x, 4, width * 2, 2)
    x = block(x, 4, width * 2, 1)
    x = layers.GlobalAveragePooling2D()(x)
    out = layers.Dense(classes, activation="softmax")(x)
    return wg.Model(inp, out, name="mobilenet_train")


def _training_models() -> list[tuple[str, object, tuple, int, object]]:
    """(name, model builder, input shape, classes, optimizer builder) of each training fixture."""
    return [
        ("mlp-train-sgd", _mlp, (20,), 5, lambda: wg.optimizers.SGD(0.1, momentum=0.9, nesterov=True)),
        ("mlp-train-adam", _mlp, (20,), 5, lambda: wg.optimizers.Adam(1e-3)),
        ("cnn-train-sgd", wg.zoo.mnist_cnn, (28, 28, 1), 10, lambda: wg.optimizers.SGD(0.05, momentum=0.9)),
        ("cnn-train-adam", wg.zoo.mnist_cnn, (28, 28, 1), 10, lambda: wg.optimizers.Adam(1e-3)),
        ("mobilenet-train-adam", _small_mobilenet, (16, 16, 3), 4, lambda: wg.optimizers.Adam(1e-3)),
    ]


def write_training_fixtures(out: Path) -> list[dict]:
    """Writes the training parity fixtures into ``out`` (see the module doc); returns their entries."""
    from webgrad.exporter.capture import capture_with_weights

    entries = []
    for i, (name, build, shape, classes, make_optimizer) in enumerate(_training_models()):
        wg.set_seed(100 + i)
        rng = np.random.default_rng(100 + i)
        model = build()
        model.compile(optimizer=make_optimizer(), loss="sparse_categorical_crossentropy")
        wg.export(model, out / name, trainable=True, verbose=0)
        n = TRAIN_STEPS * TRAIN_BATCH
        x = rng.uniform(0, 1, (n, *shape)).astype(np.float32)
        y = rng.integers(0, classes, n).astype(np.int32)
        losses = []
        for k in range(TRAIN_STEPS):
            rows = slice(k * TRAIN_BATCH, (k + 1) * TRAIN_BATCH)
            history = model.fit(x[rows], y[rows], batch_size=TRAIN_BATCH, epochs=1, shuffle=False, verbose=0)
            losses.append(history.history["loss"][0])
        trainable = json.loads((out / name / "model.json").read_text())["training"]["trainable"]
        _, weights = capture_with_weights(model)
        layout, offset, parts = [], 0, []
        for w in trainable:
            value = np.asarray(weights[w].data, np.float32)
            layout.append({"name": w, "shape": list(value.shape), "offset": offset})
            offset += value.size
            parts.append(value.ravel())
        entries.append({
            "name": name, "bundle": name, "optimizer": model.optimizer.name, "steps": TRAIN_STEPS,
            "batchSize": TRAIN_BATCH,
            "x": _write_bin(out / f"{name}-x.bin", x), "xShape": list(x.shape),
            "labels": _write_bin(out / f"{name}-labels.bin", y, "<i4"), "labelsShape": list(y.shape),
            "losses": _write_bin(out / f"{name}-losses.bin", np.array(losses)), "lossesShape": [TRAIN_STEPS],
            "weights": _write_bin(out / f"{name}-weights.bin", np.concatenate(parts)), "weightsLayout": layout,
            "iterations": model.optimizer.iterations,
        })
    return entries


TEXT_TRAIN = ["a great film with a great cast", "a dull and boring film", "the acting was great", "boring plot",
              "what a delightful movie", "terrible, just terrible!", "great fun", "dull"]
TEXT_PROBES = ["What a GREAT film!", "unseen words only", "", "boring " * 20,
               "Caf\u00e9 \u00a0cr\u00e8me \u2014 \U0001f600"]


def write_text_fixtures(out: Path) -> list[dict]:
    """Text bundles (formatVersion 3, tests/bundle_cases/tokenizer.json uses ``text-float32``):
    ``text-float32`` (TextVectorization, WordLevel, 8 ids per text into input ``text``) and
    ``text-wordpiece-int8`` (a trained WordPieceTokenizer, 12 ids, int8 weights), and ``text-float32-trainable``
    (the first as a trainable bundle). Each entry lists the
    probe ``texts``, the Python runner's ids (``ids``, int32 ``[len(texts), sequenceLength]``) and its
    outputs (``output``, float32)."""
    wg.set_seed(11)
    tv = wg.layers.TextVectorization(max_tokens=40, output_sequence_length=8)
    tv.adapt(TEXT_TRAIN)
    wp = wg.text.WordPieceTokenizer.train(TEXT_TRAIN, vocab_size=60, sequence_length=12)
    entries = []
    for name, vectorizer, vocab, q in (("text-float32", tv, 40, None),
                                       ("text-wordpiece-int8", wg.layers.TextVectorization.from_tokenizer(wp), 60,
                                        "int8")):
        model = wg.Sequential([wg.Input((1,), dtype="string", name="text"), vectorizer,
                               wg.layers.Embedding(vocab, 8), wg.layers.GlobalAveragePooling1D(),
                               wg.layers.Dense(2, activation="softmax")])
        model.compile(optimizer=wg.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
        model.fit(TEXT_TRAIN, np.arange(len(TEXT_TRAIN)) % 2, epochs=2, verbose=0)
        wg.export(model, out / name, quantize=q, labels=["negative", "positive"], verbose=0)
        if q is None:  # the same model as a trainable text bundle (fit and toBundle in the runtime)
            wg.export(model, out / f"{name}-trainable", trainable=True, labels=["negative", "positive"], verbose=0)
        runner = load_bundle(out / name)
        ids, y = runner.tokenize(TEXT_PROBES), np.asarray(runner.predict(TEXT_PROBES))
        entries.append({"name": name, "bundle": name, "texts": TEXT_PROBES,
                        "ids": _write_bin(out / f"{name}-ids.bin", ids, "<i4"), "idsShape": list(ids.shape),
                        "output": _write_bin(out / f"{name}-output.bin", y), "outputShape": list(y.shape)})
    return entries


def main(out: Path) -> None:
    """Writes every fixture into ``out`` (created if missing)."""
    out.mkdir(parents=True, exist_ok=True)
    wg.set_seed(7)
    rng = np.random.default_rng(7)
    cases = []
    for name, model, in_shape, meta in _models(rng):
        x = rng.uniform(0, 1, in_shape).astype(np.float32)
        x_file = _write_bin(out / f"{name}-input.bin", x)
        for q in QUANTIZE:
            label = f"{name}-{q or 'float32'}"
            wg.export(model, out / label, quantize=q, labels=meta["labels"],
                      preprocessing=meta.get("preprocessing"), verbose=0)
            y = np.asarray(load_bundle(out / label).predict(x))
            cases.append({"name": label, "bundle": label, "quantize": q or "float32", "input": x_file,
                          "inputShape": list(in_shape), "output": _write_bin(out / f"{label}-output.bin", y),
                          "outputShape": list(y.shape)})
    # A raw digit-like image for the CLI and classify(): pixels in [0, 255], batch of one.
    img = np.zeros((28, 28), np.uint8)
    img[6:22, 12:16] = 255
    img[4:8, 10:18] = rng.integers(100, 256, (4, 8))
    np.save(out / "digit.npy", img.reshape(1, 28, 28, 1))
    (out / "digit.json").write_text(json.dumps({"data": img.ravel().tolist(), "shape": [1, 28, 28, 1]}))
    probs = np.asarray(load_bundle(out / "cnn-float32").predict(img.reshape(1, 28, 28, 1).astype(np.float32) / 255))
    _write_bin(out / "digit-probs.bin", probs)
    training = write_training_fixtures(out)
    text = write_text_fixtures(out)
    (out / "fixtures.json").write_text(json.dumps({"cases": cases, "digit": {
        "npy": "digit.npy", "json": "digit.json", "probs": "digit-probs.bin", "bundle": "cnn-float32"},
        "training": training, "text": text}, indent=1))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 tests/node/make_fixtures.py OUTDIR")
    main(Path(sys.argv[1]))
