"""Data parallelism for the jax backend: a 1-D mesh over every device (all processes' devices after
``jax.distributed.initialize``), batches sharded along it, everything else replicated.

A batch whose size does not divide by the device count is padded (by repeating its own examples) and
the padding carries weight 0 in the loss, the gradients and the metrics, so any ``batch_size`` works as
on the numpy backend. (BatchNormalization's batch statistics do see the repeated examples.)
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec


class DataParallel:
    """Shards batches over ``devices`` (default: all of them) and replicates the rest."""

    def __init__(self, devices: list[Any] | None = None):
        self.mesh = Mesh(np.array(devices or jax.devices()), ("batch",))
        self.size = self.mesh.size
        self.replicated = NamedSharding(self.mesh, PartitionSpec())
        self.batched = NamedSharding(self.mesh, PartitionSpec("batch"))
        self._multiprocess = jax.process_count() > 1
        self._weights: dict[tuple[int, int], Any] = {}

    def padded(self, arrays: list[np.ndarray], n: int) -> tuple[list[np.ndarray], Any]:
        """``arrays`` (``n`` examples each) padded to a multiple of the device count, and the per-example
        weights (1 real, 0 padding) already on the devices.

        >>> par = DataParallel()
        >>> (x,), w = par.padded([np.arange(3)], 3)
        >>> len(x) % par.size, float(np.asarray(w).sum())
        (0, 3.0)
        """
        total = -(-n // self.size) * self.size
        weights = self._weights.get((n, total))
        if weights is None:  # one per batch size: most steps reuse the same device array
            host = np.zeros(total, np.float32)
            host[:n] = 1
            weights = self._weights[(n, total)] = self.batch(host)
        if total == n:
            return arrays, weights
        idx = np.arange(total) % n
        return [a[idx] for a in arrays], weights

    def _put(self, a: Any, sharding: NamedSharding) -> Any:
        if self._multiprocess:
            # every process holds the whole global value (same data, same seed); each keeps its devices' part
            a = np.asarray(a)
            return jax.make_array_from_callback(a.shape, sharding, lambda idx: a[idx])
        return jax.device_put(a, sharding)

    def batch(self, tree: Any) -> Any:
        """Host arrays with a leading batch axis, sharded over the devices (on one device, as they are:
        the jitted step copies them itself, which costs less than a separate transfer)."""
        if self.size == 1 and not self._multiprocess:
            return tree
        return jax.tree.map(lambda a: self._put(a, self.batched), tree)

    def replicate(self, tree: Any) -> Any:
        """Host values copied to every device."""
        return jax.tree.map(lambda a: self._put(a, self.replicated), tree)

    def scalars(self, tree: Any) -> Any:
        """Small per-step host values (learning rate, noise): as they are for one process, where ``jit``
        copies them itself; replicated global arrays across processes."""
        return self.replicate(tree) if self._multiprocess else tree
