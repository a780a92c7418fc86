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
    """The float dtype layers compute in: always 'float32' (the kernels' working type)."""
    return _keras["floatx"]


def epsilon():
    """The fuzz factor Keras adds in losses and optimizers (1e-7)."""
    return _keras["epsilon"]


def set_epsilon(value):
    _keras["epsilon"] = float(value)
