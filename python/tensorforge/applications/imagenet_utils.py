"""ImageNet input preprocessing and prediction decoding (Keras 2's
keras/applications/imagenet_utils.py), and the input-shape rules every application shares.

``preprocess_input(x, mode)``: 'caffe' flips RGB to BGR and subtracts the ImageNet channel means
(VGG, ResNet v1); 'tf' scales to [-1, 1] (MobileNets, Xception, Inception, ResNet v2); 'torch'
scales to [0, 1] and normalizes each channel by ImageNet's mean and std (DenseNet). A float NumPy
array is changed in place and returned, as in Keras 2 (``np.copy`` it to keep the original); an
integer array is converted to float32 first; a Tensor or a symbolic (KerasTensor) input gives a
new tensor, so ``x = preprocess_input(inputs)`` works inside a functional model.

``decode_predictions`` reads the class index Keras 2 caches as
~/.keras/models/imagenet_class_index.json (nothing downloads; a missing file raises
FileNotFoundError naming the places and the URL).
"""
import json
import warnings

import numpy as np

__all__ = ["preprocess_input", "decode_predictions", "obtain_input_shape", "correct_pad",
           "validate_activation"]

CLASS_INDEX = None
CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")
_CAFFE_MEAN = (103.939, 116.779, 123.68)  # B, G, R
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


def _data_format(data_format):
    from .. import backend
    if data_format is None:
        return backend.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("Expected data_format to be one of `channels_first` or "
                         f"`channels_last`. Received: data_format={data_format}")
    return data_format


def _channel_view(x, data_format, c):
    """The index of channel ``c`` of a 3-D or 4-D image batch."""
    if data_format == "channels_last":
        return (Ellipsis, c)
    return (c,) if x.ndim == 3 else (slice(None), c)


def _flip_channels(x, data_format):
    if data_format == "channels_last":
        return x[..., ::-1]
    return x[::-1, ...] if x.ndim == 3 else x[:, ::-1, ...]


def _preprocess_numpy(x, data_format, mode):
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype("float32", copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = _flip_channels(x, data_format)
        mean, std = _CAFFE_MEAN, None
    for c in range(3):
        x[_channel_view(x, data_format, c)] -= mean[c]
        if std is not None:
            x[_channel_view(x, data_format, c)] /= std[c]
    return x


def _preprocess_tensor(x, data_format, mode):
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        x = x / 255.0
        mean, std = np.array(_TORCH_MEAN), np.array(_TORCH_STD)
    else:
        x = _flip_channels(x, data_format)
        mean, std = np.array(_CAFFE_MEAN), None
    shape = (3,) if data_format == "channels_last" else (3, 1, 1)
    x = x - mean.reshape(shape).astype("float32")
    if std is not None:
        x = x / std.reshape(shape).astype("float32")
    return x


def preprocess_input(x, data_format=None, mode="caffe"):
    """Keras 2's ``imagenet_utils.preprocess_input``: a batch (or one image) of RGB values in
    [0, 255], 3 or 4 dimensions, 3 channels, preprocessed as ``mode`` says (module docstring)."""
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError("Expected mode to be one of `caffe`, `tf` or `torch`. "
                         f"Received: mode={mode}")
    data_format = _data_format(data_format)
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    if isinstance(x, (list, tuple)) or np.isscalar(x):
        return _preprocess_numpy(np.asarray(x, dtype="float32"), data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def _class_index():
    global CLASS_INDEX
    if CLASS_INDEX is None:
        from ..utils.data_utils import get_file
        # no file_hash (Keras 2 passes one): a mismatch there means "download again", which
        # tensorforge never does; any class index of this layout is read
        path = get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models")
        with open(path) as f:
            CLASS_INDEX = json.load(f)
    return CLASS_INDEX


def decode_predictions(preds, top=5):
    """[[(class_id, class_name, score), ...] per sample], the ``top`` best first, of a
    (samples, 1000) batch of ImageNet predictions (Keras 2's ``decode_predictions``)."""
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         f"of shape (samples, 1000)). Found array with shape: {preds.shape}")
    index = _class_index()
    results = []
    for pred in preds:
        top_indices = pred.argsort()[-top:][::-1]
        result = [tuple(index[str(i)]) + (pred[i],) for i in top_indices]
        result.sort(key=lambda r: r[2], reverse=True)
        results.append(result)
    return results


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten,
                       weights=None):
    """The model's input shape (Keras 2's rules): the default square one when none is given
    and the top is kept, else ``input_shape`` checked (3 dimensions, 3 channels with ImageNet
    weights, at least ``min_size`` pixels a side); (None, None, 3) without a top."""
    first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        ch = input_shape[0] if first else input_shape[-1]
        if ch not in (1, 3):
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was "
                          f"passed an input_shape with {ch} input channels.", stacklevel=3)
        default_shape = (ch, default_size, default_size) if first else \
            (default_size, default_size, ch)
    else:
        default_shape = (3, default_size, default_size) if first else \
            (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}.  Received: "
                             f"input_shape={input_shape}")
        return default_shape
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        ch = input_shape[0] if first else input_shape[-1]
        rows_cols = input_shape[1:] if first else input_shape[:2]
        if ch != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received "
                             f"`input_shape={input_shape}`")
        if any(s is not None and s < min_size for s in rows_cols):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static "
                         f"`input_shape`. Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs, kernel_size):
    """The ((top, bottom), (left, right)) zero padding before a stride-2 'valid' convolution
    that centres the kernel as TensorFlow's 'same' does (Keras 2's ``correct_pad``)."""
    from .. import backend
    axis = 2 if backend.image_data_format() == "channels_first" else 1
    size = tuple(inputs.shape)[axis:axis + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights):
    """With pretrained weights the classifier's activation must be None or softmax."""
    if weights is None:
        return
    from .. import activations
    act = activations.get(classifier_activation)
    if act not in (activations.get("softmax"), activations.get(None)):
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, with "
                         f"`include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")
