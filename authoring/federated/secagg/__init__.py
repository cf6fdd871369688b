"""Secure aggregation for federated rounds: pairwise additive masking, so the server learns only the sum
of the round's updates (docs/secure_aggregation.md)."""

from webgrad.federated.secagg.client import SecAggClient
from webgrad.federated.secagg.config import round_config
from webgrad.federated.secagg.errors import SecAggError
from webgrad.federated.secagg.server import SecAggServer

__all__ = ["SecAggClient", "SecAggError", "SecAggServer", "round_config"]
