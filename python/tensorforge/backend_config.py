"""Keras 2's ``keras/backend_config.py``: the settings the backend functions and layers read
(floatx, epsilon, image_data_format and Keras 2.0-2.2's legacy image_dim_ordering).
Re-exported by ``tensorforge.backend``; kept apart (it imports nothing) because backend_ops/,
which ``tensorforge.backend`` reaches, reads them too."""

_keras = {"image_data_format": "channels_last", "floatx": "float32", "epsilon": 1e-7}


def image_data_format():
    """'channels_last' (default) or 'channels_first': the default data_format of image layers."""
    return _keras["image_data_format"]


def set_image_data_format(data_format):
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("set_image_data_format: data_format must be 'channels_last' or "
                         f"'channels_first', got {data_format!r}")
    _keras["image_data_format"] = data_format


def image_dim_ordering():
    """Keras 2.0-2.2's legacy getter of image_data_format: 'th' for channels_first, 'tf' for
    channels_last (tf.keras 2 dropped it; Keras 2.x books call it)."""
    return "th" if _keras["image_data_format"] == "channels_first" else "tf"


def set_image_dim_ordering(dim_ordering):
    """Keras 2.0-2.2's legacy setter: 'th' sets image_data_format to 'channels_first' (Theano's
    NCHW), 'tf' to 'channels_last'."""
    if dim_ordering not in ("tf", "th"):
        raise ValueError("set_image_dim_ordering: dim_ordering must be 'tf' or 'th', got "
                         f"{dim_ordering!r}")
    _keras["image_data_format"] = "channels_first" if dim_ordering == "th" else "channels_last"


def floatx():
    """The default float dtype of the backend functions (K.variable, K.constant, K.placeholder,
    Python numbers) and of the layers made from now on (Keras 2's global dtype policy): 'float32'
    unless set_floatx changed it."""
    return _keras["floatx"]


def set_floatx(value):
    """Keras 2's set_floatx: 'float32' or 'float64'. Layers made afterwards (with no dtype= of
    their own) have float64 weights and compute in float64, as Keras 2's do (See Note [float64
    kernels] in kernels/_common.py). 'float16' is refused: there are no float16 kernels."""
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"set_floatx: Unknown `floatx` value: {value}. Expected one of "
                         "{'float16', 'float32', 'float64'}")
    if value == "float16":
        raise ValueError("set_floatx: 'float16' is not supported by tensorforge (no float16 "
                         "kernels); use 'float32' or 'float64'")
    _keras["floatx"] = str(value)


def epsilon():
    """The fuzz factor Keras adds in losses and optimizers (1e-7)."""
    return _keras["epsilon"]


def set_epsilon(value):
    _keras["epsilon"] = float(value)
