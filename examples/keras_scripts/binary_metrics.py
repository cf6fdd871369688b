"""A binary classifier with the classification metrics of keras.metrics, and class and sample weights."""

import json

import keras
import numpy as np
from _data import blobs
from keras import layers

keras.utils.set_random_seed(0)
x, y = blobs(n=1500)
yf = y.astype("float32")
model = keras.Sequential([
    layers.Dense(16, activation="relu", input_shape=(16,)),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(
    optimizer="adam",
    loss="binary_crossentropy",
    metrics=[
        keras.metrics.BinaryAccuracy(),
        keras.metrics.Precision(),
        keras.metrics.Recall(),
        keras.metrics.AUC(),
        keras.metrics.TruePositives(),
        keras.metrics.FalseNegatives(),
        keras.metrics.MeanSquaredError(),
    ],
)
weights = np.where(y[:1200] == 1, 2.0, 1.0).astype("float32")
history = model.fit(x[:1200], yf[:1200], sample_weight=weights, epochs=4, batch_size=32, verbose=0)
model.fit(x[:1200], yf[:1200], class_weight={0: 1.0, 1: 1.5}, epochs=1, batch_size=32, verbose=0)
logs = model.evaluate(x[1200:], yf[1200:], return_dict=True, verbose=0)
print("RESULT", json.dumps({"log_names": sorted(logs), "auc": float(logs["auc"]),
                            "binary_accuracy": float(logs["binary_accuracy"])}))
