"""Keras 2 ``model_config`` <-> tensorforge models (Sequential and functional).

Sequential: ``{"class_name": "Sequential", "config": {"name", "layers": [...]}}`` (Keras 2.0 /
2.1 wrote the layer list as the config itself; tf.keras 2.x starts it with an InputLayer).
Functional: ``{"class_name": "Functional" | "Model", "config": {"name", "layers": [{"class_name",
"config", "name", "inbound_nodes": [[["<layer>", node_index, tensor_index, {}], ...]]}, ...],
"input_layers": [["<layer>", 0, 0], ...], "output_layers": [...]}}``. A functional graph is
rebuilt by calling each layer on its inbound tensors through the public functional API
(``Input``, ``layer(x)``, ``Model(inputs, outputs)``), in the order Keras 2's ``from_config``
uses: a node is made once every tensor it reads exists.

Every layer is created (and its class and arguments checked) before the model is assembled, so
a config with a layer tensorforge lacks raises before anything is built.

Model.save reaches this module, so it imports neither model class: Sequential and Model are
found in the layer registry, as engine/saving.py finds them.
"""
from .. import layers as _layers
from ..engine.serialization import get_layer_class
from ..engine import config_check as _config_check
from ..engine import tf_op_symbols as _tf_sym
from . import keras_config as _kc

__all__ = ["model_from_config", "model_to_config"]


def _sequential(cfg, source, custom_objects):
    if isinstance(cfg, list):
        cfg = {"layers": cfg}
    built = [_kc.layer_from_keras(spec, source, custom_objects,
                                  model_from_config=model_from_config)
             for spec in cfg.get("layers", [])]
    model = get_layer_class("Sequential")(name=cfg.get("name"))
    for layer in built:
        model.add(layer)
    if not model.built:
        shape = cfg.get("build_input_shape")
        if shape:
            model.build(tuple(shape))
        else:
            raise ValueError(f"{source}: the Sequential model has no input shape (Keras saved "
                             "it unbuilt); nothing to load weights into")
    return model


def _functional_api():
    Input = getattr(_layers, "Input", None)
    Model = get_layer_class("Model")
    if Input is None:
        raise ValueError("functional Keras models need tensorforge's functional API "
                         "(tensorforge.layers.Input), which this build lacks")
    return Input, Model


def _is_tensor_ref(v):
    """A call keyword argument naming a graph tensor, [layer, node, tensor] as Keras 2 writes
    it (MultiHeadAttention's value=, key=, attention_mask=)."""
    return (isinstance(v, list) and len(v) == 3 and isinstance(v[0], str)
            and isinstance(v[1], int) and isinstance(v[2], int))


def _tensor_refs(kwargs):
    refs = []
    for v in kwargs.values():
        if _is_tensor_ref(v):
            refs.append(v)
        elif isinstance(v, list):
            refs.extend(e for e in v if _is_tensor_ref(e))
    return refs


def _call_kwarg(v, outputs, source, name):
    if _is_tensor_ref(v):
        return outputs[(v[0], v[1])][v[2]]
    if isinstance(v, list):
        return [_call_kwarg(e, outputs, source, name) for e in v]
    if isinstance(v, dict) and all(isinstance(k, str) for k in v):  # a TF op's slice_spec
        return {k: _call_kwarg(e, outputs, source, name) for k, e in v.items()}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise ValueError(f"{source}: layer {name!r} is called with the argument {v!r}, which the "
                     "loader does not support")


