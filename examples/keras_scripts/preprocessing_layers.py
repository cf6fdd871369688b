"""Image classification with preprocessing layers in the model (keras.io "Working with preprocessing
layers"): Rescaling, Normalization.adapt, RandomFlip, SeparableConv2D, GlobalMaxPooling2D."""

import json

import keras
from _data import mnist
from keras import layers

keras.utils.set_random_seed(0)
(x_train, y_train), (x_test, y_test) = mnist(n_train=800, n_test=400)
x_train = x_train[..., None].astype("float32")
x_test = x_test[..., None].astype("float32")

norm = layers.Normalization()
norm.adapt(x_train / 255.0)
inputs = keras.Input(shape=(28, 28, 1))
x = layers.Rescaling(1.0 / 255)(inputs)
x = norm(x)
x = layers.RandomFlip("horizontal")(x)
x = layers.Conv2D(16, 3, activation="relu")(x)
x = layers.MaxPooling2D()(x)
x = layers.SeparableConv2D(32, 3)(x)
x = layers.ReLU()(x)
x = layers.GlobalMaxPooling2D()(x)
outputs = layers.Dense(10, activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=4, batch_size=32, verbose=0)
_, acc = model.evaluate(x_test, y_test, verbose=0)
print("RESULT", json.dumps({"test_accuracy": float(acc), "params": int(model.count_params())}))
