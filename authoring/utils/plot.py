"""``plot_model`` / ``model_to_dot``: a picture of a model's layer graph, drawn by Graphviz through
pydot (what Keras uses). ``pip install webgrad[utils]`` brings pydot; Graphviz's ``dot`` program comes
from the system (Debian: ``apt-get install graphviz``).

>>> import webgrad as wg
>>> x = wg.layers.Input((4,), name="features")
>>> model = wg.Model(x, wg.layers.Dense(2, name="head")(x))
>>> dot = model_to_dot(model, show_shapes=True)  # doctest: +SKIP
>>> plot_model(model, "model.svg", show_layer_names=True)  # doctest: +SKIP
"""

from __future__ import annotations

import html
import os
import shutil
from typing import Any

from webgrad.layers.core import InputLayer


def _pydot() -> Any:
    try:
        import pydot
    except ImportError as e:  # an optional dependency: only plot_model needs it
        raise ImportError("plot_model needs pydot: pip install 'webgrad[utils]' (or pydot)") from e
    if shutil.which("dot") is None:
        raise ImportError("plot_model needs Graphviz's `dot` program on the PATH (Debian: apt-get install graphviz)")
    return pydot


def _shape_text(shapes: list[tuple]) -> str:
    if not shapes:
        return "?"
    text = ", ".join("(" + ", ".join("None" if d is None else str(d) for d in s) + ")" for s in shapes)
    return text if len(shapes) == 1 else f"[{text}]"


def _label(layer: Any, inputs: list[tuple], outputs: list[tuple], show_shapes: bool, show_dtype: bool,
           show_layer_names: bool, show_layer_activations: bool, show_trainable: bool) -> str:
    """A Graphviz HTML-like label: the layer's name and class, then the rows asked for."""
    cls = type(layer).__name__
    title = f"<b>{html.escape(layer.name)}</b> ({cls})" if show_layer_names else f"<b>{cls}</b>"
    cells = []
    if show_shapes:
        if not isinstance(layer, InputLayer):
            cells.append(f"Input shape: <b>{_shape_text(inputs)}</b>")
        cells.append(f"Output shape: <b>{_shape_text(outputs)}</b>")
    if show_dtype:
        cells.append(f"Output dtype: <b>{html.escape(str(getattr(layer, 'dtype', '?')))}</b>")
    if show_trainable and layer.weights:
        cells.append("<b>Trainable</b>" if layer.trainable else "<b>Non-trainable</b>")
    span = max(1, len(cells))
    rows = [f'<tr><td colspan="{span}" bgcolor="black"><font point-size="16" color="white">{title}</font></td></tr>']
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        name = getattr(activation, "__name__", None) or type(activation).__name__
        rows.append(f'<tr><td colspan="{span}" bgcolor="white"><font point-size="14">Activation: '
                    f"<b>{html.escape(str(name))}</b></font></td></tr>")
    if cells:
        rows.append("<tr>" + "".join(f'<td bgcolor="white"><font point-size="14">{c}</font></td>' for c in cells)
                    + "</tr>")
    return '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">' + "".join(rows) + "</table>>"


def model_to_dot(model: Any, show_shapes: bool = False, show_dtype: bool = False, show_layer_names: bool = True,
                 rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200, subgraph: bool = False,
                 show_layer_activations: bool = False, show_trainable: bool = False, splines: str = "ortho",
                 **kwargs: Any) -> Any:
    """The model's graph as a ``pydot.Dot``: a node per layer, an edge per connection."""
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    if expand_nested or subgraph:
        raise NotImplementedError("model_to_dot(expand_nested=True / subgraph=True) is not supported yet")
    if not model.built:
        raise ValueError(f"model {model.name!r} is not built yet: give it an Input or call it on data first")
    pydot = _pydot()
    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, concentrate=True, dpi=dpi, splines=splines)
    dot.set_node_defaults(shape="plaintext", fontname="Helvetica", margin="0")
    style = {"show_shapes": show_shapes, "show_dtype": show_dtype, "show_layer_names": show_layer_names,
             "show_layer_activations": show_layer_activations, "show_trainable": show_trainable}
    if not model._nodes:  # a subclassed model: its layers, one after the other, with no known wiring
        previous = None
        for layer in model.layers:
            dot.add_node(pydot.Node(str(id(layer)), label=_label(layer, [], [], **style)))
            if previous is not None:
                dot.add_edge(pydot.Edge(str(id(previous)), str(id(layer))))
            previous = layer
        return dot
    for x in model.inputs:
        layer = x.history[0]
        dot.add_node(pydot.Node(str(id(layer)), label=_label(layer, [], [x.shape], **style)))
    edges = set()
    for node in model._nodes:
        layer = node.layer
        if isinstance(layer, InputLayer):
            continue
        if not dot.get_node(str(id(layer))):
            dot.add_node(pydot.Node(str(id(layer)), label=_label(
                layer, [s.shape for s in node.inputs], [s.shape for s in node.outputs], **style)))
        for s in node.inputs:
            edge = (str(id(s.history[0])), str(id(layer)))
            if edge not in edges:
                edges.add(edge)
                dot.add_edge(pydot.Edge(*edge))
    return dot


def plot_model(model: Any, to_file: str | os.PathLike = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = False, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200, show_layer_activations: bool = False,
               show_trainable: bool = False, splines: str = "ortho", **kwargs: Any) -> None:
    """Draws the model's layer graph to ``to_file``; the format follows its extension (``png`` when it
    has none; ``svg``, ``pdf``, ``dot``… as Graphviz writes them). Keras 3's defaults: layer classes
    only (``show_layer_names=True`` adds the names), top to bottom (``rankdir="LR"``: left to right).
    """
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                       rankdir=rankdir, expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations, show_trainable=show_trainable, splines=splines,
                       **kwargs)
    to_file = str(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
