"""Making new layers and models via subclassing (the keras.io guide), trained on a small problem:
weights in add_weight, nested layers tracked, add_loss, a training argument, get_config."""

import json

import keras
from _data import blobs
from keras import ops


class Linear(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


class ActivityRegularizationLayer(keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(ops.square(inputs)))
        return inputs


class CustomDropout(keras.layers.Layer):
    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs, training=None):
        if training:
            return keras.random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
        return inputs


class MLPBlock(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(32)
        self.regularize = ActivityRegularizationLayer(1e-3)
        self.dropout = CustomDropout(0.2)
        self.linear_2 = Linear(32)
        self.linear_3 = Linear(2)

    def call(self, inputs):
        x = self.linear_1(inputs)
        x = keras.activations.relu(x)
        x = self.regularize(x)
        x = self.dropout(x)
        x = self.linear_2(x)
        x = keras.activations.relu(x)
        return self.linear_3(x)


class Classifier(keras.Model):
    def __init__(self):
        super().__init__()
        self.block = MLPBlock()

    def call(self, inputs):
        return ops.softmax(self.block(inputs))


keras.utils.set_random_seed(0)
x, y = blobs()
model = Classifier()
y0 = model(x[:4])
n_weights = len(model.weights)
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x[:1000], y[:1000], batch_size=32, epochs=5, verbose=0)
loss, acc = model.evaluate(x[1000:], y[1000:], verbose=0)
config = Linear(7).get_config()
print("RESULT", json.dumps({"weights": n_weights, "test_accuracy": float(acc),
                            "first_loss": float(history.history["loss"][0]), "units_in_config": config["units"]}))
