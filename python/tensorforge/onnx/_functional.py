"""Walking a functional model (engine/network.py) for ONNX export: its nodes are replayed in
the model's own execution plan (topological, Keras 2's depth order), each layer converted on the
ONNX names of its input tensors; a graph model used as a layer is walked inline."""

__all__ = ["walk"]


def _is_graph(layer):
    return getattr(layer, "_is_graph_network", False) and hasattr(layer, "_plan")


def _run(g, net, values, masks, convert):
    for step in net._plan:
        layer = step.layer
        if step.tensor_kwargs or step.kwargs:
            raise ValueError(f"onnx.export: layer {layer.name!r} is called with arguments "
                             f"{sorted(set(step.tensor_kwargs) | set(step.kwargs))}, which the "
                             "exporter does not support")
        ins = [values[i] for i in step.in_ids]
        in_masks = [masks.get(i) for i in step.in_ids]
        if _is_graph(layer):
            inner_vals = {id(t): v for t, v in zip(layer.inputs, ins)}
            inner_masks = {id(t): m for t, m in zip(layer.inputs, in_masks) if m is not None}
            _run(g, layer, inner_vals, inner_masks, convert)
            outs = [inner_vals[id(t)] for t in layer.outputs]
            out_masks = [inner_masks.get(id(t)) for t in layer.outputs]
        else:
            y, m = convert(g, layer, ins, in_masks[0] if len(in_masks) == 1 else None)
            outs, out_masks = [y], [m]
        if len(outs) != len(step.out_ids):
            raise ValueError(f"onnx.export: layer {layer.name!r} has {len(step.out_ids)} outputs; "
                             "only single-output layers are supported")
        for i, y, m in zip(step.out_ids, outs, out_masks):
            values[i] = y
            if m is not None:
                masks[i] = m


def walk(g, model, convert):
    """([(input name, shape)], [(output tensor name, shape)]) of ``model`` built into ``g``."""
    values, inputs = {}, []
    for t, name in zip(model.inputs, model.input_names):
        n = g.name(name)
        values[id(t)] = n
        inputs.append((n, t.shape))
    _run(g, model, values, {}, convert)
    return inputs, [(values[id(t)], t.shape) for t in model.outputs]
