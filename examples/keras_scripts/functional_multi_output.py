"""The Functional API guide's multi-input, multi-output pattern (dict losses and loss weights), with
pooling over token embeddings instead of recurrent layers."""

import json

import keras
import numpy as np
from _data import token_sequences
from keras import layers

keras.utils.set_random_seed(0)
seqs, labels = token_sequences()
tokens = keras.utils.pad_sequences(seqs, maxlen=32)
rng = np.random.default_rng(0)
tags = rng.integers(0, 2, (len(labels), 4)).astype("float32")
priority = (labels + 0.1 * tags.sum(axis=1)).astype("float32")[:, None]

text_input = keras.Input(shape=(32,), name="text", dtype="int32")
tags_input = keras.Input(shape=(4,), name="tags")
x = layers.Embedding(200, 16)(text_input)
x = layers.GlobalAveragePooling1D()(x)
x = layers.concatenate([x, tags_input])
priority_pred = layers.Dense(1, name="priority")(x)
department_pred = layers.Dense(2, activation="softmax", name="department")(x)
outputs = {"priority": priority_pred, "department": department_pred}
model = keras.Model(inputs=[text_input, tags_input], outputs=outputs)
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-2),
    loss={"priority": keras.losses.MeanSquaredError(), "department": keras.losses.SparseCategoricalCrossentropy()},
    loss_weights={"priority": 1.0, "department": 0.5},
    metrics={"department": ["accuracy"]},
)
history = model.fit({"text": tokens[:1200], "tags": tags[:1200]},
                    {"priority": priority[:1200], "department": labels[:1200]}, epochs=4, batch_size=32, verbose=0)
logs = model.evaluate({"text": tokens[1200:], "tags": tags[1200:]},
                      {"priority": priority[1200:], "department": labels[1200:]}, return_dict=True, verbose=0)
accuracy = float(logs["department_accuracy"])
print("RESULT", json.dumps({"log_names": sorted(history.history), "department_accuracy": accuracy}))
