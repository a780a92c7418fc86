"""Keras 2's ``keras/backend_config.py``: the settings the backend functions and layers read
(floatx, epsilon, image_data_format). Re-exported by ``tensorforge.backend``; kept apart (it
imports nothing) because backend_ops/, which ``tensorforge.backend`` reaches, reads them too."""

_keras = {"image_data_format": "channels_last", "floatx": "float32", "epsilon": 1e-7}


def image_data_format():
    """'channels_last' (default) or 'channels_first': the default data_format of image layers."""
    return _keras["image_data_format"]


def set_image_data_format(data_format):
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("set_image_data_format: data_format must be 'channels_last' or "
                         f"'channels_first', got {data_format!r}")
    _keras["image_data_format"] = data_format


def floatx():
    """The default float dtype of the backend functions (K.variable, K.constant, K.placeholder,
    Python numbers): 'float32' unless set_floatx changed it. Layers compute in float32."""
    return _keras["floatx"]


_warned = set()


def set_floatx(value):
    """Keras 2's set_floatx: 'float32' or 'float64'. float64 is honoured by the backend
    functions only; layers and models keep computing in float32 (the kernels' working type),
    said once in a warning. 'float16' is refused: there are no float16 kernels."""
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"set_floatx: Unknown `floatx` value: {value}. Expected one of "
                         "{'float16', 'float32', 'float64'}")
    if value == "float16":
        raise ValueError("set_floatx: 'float16' is not supported by tensorforge (no float16 "
                         "kernels); use 'float32' or 'float64'")
    if value == "float64" and value not in _warned:
        _warned.add(value)
        import warnings
        warnings.warn("set_floatx('float64'): the backend functions (K.variable, K.constant, "
                      "K.placeholder, ...) now make float64; layers and models still compute "
                      "in float32", stacklevel=2)
    _keras["floatx"] = str(value)


def epsilon():
    """The fuzz factor Keras adds in losses and optimizers (1e-7)."""
    return _keras["epsilon"]


def set_epsilon(value):
    _keras["epsilon"] = float(value)
