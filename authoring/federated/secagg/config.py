"""The round configuration of secure aggregation: who takes part, the vector length, the clip range,
the threshold and the fixed-point scale. The server makes it, sends it in the task (``"secagg"``), and
every client and the server check each message against it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from webgrad.federated.secagg.errors import SecAggError
from webgrad.federated.secagg.primitives import PROTOCOL

SIGNED_MAX = 2**31 - 1  # the sum of the coordinate words must stay in the signed 32-bit range
MAX_FRAC_BITS = 52
_ID = re.compile(r"[!-{}~]+")  # printable ASCII but space and '|'


def frac_bits_for(clients: int, clip_range: float) -> int:
    """The largest ``f`` (at most 52) such that ``clients`` coordinates of magnitude ``clip_range``
    encoded as ``floor(v * 2^f + 0.5)`` sum to at most ``2^31 - 1`` in magnitude.

    >>> frac_bits_for(10, 1.0)
    27
    """
    f = min(MAX_FRAC_BITS, math.floor(math.log2(SIGNED_MAX / clients / clip_range)) + 1)
    while f >= 0 and clients * math.floor(clip_range * 2.0**f + 0.5) > SIGNED_MAX:
        f -= 1
    if f < 0:
        raise ValueError(f"clip_range: {clip_range} is too large for {clients} clients in 32-bit fixed point "
                         f"(need clients * clip_range < 2^31)")
    return f


def round_config(round: int, client_ids: Sequence[str], length: int, clip_range: float,
                 threshold: int | None = None) -> dict[str, Any]:
    """The JSON-able secure-aggregation config of one round.

    ``client_ids``: the participants (ids as strings, sorted in the config); ``length``: the update
    vector's length (the masked vector has one more word, the weight); ``clip_range``: R, each
    coordinate of ``weight * update`` is clipped to [-R, R]; ``threshold``: t, how many clients must
    stay to the end (default ``len(client_ids) // 2 + 1``; it must exceed half of them, so that two
    disjoint groups can never both reach it).

    >>> cfg = round_config(1, ["b", "a", "c"], 10, 4.0)
    >>> cfg["clientIds"], cfg["threshold"], cfg["fracBits"], cfg["maxWeight"]
    (['a', 'b', 'c'], 2, 27, 1431655765)
    """
    if isinstance(round, bool) or not isinstance(round, int) or round < 0:
        raise ValueError(f"round: expected a non-negative int, got {round!r}")
    ids = [str(c) for c in client_ids]
    if len(ids) < 2 or len(set(ids)) != len(ids):
        raise ValueError(f"client_ids: expected at least 2 distinct ids, got {ids!r}")
    if not all(_ID.fullmatch(c) for c in ids):
        raise ValueError(f"client_ids: ids must be printable ASCII without spaces or '|' (which separates the fields "
                         f"of key derivations; ASCII sorts the same in Python and JS), got {ids!r}")
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise ValueError(f"length: expected a positive int, got {length!r}")
    if not (isinstance(clip_range, (int, float)) and math.isfinite(clip_range) and clip_range > 0):
        raise ValueError(f"clip_range: expected a positive finite number, got {clip_range!r}")
    n = len(ids)
    t = n // 2 + 1 if threshold is None else threshold
    if isinstance(t, bool) or not isinstance(t, int) or not n / 2 < t <= n:
        raise ValueError(f"threshold: expected an int in ({n / 2}, {n}] for {n} clients, got {threshold!r}")
    return {
        "protocol": PROTOCOL,
        "round": round,
        "clientIds": sorted(ids),
        "length": length,
        "clipRange": float(clip_range),
        "threshold": t,
        "fracBits": frac_bits_for(n, float(clip_range)),
        "maxWeight": (2**32 - 1) // n,
    }


def check_config(config: Any) -> dict[str, Any]:
    """``config`` if it has the fields and types :func:`round_config` makes; else ``SecAggError``."""
    if not isinstance(config, dict) or config.get("protocol") != PROTOCOL:
        raise SecAggError("EMALFORMED", f"secagg config: expected a dict with protocol {PROTOCOL!r}")
    try:
        again = round_config(config["round"], config["clientIds"], config["length"], config["clipRange"],
                             config["threshold"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SecAggError("EMALFORMED", f"secagg config: {exc}") from exc
    if again != {k: config.get(k) for k in again}:
        raise SecAggError("EMALFORMED", "secagg config: fracBits, maxWeight or the id order do not match round_config")
    return again