def _functional(cfg, source, custom_objects):
    Input, Model = _functional_api()
    specs = cfg["layers"]
    created = {}
    for spec in specs:  # every layer first: an unknown class fails before any graph exists
        name = spec.get("name") or spec["config"]["name"]
        if spec["class_name"] == "InputLayer":
            c = spec["config"]
            shape = c.get("batch_input_shape") or c.get("batch_shape")
            if shape is None:
                raise ValueError(f"{source}: input layer {name!r} has no batch_input_shape")
            dtype = _kc._dtype_name(c.get("dtype"))
            created[name] = ("input", (shape, dtype if dtype in _kc._KEPT_INPUT_DTYPES else None))
        else:
            created[name] = ("layer", _kc.layer_from_keras(spec, source, custom_objects,
                                                           model_from_config=model_from_config))
    outputs = {}  # (layer name, node index) -> list of output tensors

    for name, (kind, obj) in created.items():
        if kind == "input":
            shape, dtype = obj
            x = Input(shape=tuple(shape[1:]), batch_size=shape[0], name=name, dtype=dtype)
            outputs[(name, 0)] = [x]

    pending = []
    for spec in specs:
        name = spec.get("name") or spec["config"]["name"]
        if created[name][0] == "layer":
            # A nested graph model's node 0 is its own inner graph: the file numbers its calls
            # in this model from 1 (Keras 2's _should_skip_first_node).
            skip = int(bool(getattr(created[name][1], "_is_graph_network", False)))
            for i, node in enumerate(spec.get("inbound_nodes") or []):
                pending.append((name, i + skip, node))
    while pending:
        progressed, rest = False, []
        for name, i, node in pending:
            named = _config_check.is_named_node(node)  # a dict of named inputs (tf_keras 2)
            entries = list(node.values()) if named else _tf_sym.node_leaves(
                node["args"] if isinstance(node, dict) else node)
            kwargs = {}
            for e in entries:
                if len(e) > 3 and e[3]:
                    kwargs.update(e[3])
            refs = [e for e in entries if e[0] != _tf_sym.CONSTANT] + _tensor_refs(kwargs)
            if not all((e[0], e[1]) in outputs for e in refs):
                rest.append((name, i, node))
                continue
            if any(e[2] >= len(outputs[(e[0], e[1])]) for e in refs):
                raise ValueError(f"{source}: layer {name!r} asks for an output its inbound layer "
                                 f"does not have: {refs!r}")
            ins = [e[2] if e[0] == _tf_sym.CONSTANT else outputs[(e[0], e[1])][e[2]]
                   for e in entries]
            kwargs = {k: _call_kwarg(v, outputs, source, name) for k, v in kwargs.items()}
            layer = created[name][1]
            if getattr(layer, "_preserve_input_structure_in_config", False):  # a TF op layer
                y = layer.rebuild(_tf_sym.pack_node(node, ins), kwargs)
            else:
                arg = dict(zip(node, ins)) if named else ins[0] if len(ins) == 1 else ins
                y = layer(arg, **kwargs)
            outputs[(name, i)] = list(y) if isinstance(y, (list, tuple)) else [y]
            progressed = True
        if not progressed:
            raise ValueError(f"{source}: the functional graph references layers that never "
                             f"produce their inputs: {[p[0] for p in rest]}")
        pending = rest

    def one(r):  # (config_check.graph has checked its form)
        outs = outputs.get((r[0], r[1]))
        if outs is None or r[2] >= len(outs):
            raise ValueError(f"{source}: the model's input/output reference {list(r)!r} names "
                             "no tensor of the rebuilt graph")
        return outs[r[2]]

    def pick(refs):
        """The model's inputs / outputs: a dict of references (a model called on a dict, as
        tf_keras 2 writes it) stays a dict; one bare reference or a list of them, a tensor or
        a list."""
        if isinstance(refs, dict):
            return {k: one(r) for k, r in refs.items()}
        if isinstance(refs, (list, tuple)) and refs and isinstance(refs[0], str):
            return one(refs)
        got = [one(r) for r in refs]
        return got if len(got) != 1 else got[0]

    return Model(inputs=pick(cfg["input_layers"]), outputs=pick(cfg["output_layers"]),
                 name=cfg.get("name"))


def model_from_config(mc, source="<config>", custom_objects=None):
    """A tensorforge model from a Keras 2 model_config dict."""
    from ..engine import config_check
    config_check.check_depth(mc)
    config_check.mapping(mc, f"{source}: model_config")
    cls = mc.get("class_name")
    cfg = mc.get("config")
    if cls == "Sequential":
        config_check.sequential(cfg, f"{source}: model_config")
        return _sequential(cfg, source, custom_objects)
    if cls in ("Functional", "Model"):
        config_check.graph(cfg, f"{source}: model_config", dict_nodes=True)
        return _functional(cfg, source, custom_objects)
    raise ValueError(f"{source}: the model class {cls!r} is not supported (Sequential or "
                     "functional Model)")


