"""The progress display of fit/evaluate/predict, on tqdm: a bar per epoch with ETA and live metrics."""

from __future__ import annotations

import sys
from typing import Any

from tqdm.auto import tqdm


def _fmt(logs: dict[str, Any]) -> str:
    # the loss first, then the rest as given (fit's logs come sorted by name, as in Keras)
    keys = sorted(logs, key=lambda k: k != "loss")
    return " - ".join(f"{k}: {logs[k]:.4f}" if isinstance(logs[k], float | int) else f"{k}: {logs[k]}"
                      for k in keys)


class Progress:
    """``verbose`` 0: silent; 1: a bar per epoch; 2: one line per epoch."""

    def __init__(self, verbose: int, total: int | None, desc: str):
        self.verbose = verbose
        self.bar = None
        if verbose == 1:
            self.bar = tqdm(total=total, desc=desc, unit="batch", file=sys.stdout, dynamic_ncols=True,
                            leave=True, mininterval=0.2)
        self.desc = desc

    def update(self, logs: dict[str, float]) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(_fmt(logs), refresh=False)
            self.bar.update(1)

    def close(self, logs: dict[str, float]) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(_fmt(logs), refresh=False)
            self.bar.close()
        elif self.verbose == 2:
            print(f"{self.desc} - {_fmt(logs)}", flush=True)


def resolve_verbose(verbose: Any) -> int:
    """Keras' ``"auto"`` is 1 (the bar)."""
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, False, True):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)
