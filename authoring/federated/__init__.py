"""Federated learning with webgrad: a server that trains a bundle's weights across browsers, Node.js and
Python clients (FedAvg and server optimizers, user-level differential privacy, secure aggregation), and a
simulator that runs many clients in one process. See docs/federated.md.

Every public name is imported on first use, as in the package facade.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module (under webgrad.federated) that defines it
_LAZY: dict[str, str] = {
    "AdaptiveClipping": "dp",
    "DPFedAvg": "dp",
    "FedAdagrad": "strategies",
    "FedAdam": "strategies",
    "FedAvg": "strategies",
    "FedProx": "strategies",
    "FedYogi": "strategies",
    "History": "simulate",
    "LocalResult": "local",
    "simulate": "simulate",
    "train_local": "local",
    "weighted_mean": "strategies",
    "SecAggClient": "secagg",
    "SecAggError": "secagg",
    "SecAggServer": "secagg",
    "round_config": "secagg",
    "Client": "client",
    "Server": "server",
    "ServerError": "client",
    "issue_token": "tokens",
    "revoke_token": "tokens",
}

# submodules reachable as attributes (``wg.federated.partition.iid(...)``)
_SUBMODULES = ("dp", "partition", "secagg", "strategies")

__all__ = sorted([*_LAZY, *_SUBMODULES])


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
