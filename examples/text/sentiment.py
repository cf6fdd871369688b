"""Sentiment of movie-review snippets (Rotten Tomatoes): train, evaluate, export a web bundle.

    python3 examples/text/sentiment.py                      # trains (~2.5 min), prints the accuracy (78.1%)
    python3 examples/text/sentiment.py --export build/bundles/text-sentiment   # ... and writes the bundle

The model is fastText-style: the mean of the word embeddings (padding masked out) into a softmax. The
TextVectorization layer becomes the bundle's tokenizer, so in JS ``await model.classify("a gem")`` gives
``[{label: "fresh", ...}]``. Six epochs were chosen on a 10% validation split of the training set.
"""

from __future__ import annotations

import argparse

import webgrad as wg

LABELS = ["rotten", "fresh"]  # label 1 = fresh
MAX_TOKENS, SEQUENCE_LENGTH, EMBED_DIM, EPOCHS = 20_000, 48, 16, 6


def make_model(train_texts, max_tokens: int = MAX_TOKENS, sequence_length: int = SEQUENCE_LENGTH,
               embed_dim: int = EMBED_DIM, learning_rate: float = 1e-3) -> wg.Model:
    """The compiled model: raw strings in, two class probabilities out (vocabulary adapted on ``train_texts``)."""
    vectorize = wg.layers.TextVectorization(max_tokens=max_tokens, output_sequence_length=sequence_length)
    vectorize.adapt(train_texts)
    model = wg.Sequential([
        wg.Input(shape=(1,), dtype="string", name="text"),
        vectorize,
        wg.layers.Embedding(max_tokens, embed_dim, mask_zero=True),
        wg.layers.GlobalAveragePooling1D(),  # a mean over the words only (the mask drops the padding)
        wg.layers.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer=wg.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--export", metavar="DIR", help="write the bundle (int8 weights) here")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()

    wg.set_seed(0)
    (x_train, y_train), (x_test, y_test) = wg.datasets.rotten_tomatoes()
    model = make_model(x_train)
    model.fit(x_train, y_train, batch_size=32, epochs=args.epochs, verbose=2)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy {accuracy:.2%} on {len(x_test)} snippets")
    print(model.predict(["A delightful, moving film.", "Dull and far too long."], verbose=0).round(3))
    if args.export:
        wg.export(model, args.export, quantize="int8", labels=LABELS, verbose=1)


if __name__ == "__main__":
    main()
