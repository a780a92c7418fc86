"""A graph network's config (Keras 2's Functional get_config / from_config): the layers with
their inbound nodes as [layer name, node index, tensor index, call kwargs] references, and the
graph rebuilt from them, node by node as the inputs of each become available. Split from
engine/network.py, which calls these from Network.get_config / from_config."""
import collections

from . import auto_config as _auto_config
from . import config_check as _config_check
from .serialization import _strip_keras_only
from . import tf_op_lambda as _tf_op
from . import tf_op_symbols as _sym
from ..symbolic.node import KerasTensor, flatten
from .serialization import get_layer_class


def graph_config(net):
    """``net.get_config()`` of a graph network."""
    node_index_map = {}  # (layer id, global node index) -> index among this network's nodes
    layers_cfg = []
    for layer in net.layers:
        kept = 0
        for gi, node in enumerate(layer._inbound_nodes):
            if id(node) in net._network_nodes:
                node_index_map[(id(layer), gi)] = kept
                kept += 1
    def coords(t):
        lyr, ni, ti = t._keras_history
        return [lyr.name, node_index_map.get((id(lyr), ni), ni), ti]

    for layer in net.layers:
        inbound = []
        for node in layer._inbound_nodes:
            if id(node) not in net._network_nodes or node.is_input:
                continue
            if isinstance(layer, _tf_op.TFOpLambda):  # the op's arguments, tf_keras' layout
                inbound.append(layer.node_data(coords))
                continue
            kwargs = {k: _serialize_kwarg(v, node_index_map)
                      for k, v in node.call_kwargs.items()}
            def ref(t):
                lyr, ni, ti = t._keras_history
                return [lyr.name, node_index_map.get((id(lyr), ni), ni), ti, kwargs]
            ins = node.input_tensors
            inbound.append({k: ref(t) for k, t in ins.items()} if isinstance(ins, dict)
                           else [ref(t) for t in flatten(ins)])  # (a dict: tf_keras 2's)
        layers_cfg.append({"class_name": _class_name(layer),  # See Note [automatic config]
                           "config": _auto_config.layer_config(layer),
                           "name": layer.name, "inbound_nodes": inbound})

    def nested(s):
        if isinstance(s, dict):
            return {k: coords(v) for k, v in s.items()}
        return [coords(t) for t in flatten(s)]

    return {"name": net.name, "trainable": net.trainable, "layers": layers_cfg,
            "input_layers": nested(net._nested_inputs),
            "output_layers": nested(net._nested_outputs)}


