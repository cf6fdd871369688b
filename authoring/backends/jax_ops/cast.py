"""Cast in JAX: floats to ints truncate toward zero; NaN and out-of-range values give 0 (the op set's
rule, which a bare ``astype`` leaves undefined)."""

import jax.numpy as jnp
import numpy as np

from webgrad.backends.jax_ops._registry import register


def _lower(inputs, attrs):
    x = jnp.asarray(inputs[0])
    to = np.dtype(attrs["to"])
    if to.kind == "f":
        return x.astype(to)
    info = np.iinfo(to)
    if jnp.issubdtype(x.dtype, jnp.floating):
        # float32 bounds as half-open powers of two: int32's max is not representable in float32
        wide = jnp.trunc(x.astype(jnp.float32))
        fits = (wide >= float(info.min)) & (wide < float(info.max) + 1.0)
    else:
        wide = x.astype(jnp.int32)
        fits = (wide >= max(info.min, -(2**31))) & (wide <= min(info.max, 2**31 - 1))
    return jnp.where(fits, wide, 0).astype(to)


register("Cast", _lower)
