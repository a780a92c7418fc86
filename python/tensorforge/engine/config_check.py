"""Structure checks for model configs read from outside (from_config, model_from_json,
load_model): a crafted or damaged config -- a missing key, a wrong type, a bad inbound-node
reference, absurd nesting -- is a ValueError or TypeError that says where, never a KeyError,
IndexError, AttributeError or RecursionError from deep inside the rebuild (issue 16).

Only the structure is checked here; the layers' own constructors check their arguments.
"""
from .tf_op_symbols import CONSTANT, node_leaves

MAX_DEPTH = 64  # Keras 2 configs nest a few levels (a model in a wrapper in a model ...)


def _where(path):
    return "config" + "".join(f"[{p!r}]" for p in path)


def check_depth(obj, limit=MAX_DEPTH):
    """ValueError if ``obj`` nests dicts/lists deeper than ``limit`` (iterative: no recursion)."""
    stack = [(obj, 0)]
    while stack:
        o, d = stack.pop()
        if d > limit:
            raise ValueError(f"model config: nested more than {limit} levels deep")
        if isinstance(o, dict):
            stack.extend((v, d + 1) for v in o.values())
        elif isinstance(o, (list, tuple)):
            stack.extend((v, d + 1) for v in o)


def mapping(obj, what, path=()):
    if not isinstance(obj, dict):
        raise TypeError(f"{what}: {_where(path)} must be a dict, got {type(obj).__name__}")
    return obj


def key(obj, name, what, path=(), types=None):
    if name not in obj:
        raise ValueError(f"{what}: {_where(path)} has no {name!r} entry")
    v = obj[name]
    if types is not None and not isinstance(v, types):
        want = " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
        raise TypeError(f"{what}: {_where(path + (name,))} must be a {want}, got {type(v).__name__}")
    return v


def layer_spec(spec, what, path=()):
    """(class_name, config) of a {"class_name": str, "config": dict} layer entry."""
    mapping(spec, what, path)
    return key(spec, "class_name", what, path, str), key(spec, "config", what, path, dict)


def sequential(config, what="Sequential.from_config"):
    check_depth(config)
    mapping(config, what)
    layers = key(config, "layers", what, (), list)
    for i, spec in enumerate(layers):
        layer_spec(spec, what, ("layers", i))
    return layers


def node_ref(entry, what, path):
    """(layer name, node index, tensor index, kwargs) of an inbound-node / input / output
    reference [name, node, tensor(, kwargs)]."""
    if not isinstance(entry, (list, tuple)) or not 3 <= len(entry) <= 4:
        raise ValueError(f"{what}: {_where(path)} must be [layer_name, node_index, tensor_index"
                         f"(, kwargs)], got {entry!r}")
    name, ni, ti = entry[0], entry[1], entry[2]
    kw = entry[3] if len(entry) > 3 else {}
    if not isinstance(name, str) or any(isinstance(i, bool) or not isinstance(i, int) or i < 0
                                        for i in (ni, ti)):
        raise ValueError(f"{what}: {_where(path)} must be [layer_name, node_index, tensor_index] "
                         f"(a str and two ints >= 0), got {entry!r}")
    if kw is not None and not isinstance(kw, dict):
        raise TypeError(f"{what}: {_where(path)}: call kwargs must be a dict, got {type(kw).__name__}")
    return name, ni, ti, kw or {}


def constant_or_ref(entry, what, path):
    """A leaf of an inbound node: a tensor reference, or a TF op's constant first argument
    [CONSTANT, -1, value(, kwargs)] (tf_keras 2)."""
    if isinstance(entry, (list, tuple)) and entry and entry[0] == CONSTANT:
        if not 3 <= len(entry) <= 4 or entry[1] != -1 or (
                len(entry) == 4 and entry[3] is not None and not isinstance(entry[3], dict)):
            raise ValueError(f"{what}: {_where(path)} must be [{CONSTANT!r}, -1, value(, kwargs)], "
                             f"got {entry!r}")
        return
    node_ref(entry, what, path)


def is_named_node(node):
    """tf_keras 2's inbound node of a layer called on a dict ({feature name: [layer, node,
    tensor, kwargs]}), as against Keras 3's {"args": ..., "kwargs": ...}."""
    return isinstance(node, dict) and bool(node) and not ({"args", "kwargs"} & set(node)) and \
        all(isinstance(v, list) for v in node.values())


def graph(config, what="Model.from_config", dict_nodes=False):
    """Checks a functional config; returns its layer entries. ``dict_nodes``: inbound nodes may
    also be {"args": [refs]} (what the Keras .h5 reader takes)."""
    check_depth(config)
    mapping(config, what)
    layers = key(config, "layers", what, (), list)
    names = set()
    for i, spec in enumerate(layers):
        _, cfg = layer_spec(spec, what, ("layers", i))
        name = spec.get("name", cfg.get("name"))
        if name is not None:
            if name in names:
                raise ValueError(f"{what}: layer name {name!r} is used twice; layer names must be unique")
            names.add(name)
        nodes = spec.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise TypeError(f"{what}: {_where(('layers', i, 'inbound_nodes'))} must be a list, got "
                            f"{type(nodes).__name__}")
        for j, node in enumerate(nodes):
            if is_named_node(node):  # tf_keras 2: a layer called on a dict of named tensors
                for k, entry in node.items():
                    node_ref(entry, what, ("layers", i, "inbound_nodes", j, k))
                continue
            if isinstance(node, dict) and dict_nodes:
                node = key(node, "args", what, ("layers", i, "inbound_nodes", j), list)
            if isinstance(node, dict):
                raise ValueError(f"{what}: unsupported inbound node format (Keras 3) at "
                                 f"{_where(('layers', i, 'inbound_nodes', j))}")
            if not isinstance(node, list):
                raise TypeError(f"{what}: {_where(('layers', i, 'inbound_nodes', j))} must be a list")
            try:
                leaves = node_leaves(node)
            except ValueError as e:
                raise ValueError(f"{what}: {_where(('layers', i, 'inbound_nodes', j))}: {e}") from None
            for k, entry in enumerate(leaves):
                constant_or_ref(entry, what, ("layers", i, "inbound_nodes", j, k))
    for side in ("input_layers", "output_layers"):
        refs = key(config, side, what, (), (list, dict))
        items = refs.items() if isinstance(refs, dict) else enumerate(
            [refs] if refs and not isinstance(refs[0], (list, tuple)) else refs)
        if not refs:
            raise ValueError(f"{what}: {_where((side,))} is empty")
        for k, entry in items:
            name = node_ref(entry, what, (side, k))[0]
            if name not in names:
                raise ValueError(f"{what}: {_where((side, k))} names layer {name!r}, which is not "
                                 "in the config")
    return layers
