"""webgrad.exporter: the op set, and (with the bundle issue) graph capture, passes and bundles."""