def _input_layer_config(name, shape, dtype="float32"):
    return {"class_name": "InputLayer",
            "config": {"batch_input_shape": list(shape), "dtype": dtype, "sparse": False,
                       "ragged": False, "name": name}}


def model_to_config(model):
    """The Keras 2 model_config dict of a tensorforge model."""
    sequential = hasattr(type(model), "_from_sequential_config")  # a Sequential (engine/)
    if not sequential and not getattr(model, "_is_graph_network", False):
        # Keras 2 refuses too: written as a Sequential of its layers, it would come back as
        # another class whose call() is not the model's
        raise NotImplementedError(
            f"save: saving the model to HDF5 format requires the model to be a Functional "
            f"model or a Sequential model; {type(model).__name__} is a subclassed model: save "
            "it to a .keras file (its get_config and weights), or use save_weights")
    if sequential:
        if not model.layers:
            raise ValueError("save: the model has no layers")
        first = model.get_config()["layers"][0]
        name = first["config"].get("name") if first["class_name"] == "InputLayer" else None
        layers = [_input_layer_config(name or model.layers[0].name + "_input", model.input_shape,
                                      getattr(model, "_input_dtype", None) or "float32")]
        layers += [_kc.layer_to_keras(l) for l in model.layers]
        return {"class_name": "Sequential", "config": {"name": model.name, "layers": layers}}
    cfg = model.get_config()  # the functional topology, Keras 2's structure (engine/)
    nested = {e["name"] for e in cfg["layers"]
              if getattr(model.get_layer(e["name"]), "_is_graph_network", False)}
    # Keras 2 numbers a nested graph model's calls from 1 (its node 0 is its inner graph); a
    # topology that numbers them from 0 is shifted so Keras 2 can read it.
    def leaves(node):  # (a dict: a layer called on named inputs, tf_keras 2's layout)
        return list(node.values()) if isinstance(node, dict) else _tf_sym.node_leaves(node)

    def refs(node):  # the node's references, its call keyword arguments' (op layers') included
        return leaves(node) + [r for e in leaves(node) if len(e) > 3 and isinstance(e[3], dict)
                               for r in _tensor_refs(e[3])]

    def moved(v):  # a [layer, node, tensor] reference, or a call argument holding them
        if _is_tensor_ref(v):
            return [v[0], v[1] + (v[0] in shift), v[2]]
        return [moved(e) for e in v] if isinstance(v, list) else v

    def shifted(ref):
        head = list(ref[:3]) if ref[0] == _tf_sym.CONSTANT else moved(list(ref[:3]))
        if len(ref) > 3 and isinstance(ref[3], dict):
            return head + [{k: moved(v) for k, v in ref[3].items()}]
        return head + list(ref[3:])

    shift = {n for n in nested if any(ref[0] == n and ref[1] == 0 for e in cfg["layers"]
                                      for node in e.get("inbound_nodes") or []
                                      for ref in refs(node))}
    out = []
    for entry in cfg["layers"]:
        layer = model.get_layer(entry["name"])
        if entry["class_name"] == "InputLayer" or isinstance(layer, _layers.InputLayer):
            spec = _input_layer_config(layer.name, layer.batch_input_shape, layer.dtype)
        elif entry["name"] in nested:
            spec = model_to_config(layer)
        else:
            spec = _kc.layer_to_keras(layer)
        nodes = [{k: shifted(r) for k, r in node.items()} if isinstance(node, dict) else
                 _tf_sym.pack_node(node, [shifted(r) for r in leaves(node)])
                 for node in entry.get("inbound_nodes") or []]
        out.append(dict(entry, class_name=spec["class_name"], config=spec["config"],
                        inbound_nodes=nodes))
    return {"class_name": "Functional", "config": dict(cfg, layers=out)}
