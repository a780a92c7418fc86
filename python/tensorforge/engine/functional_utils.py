"""A functional Model whose inputs include intermediate tensors (Keras 2's
functional_utils.clone_graph_nodes): ``Model(hidden_tensor, output)`` builds the part of the
graph between them.

Each intermediate input gets a new ``Input`` of its shape and dtype (named as Keras 2 names them,
``input_N``); the layers between the inputs and the outputs are called again on the new tensors
(the same layer objects, so the sub-model shares their weights, each gaining a node), and the
outputs are the new calls' outputs. Nodes none of whose inputs changed are kept as they are.
"""
from .input_layer import Input, InputLayer
from ..symbolic.node import KerasTensor, flatten, pack_like

__all__ = ["rebase_on_inputs"]


def _from_input_layer(t):
    return isinstance(t._keras_history[0], InputLayer)


def rebase_on_inputs(inputs, outputs):
    """(inputs, outputs) with every intermediate input replaced by a new Input and the graph
    between them and the outputs rebuilt on it; the same objects when all inputs are Inputs."""
    flat_in = flatten(inputs)
    if all(_from_input_layer(t) for t in flat_in):
        return inputs, outputs
    new = {}  # id(old tensor) -> tensor of the rebuilt graph
    for t in flat_in:
        new[id(t)] = t if _from_input_layer(t) else Input(
            batch_shape=tuple(t.shape), dtype=t.dtype)

    def rebuild(t):
        got = new.get(id(t))
        if got is not None:
            return got
        layer, node_index, _ = t._keras_history
        node = layer._inbound_nodes[node_index]
        if node.is_input:  # an Input the model was not given: the graph check reports it
            new[id(t)] = t
            return t
        ins = node.input_tensors
        new_ins = pack_like(ins, [rebuild(x) for x in flatten(ins)])
        kwargs = {k: pack_like(v, [rebuild(x) if isinstance(x, KerasTensor) else x
                                   for x in flatten(v)])
                  if any(isinstance(x, KerasTensor) for x in flatten(v)) else v
                  for k, v in node.call_kwargs.items()}
        same = all(a is b for a, b in zip(flatten(ins), flatten(new_ins))) and all(
            a is b for k, v in node.call_kwargs.items()
            for a, b in zip(flatten(v), flatten(kwargs[k])))
        outs = node.output_tensors if same else flatten(layer(new_ins, **kwargs))
        for old, o in zip(node.output_tensors, outs):
            new[id(old)] = o
        return new[id(t)]

    new_outputs = pack_like(outputs, [rebuild(t) for t in flatten(outputs)])
    return pack_like(inputs, [new[id(t)] for t in flat_in]), new_outputs
