"""The object graph of a ``tf.train.Checkpoint`` (Note [checkpoint object graph]): the name of
every variable is its path of attribute names from the checkpoint, as TensorFlow's
(``net/l1/kernel``), so a checkpoint restores into any structure with the same paths -- a new
model of the same class, or hand-built ``tf.train.Checkpoint`` objects standing in for the
model's layers (the TF checkpoint guide's ``Checkpoint(net=Checkpoint(l1=Checkpoint(bias=v)))``).

Note [checkpoint object graph]
The edges out of an object, TensorFlow's:
  - a ``tf.train.Checkpoint``: its keyword arguments and the attributes set on it later;
  - a Sequential or functional Keras model: ``layer_with_weights-<k>`` for its k-th layer
    that has weights (TensorFlow also names ``layer-<i>``; those hold no variables);
  - any other Keras layer or model, or a ``tf.Module``: its public attributes that hold
    variables, layers, modules or lists / tuples / dicts of them (``kernel``, ``l1``);
  - a list or tuple: ``0``, ``1``, ...; a dict: its keys.
Paths are found breadth first, edges in sorted order; a variable reached again by another
path (the guide's ``save.mapped = {'one': save.listed[0]}``) is stored once, under its first
path, and the other paths are recorded as its aliases, so a restore through either finds it.
A layer weight no attribute names (held in a private field) gets ``<layer path>/.weights/<i>``.
Optimizers and tf.data iterators are leaves with their own state (tf_checkpoint.py)."""
from ._variables import VARIABLES
from .autograd import Tensor

__all__ = ["walk"]


def _layer_class():
    from .engine.base_layer import Layer
    return Layer


def _is_optimizer(obj):
    return hasattr(obj, "get_state") and hasattr(obj, "set_state") and hasattr(obj, "iterations")


def _is_node(v):
    from .tf_data_iter import Iterator
    from .tf_module import Module
    if isinstance(v, (list, tuple, dict)):
        return True
    return hasattr(v, "_checkpoint_children") or isinstance(v, (_layer_class(), Module)) or \
        _is_optimizer(v) or isinstance(v, Iterator)


def _sorted_items(d):
    return sorted(d.items(), key=lambda kv: str(kv[0]))


def _edges(obj, owner_weights):
    """(edge name, child) pairs out of ``obj``; ``owner_weights`` the ids of obj's own
    variables when obj is a layer (a Tensor attribute among them is a variable leaf)."""
    if hasattr(obj, "_checkpoint_children"):
        return obj._checkpoint_children()
    if isinstance(obj, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        return [(str(k), v) for k, v in _sorted_items(obj)]
    if _is_optimizer(obj):
        return []
    if isinstance(obj, _layer_class()) and _is_layer_graph(obj):
        with_weights = [layer for layer in obj.layers if layer.weights]
        return [(f"layer_with_weights-{k}", layer) for k, layer in enumerate(with_weights)]
    out = []
    for name, v in _sorted_items(vars(obj)):
        if name.startswith("_"):
            continue
        if isinstance(v, Tensor):
            if id(v) in owner_weights or v in VARIABLES:
                out.append((name, v))
        elif _is_node(v):
            out.append((name, v))
    return out


def _is_layer_graph(layer):
    """A Sequential or functional model (a built Sequential is a graph network too)."""
    return bool(getattr(layer, "_is_graph_network", False))


def walk(roots):
    """Breadth first from ``roots`` ([(name, object)]): (variables, aliases, nodes, unbuilt):
    ``variables`` [(path, Tensor)] each variable once; ``aliases`` {other path: path};
    ``nodes`` [(path, object)] the optimizers and iterators; ``unbuilt`` [(path, layer)] the
    Keras layers and models that have no weights yet (their variables come with their build)."""
    variables, aliases, nodes, unbuilt, layers = [], {}, [], [], []
    var_path, seen = {}, set()
    queue = list(roots)
    while queue:
        path, obj = queue.pop(0)
        if isinstance(obj, Tensor):
            if id(obj) in var_path:
                aliases[path] = var_path[id(obj)]
            else:
                var_path[id(obj)] = path
                variables.append((path, obj))
            continue
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if _is_optimizer(obj) or not _is_node(obj):
            nodes.append((path, obj))
            continue
        own = set()
        if isinstance(obj, _layer_class()):
            if not obj.weights:
                unbuilt.append((path, obj))
                continue
            own = {id(w) for w in obj.weights}
            layers.append((path, obj))
        if type(obj).__name__ == "Iterator" and hasattr(obj, "_restore_position"):
            nodes.append((path, obj))
            continue
        queue.extend((f"{path}/{edge}", child) for edge, child in _edges(obj, own))
    for path, layer in layers:  # weights no attribute path reached
        for i, w in enumerate(layer.weights):
            if id(w) not in var_path:
                var_path[id(w)] = f"{path}/.weights/{i}"
                variables.append((f"{path}/.weights/{i}", w))
    return variables, aliases, nodes, unbuilt
