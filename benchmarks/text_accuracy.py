"""Text classification accuracy on the fixed test splits (issue 18), webgrad next to scikit-learn.

    python3 benchmarks/text_accuracy.py            # both data sets (~5 min on 2 shared cores)
    python3 benchmarks/text_accuracy.py --only rotten_tomatoes --json build/text_accuracy.json

Rotten Tomatoes: the model of examples/text/sentiment.py (TextVectorization -> Embedding(mask_zero) ->
masked mean -> softmax), against scikit-learn's TF-IDF + LogisticRegression with their defaults on the
same split (also with word bigrams, printed for reference). Targets: >= 78% and within 1 point of (or
better than) the default TF-IDF + LogisticRegression. SpamAssassin: the same model reading the first
256 tokens of each email, with a larger learning rate; target >= 97%. Prints a table and one JSON line;
never fails a build.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from pathlib import Path

import numpy as np

import webgrad as wg

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    # name: (make_model keyword arguments, epochs, target accuracy)
    "rotten_tomatoes": ({}, None, 0.78),
    "spam_assassin": ({"max_tokens": 20_000, "sequence_length": 256, "learning_rate": 3e-3}, 4, 0.97),
}


def _sentiment_example():
    """examples/text/sentiment.py as a module: the one definition of the model and its settings."""
    spec = importlib.util.spec_from_file_location("sentiment_example", ROOT / "examples" / "text" / "sentiment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sklearn_baselines(x_train, y_train, x_test, y_test) -> dict[str, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    out = {}
    for label, ngrams in (("tfidf_logreg", (1, 1)), ("tfidf_logreg_bigrams", (1, 2))):
        vectorizer = TfidfVectorizer(ngram_range=ngrams)
        clf = LogisticRegression(max_iter=2000).fit(vectorizer.fit_transform(x_train), y_train)
        out[label] = float((clf.predict(vectorizer.transform(x_test)) == y_test).mean())
    return out


def webgrad_accuracy(name: str, example, x_train, y_train, x_test, y_test) -> tuple[float, float]:
    kwargs, epochs, _ = SETS[name]
    wg.set_seed(0)
    start = time.perf_counter()
    model = example.make_model(x_train, **kwargs)
    model.fit(x_train, y_train, batch_size=32, epochs=epochs or example.EPOCHS, verbose=0)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return float(accuracy), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(SETS), action="append", help="run only this data set")
    parser.add_argument("--json", metavar="FILE", help="also write the results here")
    args = parser.parse_args()
    example = _sentiment_example()
    results = {}
    for name in args.only or list(SETS):
        (x_train, y_train), (x_test, y_test) = wg.datasets.load(name)
        accuracy, seconds = webgrad_accuracy(name, example, x_train, y_train, x_test, y_test)
        baselines = sklearn_baselines(x_train, y_train, x_test, y_test)
        target = SETS[name][2]
        ok = accuracy >= target and (name != "rotten_tomatoes" or accuracy >= baselines["tfidf_logreg"] - 0.01)
        results[name] = {"webgrad": accuracy, **baselines, "train_seconds": round(seconds, 1),
                         "n_train": len(y_train), "n_test": len(y_test), "target": target, "meets_target": ok}
        sk, sk_bi = baselines["tfidf_logreg"], baselines["tfidf_logreg_bigrams"]
        print(f"{name:16s} webgrad {accuracy:.2%} (trained in {seconds:.0f} s) | scikit-learn TF-IDF + "
              f"LogisticRegression {sk:.2%} (with bigrams {sk_bi:.2%}) | target >= {target:.0%}: "
              f"{'met' if ok else 'NOT met'}", flush=True)
    print(json.dumps(results))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
