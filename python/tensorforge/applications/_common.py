"""What every application shares around its layers (Keras 2 repeats it in each module):
checking ``weights`` / ``classes`` / ``pooling``, making or taking the input tensor, the
pooling or classifier head, and loading the weights.

Weights: ``weights='imagenet'`` never downloads. It loads the file Keras 2 caches, under the
exact name Keras 2 gives it, from ~/.keras/models (or $KERAS_HOME/models; See
utils/data_utils.get_file); a missing file raises FileNotFoundError naming the file, the places
looked at and the URL to fetch it from. ``weights=<path>`` loads that file. Either goes through
``model.load_weights`` (Keras 2's HDF5 layout, by layer order, as Keras 2 loads them).
"""
import os

__all__ = ["check_args", "image_input", "source_inputs", "head", "finish"]

_POOLING = (None, "avg", "max")


def check_args(weights, include_top, classes, pooling):
    """Keras 2's argument checks, plus ``pooling`` (Keras 2 ignores an unknown value and returns
    the 4-D feature map; a typo there is an error here)."""
    if not (weights in ("imagenet", None) or os.path.exists(os.fspath(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), `imagenet` (pre-training on ImageNet), or the path to "
                         f"the weights file to be loaded.  Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with `include_top` as true, '
                         f"`classes` should be 1000.  Received: classes={classes}")
    if pooling not in _POOLING:
        raise ValueError("The `pooling` argument should be one of None, 'avg' or 'max'. "
                         f"Received: pooling={pooling!r}")
    from .. import backend
    if backend.image_data_format() != "channels_last":
        raise NotImplementedError("keras.applications: only image_data_format() == "
                                  "'channels_last' is supported")


def image_input(input_tensor, input_shape):
    """The model's input tensor: a new Input of ``input_shape``, or ``input_tensor`` itself
    when it is a symbolic (Keras) tensor."""
    from ..engine.input_layer import Input
    from ..symbolic.node import KerasTensor
    if input_tensor is None:
        return Input(shape=input_shape)
    if not isinstance(input_tensor, KerasTensor):
        raise ValueError("`input_tensor` must be a Keras tensor (the output of "
                         f"`keras.Input()` or of a layer); Received: {type(input_tensor)}")
    return input_tensor


def source_inputs(tensor):
    """The Input tensors ``tensor`` is computed from (Keras 2's
    ``layer_utils.get_source_inputs``), in graph order, each once."""
    out, seen, stack = [], set(), [tensor]
    while stack:
        t = stack.pop()
        layer, node_index, _ = t._keras_history
        node = layer._inbound_nodes[node_index]
        if node.is_input:
            if id(t) not in seen:
                seen.add(id(t))
                out.append(t)
        else:
            stack.extend(reversed(node.keras_inputs))
    return out


def head(x, include_top, pooling, classes, classifier_activation, weights,
         avg_name=None, max_name=None):
    """The usual end: global average pooling and a Dense classifier named 'predictions', or
    the optional pooling of a headless model (layer names as Keras 2 gives them per family)."""
    from .. import layers
    from .imagenet_utils import validate_activation
    if include_top:
        x = layers.GlobalAveragePooling2D(name=avg_name)(x)
        validate_activation(classifier_activation, weights)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def finish(img_input, input_tensor, x, name, weights, imagenet_file=None):
    """The Model, its weights loaded: ``imagenet_file`` is (file name, URL, md5 hash or None),
    the file Keras 2 would download for ``weights='imagenet'``."""
    from ..models import Model
    inputs = source_inputs(input_tensor) if input_tensor is not None else img_input
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    model = Model(inputs, x, name=name)
    if weights == "imagenet":
        from ..utils.data_utils import get_file
        fname, url, file_hash = imagenet_file
        model.load_weights(get_file(fname, url, cache_subdir="models", file_hash=file_hash))
    elif weights is not None:
        model.load_weights(weights)
    return model
