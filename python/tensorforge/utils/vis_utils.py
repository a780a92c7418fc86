"""Keras 2 ``keras.utils.vis_utils``: plot_model and model_to_dot, drawn with pydot + graphviz
(``pip install pydot`` / 'tensorforge[plot]', and graphviz's ``dot``; a clear ImportError names
them when missing). '.txt' and '.dot' outputs need no graphviz."""
import os

__all__ = ["plot_model", "model_to_dot"]


def _shape_text(s):
    from ..engine.base_layer import _shape_str
    if isinstance(s, list):
        return ", ".join(_shape_text(e) for e in s)
    return _shape_str(s) if isinstance(s, tuple) else str(s)


def _layer_shapes(layer):
    shapes = []
    for attr in ("input_shape", "output_shape"):
        try:
            shapes.append(_shape_text(getattr(layer, attr)))
        except Exception:  # a layer called on several inputs (Keras prints 'multiple')
            shapes.append("multiple")
    return shapes


def _graph(model):
    """(layers, edges) of ``model``. The duck-typed interface: ``model.layers``; each layer's
    ``_inbound_nodes``, each node giving its input layers through ``iterate_inbound()`` ->
    [(layer, node_index, tensor_index)] (tensorforge's engine) or ``inbound_layers`` (Keras 2).
    A model without such nodes (a Sequential stack) is drawn as a chain."""
    layers = list(model.layers)
    input_layers = [l for l in getattr(model, "_input_layers", []) or [] if l not in layers]
    layers = input_layers + layers
    known = {id(l) for l in layers}
    edges = []
    for layer in layers:
        for node in getattr(layer, "_inbound_nodes", None) or []:
            if hasattr(node, "iterate_inbound"):
                parents = [h[0] for h in node.iterate_inbound()]
            else:
                parents = getattr(node, "inbound_layers", None) or []
                parents = parents if isinstance(parents, (list, tuple)) else [parents]
            for parent in parents:
                if id(parent) in known and (id(parent), id(layer)) not in edges:
                    edges.append((id(parent), id(layer)))
    if not edges and len(layers) > 1:
        edges = [(id(a), id(b)) for a, b in zip(layers, layers[1:])]
    return layers, edges


def _layer_label(layer, show_shapes, show_layer_names, show_dtype=False):
    cls = type(layer).__name__
    label = f"{layer.name}: {cls}" if show_layer_names else cls
    if show_shapes:
        ins, outs = _layer_shapes(layer)
        label = f"{label}|{{input:|output:}}|{{{{{ins}}}|{{{outs}}}}}"
    return label


def _import_pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError("plot_model needs pydot and graphviz: pip install pydot (or "
                          "'tensorforge[plot]') and install graphviz (e.g. apt-get install "
                          "graphviz; https://graphviz.org/download/)") from None
    return pydot


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=96, subgraph=False, layer_range=None,
                 show_layer_activations=False, show_trainable=False):
    """A pydot.Dot of the model's layers (record nodes) and their connections (Keras 2)."""
    pydot = _import_pydot()
    if not getattr(model, "built", True):
        raise ValueError("plot_model: the model has not been built yet; build it (call it on data "
                         "or give the first layer an input_shape) first")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR', got {rankdir!r}")
    dot = pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("concentrate", True)
    dot.set("dpi", dpi)
    dot.set_node_defaults(shape="record")
    layers, edges = _graph(model)
    for layer in layers:
        dot.add_node(pydot.Node(str(id(layer)),
                                label=_layer_label(layer, show_shapes, show_layer_names)))
    for a, b in edges:
        dot.add_edge(pydot.Edge(str(a), str(b)))
    return dot


def _text_diagram(model, show_shapes, show_layer_names):
    layers, edges = _graph(model)
    parents = {}
    for a, b in edges:
        parents.setdefault(b, []).append(a)
    names = {id(l): l.name for l in layers}
    rows = []
    for layer in layers:
        label = f"{layer.name}: {type(layer).__name__}" if show_layer_names else type(layer).__name__
        if show_shapes:
            ins, outs = _layer_shapes(layer)
            label += f"  in: {ins}  out: {outs}"
        src = [names[p] for p in parents.get(id(layer), [])]
        rows.append(label + (f"  <- {', '.join(src)}" if src else ""))
    return "\n".join(rows) + "\n"


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=96,
               layer_range=None, show_layer_activations=False, show_trainable=False):
    """Draw the model's graph to ``to_file`` with pydot + graphviz (format from the extension;
    '.dot' writes the graph source and needs no graphviz). A '.txt' file gets a text listing (one
    line per layer, with the layers feeding it) and needs neither; that text is returned then.
    tf_keras 2.21's arguments only: another keyword is a TypeError, as there (keras-io's
    feature_engineering_with_lambda passes ``input_layer_graph=``); ``layer_range``,
    ``show_layer_activations`` and ``show_trainable`` are accepted and not drawn."""
    if to_file is not None and str(to_file).endswith(".txt"):
        if not getattr(model, "built", True):
            raise ValueError("plot_model: the model has not been built yet")
        text = _text_diagram(model, show_shapes, show_layer_names)
        with open(to_file, "w") as f:
            f.write(text)
        return text
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir, dpi=dpi)
    if to_file is None:
        return dot
    ext = os.path.splitext(str(to_file))[1][1:] or "png"
    if ext in ("dot", "gv", "raw"):
        dot.write(str(to_file), format="raw")
        return None
    try:
        dot.write(str(to_file), format=ext)
    except (OSError, FileNotFoundError) as e:
        raise ImportError(f"plot_model: rendering a .{ext} file needs graphviz's `dot` program "
                          f"(apt-get install graphviz; https://graphviz.org/download/), which "
                          f"failed or is missing ({e}); write a '.dot' file to skip rendering") from None
    return None
