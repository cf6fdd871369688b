"""Training from a keras.utils.PyDataset and from a Python generator, with steps_per_epoch,
validation_steps and initial_epoch (keras.io "Training & evaluation with the built-in methods")."""

import json
import math

import keras
from _data import blobs
from keras import layers


class BlobSequence(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        lo = idx * self.batch_size
        hi = min(lo + self.batch_size, len(self.x))
        return self.x[lo:hi], self.y[lo:hi]


def generator(x, y, batch_size):
    while True:
        for i in range(0, len(x), batch_size):
            yield x[i:i + batch_size], y[i:i + batch_size]


keras.utils.set_random_seed(0)
x, y = blobs()
model = keras.Sequential([
    keras.Input(shape=(16,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(2, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
h1 = model.fit(BlobSequence(x[:1000], y[:1000], 32), epochs=2, verbose=0)
h2 = model.fit(generator(x[:1000], y[:1000], 32), steps_per_epoch=20, epochs=4, initial_epoch=2,
               validation_data=generator(x[1000:], y[1000:], 50), validation_steps=4, verbose=0)
loss, acc = model.evaluate(BlobSequence(x[1000:], y[1000:], 50), verbose=0)
print("RESULT", json.dumps({"epochs_first": len(h1.history["loss"]), "epochs_resumed": len(h2.history["loss"]),
                            "val_keys": sorted(k for k in h2.history if k.startswith("val_")),
                            "test_accuracy": float(acc)}))
