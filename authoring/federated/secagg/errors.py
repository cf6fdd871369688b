"""The one error type of secure aggregation."""

from __future__ import annotations


class SecAggError(ValueError):
    """A secure-aggregation message or step that cannot go on. ``code`` says which kind, in the terms of
    the federated HTTP protocol (docs/federated_protocol.md), so a server can answer it as is:

    - ``EMALFORMED``: a message without the expected fields, bad base64, a key of the wrong size, a
      share ciphertext that does not authenticate;
    - ``ESHAPE``: a masked vector of the wrong length;
    - ``EROUND``: a message or config of another round;
    - ``EDUPLICATE``: a second message of the same kind from the same client;
    - ``EAUTH``: a client id that is not a participant of the round;
    - ``ESTATE``: a step out of order, fewer clients left than the threshold, or a request the client
      refuses (both shares of one peer).

    >>> SecAggError("ESTATE", "too few survivors").code
    'ESTATE'
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
