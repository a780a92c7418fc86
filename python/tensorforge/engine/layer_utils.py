"""``model.summary()`` as Keras 2 (tf_keras 2.x ``print_summary``) prints it.

A model whose graph is a chain (Sequential, subclassed, or functional with one node per depth
and no shared layer) gets the three-column table (line length 65); any other graph gets the
"Connected to" column (line length 98), each inbound tensor written ``layer[node][tensor]``.
Long fields wrap inside their column, breaking after "),", "},", "]," or "',"."""
import re

from .base_layer import _shape_str, is_shape
from .input_layer import InputLayer


def _shape_field(layer):
    if not layer._inbound_nodes:  # only called eagerly (inside a subclassed model's call)
        return "multiple"
    try:
        s = layer.output_shape
    except AttributeError:
        return "multiple"
    if isinstance(layer, InputLayer):
        return "[" + _shape_str(s) + "]"
    if is_shape(s):
        return _shape_str(s)
    return "[" + ", ".join(_shape_str(x) for x in s) + "]"


def _readable_memory_size(n):
    units = ["Byte", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if n / 1024 < 1:
            return f"{n:.2f} {unit}"
        n /= 1024
    return f"{n:.2f} {units[-1]}"


def _is_sequential_like(model):
    if type(model).__name__ == "Sequential" or not model._is_graph_network:
        return True
    nodes = []
    for v in model._nodes_by_depth.values():
        if len(v) > 1 or (len(v) == 1 and len(v[0].keras_inputs) > 1):
            return False
        nodes += v
    ids = {id(n) for n in nodes}
    for layer in model.layers:
        if sum(1 for n in layer._inbound_nodes if id(n) in ids) > 1:
            return False
    return True


def _layer_range(model, layer_range):
    """[first, last + 1] of the layers whose names match ``layer_range`` (two regexes: the
    first layer matching the first, the last matching the second), as tf_keras 2's."""
    if layer_range is None:
        return 0, len(model.layers)
    if len(layer_range) != 2:
        raise ValueError(f"layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    if not all(isinstance(n, str) for n in layer_range):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [i for i, l in enumerate(model.layers) if re.match(layer_range[0], l.name)]
    upper = [i for i, l in enumerate(model.layers) if re.match(layer_range[1], l.name)]
    if not lower or not upper:
        raise ValueError(f"Passed layer_names do not match the layer names in the model. "
                         f"Received: {layer_range}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    print_fn = print_fn or print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.3, 0.6, 0.70, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    positions = list(positions)
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        header.append("Trainable")
    first, last = _layer_range(model, layer_range)

    def print_row(fields, nested=0):
        left = [str(x) for x in fields]
        while any(left):
            line = ""
            for col in range(len(left)):
                start = positions[col - 1] if col > 0 else 0
                end = positions[col]
                space = 2 if col != len(positions) - 1 else 0
                cutoff = end - start - space
                if col != len(positions) - 1:
                    cutoff -= 1
                if col == 0:
                    cutoff -= nested
                fit = left[col][:cutoff]
                cands = [fit.find(b) + len(b) for b in ("),", "},", "],", "',") if fit.find(b) >= 0]
                if cands:
                    cutoff = min(cands)
                    fit = fit[:cutoff]
                if col == 0:
                    line += "|" * nested + " "
                line += fit
                line += " " * space
                left[col] = left[col][cutoff:]
                if nested and col == len(positions) - 1:
                    line += " " * (positions[col] - len(line) - nested)
                else:
                    line += " " * (positions[col] - len(line))
            print_fn(line + "|" * nested)

    network_nodes = getattr(model, "_network_nodes", set())

    def print_layer(layer, nested=0, nested_last=False):
        name = f"{layer.name} ({_class_name(layer)})"
        if not layer.built and not getattr(layer, "_is_graph_network", False):
            params = "0 (unused)"
        else:
            params = layer.count_params()
        fields = [name, _shape_field(layer), params]
        if not sequential_like:
            conns = []
            for node in layer._inbound_nodes:
                if network_nodes and id(node) not in network_nodes:
                    continue
                for lyr, ni, ti in node.iterate_inbound():
                    conns.append(f"{lyr.name}[{ni}][{ti}]")
            fields.append(conns)
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        print_row(fields, nested)
        inner = getattr(layer, "layers", None) if expand_nested else None
        if inner:
            print_fn("|" * (nested + 1) + "\u00af" * (line_length - 2 * nested - 2)
                     + "|" * (nested + 1))
            for k, sub in enumerate(inner):
                print_layer(sub, nested + 1, k == len(inner) - 1)
            print_fn("|" * nested + "\u00af" * (line_length - 2 * nested) + "|" * nested)
            nested_last = True  # (tf_keras 2: no blank row after an expanded model)
        if not nested_last:
            print_fn("|" * nested + " " * (line_length - 2 * nested) + "|" * nested)

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_row(header)
    print_fn("=" * line_length)
    for layer in model.layers[first:last]:
        print_layer(layer)
    print_fn("=" * line_length)
    trainable = sum(t.size for t in model.trainable_weights)
    non_trainable = sum(t.size for t in model.non_trainable_weights)
    tb = sum(t.size * t.data.dtype.itemsize for t in model.trainable_weights)
    nb = sum(t.size * t.data.dtype.itemsize for t in model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non_trainable} ({_readable_memory_size(tb + nb)})")
    print_fn(f"Trainable params: {trainable} ({_readable_memory_size(tb)})")
    print_fn(f"Non-trainable params: {non_trainable} ({_readable_memory_size(nb)})")
    print_fn("_" * line_length)


def _class_name(layer):
    if getattr(layer, "_is_graph_network", False) and type(layer).__name__ == "Model":
        return "Functional"
    return type(layer).__name__
