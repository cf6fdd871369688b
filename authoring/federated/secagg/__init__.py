"""Secure aggregation for federated rounds: pairwise additive masking, so the server learns only the sum
of the round's updates (docs/secure_aggregation.md)."""
