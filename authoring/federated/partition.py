"""Splitting a labelled data set among simulated clients: each function returns one array of example
indices per client; every example goes to exactly one client.

- ``iid``: a random permutation cut into near-equal parts;
- ``pathological_non_iid``: McMahan et al. 2017's split: examples sorted by label, cut into
  ``num_clients · shards_per_client`` equal shards, each client getting ``shards_per_client`` random
  shards (so most clients see only that many labels);
- ``dirichlet``: per label, the label's examples are divided among the clients in proportions drawn from
  ``Dirichlet(alpha, ..., alpha)`` (Hsu et al. 2019): small ``alpha`` is very skewed, large ``alpha``
  approaches IID.

>>> y = np.repeat(np.arange(4), 5)
>>> [len(p) for p in iid(y, 4, seed=0)]
[5, 5, 5, 5]
"""

from __future__ import annotations

import numpy as np


def _labels(y: np.ndarray, num_clients: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:  # one-hot
        y = y.argmax(axis=1)
    y = y.reshape(-1)
    if isinstance(num_clients, bool) or not isinstance(num_clients, int | np.integer) or num_clients < 1:
        raise ValueError(f"num_clients must be an int >= 1, got {num_clients!r}")
    if num_clients > len(y):
        raise ValueError(f"num_clients={num_clients} exceeds the number of examples ({len(y)})")
    return y


def iid(y: np.ndarray, num_clients: int, seed: int | None = 0) -> list[np.ndarray]:
    """Near-equal random parts (sizes differ by at most one).

    >>> sorted(np.concatenate(iid(np.zeros(7), 3, seed=1)).tolist()) == list(range(7))
    True
    """
    y = _labels(y, num_clients)
    order = np.random.default_rng(seed).permutation(len(y))
    return [np.sort(part) for part in np.array_split(order, num_clients)]


def pathological_non_iid(y: np.ndarray, num_clients: int, shards_per_client: int = 2,
                         seed: int | None = 0) -> list[np.ndarray]:
    """McMahan et al.'s label shards: sort by label, cut into equal shards, deal ``shards_per_client``
    random shards to each client. (A shard straddles two labels where a label's count is not a
    multiple of the shard size.)

    >>> parts = pathological_non_iid(np.repeat(np.arange(5), 4), 5, shards_per_client=2, seed=0)
    >>> [len(p) for p in parts]
    [4, 4, 4, 4, 4]
    """
    y = _labels(y, num_clients)
    if isinstance(shards_per_client, bool) or not isinstance(shards_per_client, int) or shards_per_client < 1:
        raise ValueError(f"shards_per_client must be an int >= 1, got {shards_per_client!r}")
    shards = num_clients * shards_per_client
    if shards > len(y):
        raise ValueError(f"num_clients * shards_per_client = {shards} shards exceeds the number of examples ({len(y)})")
    rng = np.random.default_rng(seed)
    # ties broken at random, so a label's examples are not always cut in their original order
    by_label = np.lexsort((rng.permutation(len(y)), y))
    pieces = np.array_split(by_label, shards)
    dealt = rng.permutation(shards).reshape(num_clients, shards_per_client)
    return [np.sort(np.concatenate([pieces[s] for s in row])) for row in dealt]


def dirichlet(y: np.ndarray, num_clients: int, alpha: float, seed: int | None = 0) -> list[np.ndarray]:
    """Per label, proportions over the clients from ``Dirichlet(alpha)``; a client may get no example
    of a label (or, with a very small ``alpha``, none at all).

    >>> parts = dirichlet(np.repeat(np.arange(3), 100), 4, alpha=1e6, seed=0)
    >>> [len(p) for p in parts]
    [75, 75, 75, 75]
    """
    y = _labels(y, num_clients)
    if not (isinstance(alpha, int | float) and np.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha must be a finite number > 0, got {alpha!r}")
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in range(num_clients)]
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        p = rng.dirichlet(np.full(num_clients, float(alpha)))
        cuts = np.round(np.cumsum(p)[:-1] * len(idx)).astype(int)
        for client, chunk in enumerate(np.split(idx, cuts)):
            parts[client].append(chunk)
    return [np.sort(np.concatenate(p)).astype(np.int64) for p in parts]