def graph_from_config(cls, config):
    """A graph network of class ``cls`` rebuilt from ``graph_config``'s dict (or tf_keras 2's)."""
    created = {}
    pending = collections.OrderedDict()
    for data in _config_check.graph(config):
        layer = deserialize_layer(data)
        # by the entry's name, as tf_keras: an automatic config may hold none (Note [automatic
        # config]), and the layer made from it has a name of its own then
        name = data.get("name") or layer.name
        created[name] = layer
        pending[name] = list(data.get("inbound_nodes") or [])

    def node_inputs(node_data):
        if _config_check.is_named_node(node_data):  # a dict of named inputs (tf_keras 2)
            keys = list(node_data)
            ts, kwargs = node_inputs([node_data[k] for k in keys])
            return (None, None) if ts is None else ([dict(zip(keys, ts))], kwargs)
        if isinstance(node_data, dict):  # Keras 3 style: not produced by Keras 2
            raise ValueError("from_config: unsupported inbound node format")
        ts, kwargs = [], {}
        for entry in _sym.node_leaves(node_data):
            if entry[0] == _sym.CONSTANT:  # a constant first argument of a TF op (tf_keras)
                ts.append(entry[2])
                kw = entry[3] if len(entry) > 3 else {}
            else:
                name, ni, ti, kw = _config_check.node_ref(entry, "from_config", ("inbound_nodes",))
                lyr = created.get(name)
                if lyr is None or len(lyr._inbound_nodes) <= ni:
                    return None, None
                outs = lyr._inbound_nodes[ni].output_tensors
                if ti >= len(outs):
                    raise ValueError(f"from_config: inbound node {list(entry)!r} asks for output "
                                     f"{ti} of layer {name!r}, which has {len(outs)}")
                ts.append(outs[ti])
            for k, v in (kw or {}).items():
                v = _deserialize_kwarg(v, created)
                if v is _MISSING:
                    return None, None
                kwargs[k] = v
        return ts, kwargs

    progress = True
    while progress and any(pending.values()):
        progress = False
        for name, nodes in pending.items():
            while nodes:
                ts, kwargs = node_inputs(nodes[0])
                if ts is None:
                    break
                if isinstance(created[name], _tf_op.TFOpLambda):
                    created[name].rebuild(_sym.pack_node(nodes[0], ts), kwargs)
                else:
                    created[name](ts[0] if len(ts) == 1 else ts, **kwargs)
                nodes.pop(0)
                progress = True
    if any(pending.values()):
        raise ValueError("from_config: cannot rebuild the graph (missing or cyclic inbound "
                         f"nodes for {[n for n, v in pending.items() if v]})")

    def tensor(c):
        name, ni, ti, _ = _config_check.node_ref(c, "from_config", ("input/output_layers",))
        lyr = created.get(name)
        if lyr is None or ni >= len(lyr._inbound_nodes) or ti >= len(
                lyr._inbound_nodes[ni].output_tensors):
            raise ValueError(f"from_config: input/output reference {list(c)!r} names no "
                             "tensor of the rebuilt graph")
        return lyr._inbound_nodes[ni].output_tensors[ti]

    def nested(s):
        if isinstance(s, dict):
            return {k: tensor(v) for k, v in s.items()}
        if len(s) and not isinstance(s[0], (list, tuple)):
            return tensor(s)
        ts = [tensor(c) for c in s]
        return ts
    inputs = nested(config["input_layers"])
    outputs = nested(config["output_layers"])
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    if isinstance(outputs, list) and len(outputs) == 1:
        outputs = outputs[0]
    return cls(inputs=inputs, outputs=outputs, name=config.get("name"))


def _class_name(layer):
    if getattr(layer, "_is_graph_network", False) and type(layer).__name__ == "Model":
        return "Functional"
    return type(layer).__name__


def deserialize_layer(data):
    """A layer from {"class_name", "config"} (Keras 2's layers.deserialize)."""
    name, cfg = _config_check.layer_spec(data, "deserialize_layer")
    if name == "Functional":
        name = "Model"
    cls = get_layer_class(name)
    if isinstance(cls, type) and hasattr(cls, "_from_graph_config") and "layers" in cfg:  # a Network
        if hasattr(cls, "_from_sequential_config") and "input_layers" not in cfg:
            return cls._from_sequential_config(cfg)
        return cls._from_graph_config(cfg)
    return cls.from_config(_strip_keras_only(cfg))


_MISSING = object()


def subclass_from_config(cls, config):
    """A subclassed model from its own get_config: ``cls(**config)``, as Keras 2's
    Model.from_config does for a config that is not a functional graph."""
    try:
        return cls(**config)
    except TypeError as e:
        raise TypeError(f"Unable to revive model from config. When overriding the `get_config()` "
                        f"method, make sure that the returned config contains all items used as "
                        f"arguments in the constructor to {cls.__name__} ({e})") from None


def _serialize_kwarg(v, node_index_map):
    """A call keyword argument for a config: symbolic tensors as [layer, node, tensor] triples
    (tf.keras' format), other values as they are."""
    if isinstance(v, KerasTensor):
        lyr, ni, ti = v._keras_history
        return [lyr.name, node_index_map.get((id(lyr), ni), ni), ti]
    if isinstance(v, (list, tuple)):
        return [_serialize_kwarg(e, node_index_map) for e in v]
    return v


def _deserialize_kwarg(v, created):
    if isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) and isinstance(v[1], int):
        lyr = created.get(v[0])
        if lyr is None or len(lyr._inbound_nodes) <= v[1]:
            return _MISSING
        return lyr._inbound_nodes[v[1]].output_tensors[v[2]]
    if isinstance(v, list):
        out = [_deserialize_kwarg(e, created) for e in v]
        return _MISSING if any(e is _MISSING for e in out) else out
    return v
