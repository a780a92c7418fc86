"""A layer passed as another layer's activation (``Dense(100, activation=PReLU())``,
``Conv2D(..., activation=LeakyReLU(0.1))``): Keras 2 tracks it as a sublayer and builds it at
the owner's first call, so its weights (PReLU's alpha) are the owner's from the model's
construction on: counted by summary(), trained by fit, named as tf_keras names them
(``dense/p_re_lu/alpha:0``). The owner's _maybe_build builds it here, for the owner's output
shape."""
from . import weight_scope as _weight_scope
from .input_spec import is_shape


def build_activation_layer(layer, input_shape):
    act = layer.__dict__.get("activation")
    if act is None or act is layer or not hasattr(act, "_maybe_build") or act.built:
        return
    try:
        out = layer.compute_output_shape(input_shape)
    except Exception:  # noqa: BLE001 -- then it builds at its first call, as before
        return
    if is_shape(out):
        with _weight_scope.scope(layer, act.name):  # dense/p_re_lu/alpha:0, as tf_keras
            act._maybe_build(out)
