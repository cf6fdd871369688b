"""Callbacks and saving (keras.io guides "Writing your own callbacks", "Save, serialize, and export
models"): ModelCheckpoint best-only, EarlyStopping, ReduceLROnPlateau, CSVLogger, TerminateOnNaN,
LambdaCallback, model.save to .keras and back, save_weights/load_weights."""

import json
import os
import tempfile

import keras
import numpy as np
from _data import blobs
from keras import layers

keras.utils.set_random_seed(0)
x, y = blobs()
work = tempfile.mkdtemp()


def make_model():
    inputs = keras.Input(shape=(16,))
    h = layers.Dense(32, activation="relu")(inputs)
    outputs = layers.Dense(2, activation="softmax")(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


epochs_seen = []
model = make_model()
callbacks = [
    keras.callbacks.ModelCheckpoint(os.path.join(work, "best.keras"), monitor="val_loss", save_best_only=True),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True),
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1),
    keras.callbacks.CSVLogger(os.path.join(work, "log.csv")),
    keras.callbacks.TerminateOnNaN(),
    keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: epochs_seen.append(epoch)),
]
model.fit(x[:900], y[:900], validation_data=(x[900:1000], y[900:1000]), epochs=6, batch_size=32,
          callbacks=callbacks, verbose=0)
model.save(os.path.join(work, "final.keras"))
restored = keras.models.load_model(os.path.join(work, "final.keras"))
expected = model.predict(x[1000:], verbose=0)
same_predictions = bool(np.allclose(expected, restored.predict(x[1000:], verbose=0), atol=1e-6))
model.save_weights(os.path.join(work, "w.weights.h5"))
fresh = make_model()
fresh.load_weights(os.path.join(work, "w.weights.h5"))
same_after_weights = bool(np.allclose(expected, fresh.predict(x[1000:], verbose=0), atol=1e-6))
best = keras.models.load_model(os.path.join(work, "best.keras"))
_, acc = best.evaluate(x[1000:], y[1000:], verbose=0)
with open(os.path.join(work, "log.csv")) as f:
    header = f.readline().strip().split(",")
print("RESULT", json.dumps({"epochs_run": len(epochs_seen), "same_predictions": same_predictions,
                            "same_after_load_weights": same_after_weights, "best_accuracy": float(acc),
                            "csv_columns": sorted(header)}))
