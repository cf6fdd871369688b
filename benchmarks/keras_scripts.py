"""The Keras-style scripts (examples/keras_scripts/) under keras (JAX backend) and under webgrad, with
only their import lines changed: which run unchanged, and their accuracy side by side.

    python3 benchmarks/keras_scripts.py [SCRIPT ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples" / "keras_scripts"))

from run import SCRIPTS, Outcome, run


def _score(o: Outcome) -> str:
    if not o.ok:
        return "fails"
    keys = [k for k in o.result if "accuracy" in k or k == "auc"]
    return ", ".join(f"{k} {o.result[k]:.3f}" for k in keys) or "runs"


def main() -> None:
    scripts = sys.argv[1:] or SCRIPTS
    print(f"{'script':28s} | {'keras 3 (jax)':32s} | {'webgrad':32s} | same checks | seconds (keras / webgrad)")
    unchanged = 0
    for script in scripts:
        k, w = run(script, "keras"), run(script, "webgrad")
        same = {key: k.result.get(key) == w.result.get(key) for key in k.result
                if not isinstance(k.result[key], float)} if k.ok and w.ok else {}
        unchanged += w.ok
        differs = ", ".join(f"{key} differs" for key, v in same.items() if not v)
        checks = "all" if same and all(same.values()) else differs or "-"
        print(f"{script:28s} | {_score(k):32s} | {_score(w):32s} | {checks} | {k.seconds:.1f} / {w.seconds:.1f}")
        if not w.ok:
            print(f"    webgrad: {w.error}")
    print(f"\n{unchanged} of {len(scripts)} scripts run under webgrad with only the import lines changed")


if __name__ == "__main__":
    main()
