"""``model.summary()``: a table of layers, output shapes, parameter counts (and inbound layers for
functional models that branch)."""

from __future__ import annotations

from typing import Any

from webgrad.layers.core import InputLayer


def _shape(s: Any) -> str:
    if isinstance(s, list):
        return ", ".join(_shape(x) for x in s)
    return "(" + ", ".join("None" if d is None else str(d) for d in s) + ")"


def summarize(model: Any) -> str:
    """The summary text of a built model."""
    if not model.built:
        return f'Model "{model.name}" is not built yet: give it an Input or call it on data first.'
    branchy = any(len(node.inputs) > 1 for node in model._nodes)
    rows = []
    if not model._nodes:  # a subclassed model: its layers, with the output shapes of its last build/call
        for layer in model.layers:
            shape = layer.__dict__.get("_wg_output_shape")
            rows.append((f"{layer.name} ({type(layer).__name__})", "?" if shape is None else _shape(shape),
                         f"{layer.count_params():,}", ""))
    for x in model.inputs:
        layer = x.history[0]
        if type(model).__name__ != "Sequential":
            rows.append((f"{layer.name} (InputLayer)", _shape(x.shape), "0", ""))
    for node in model._nodes:
        layer = node.layer
        if isinstance(layer, InputLayer):
            continue
        outs = [o.shape for o in node.outputs]
        src = ", ".join(s.history[0].name for s in node.inputs)
        rows.append((f"{layer.name} ({type(layer).__name__})", _shape(outs[0] if len(outs) == 1 else outs),
                     f"{layer.count_params():,}", src))
    headers = ("Layer (type)", "Output Shape", "Param #", "Connected to")
    ncols = 4 if branchy else 3
    widths = [max(len(headers[i]), *(len(r[i]) for r in rows)) + 2 for i in range(ncols)]
    total = sum(w.data.size for w in model.weights)
    trainable = sum(w.data.size for w in model.trainable_weights)
    nbytes = sum(w.data.nbytes for w in model.weights)
    line = "─" * sum(widths)
    out = [f'Model: "{model.name}"', line, "".join(headers[i].ljust(widths[i]) for i in range(ncols)), line]
    out += ["".join(r[i].ljust(widths[i]) for i in range(ncols)) for r in rows]
    out += [line, f"Total params: {total:,} ({nbytes / 1024:.2f} KB)", f"Trainable params: {trainable:,}",
            f"Non-trainable params: {total - trainable:,}", line]
    return "\n".join(out)
