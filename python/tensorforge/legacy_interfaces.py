"""Keras 1 argument names, converted as Keras 2.0-2.2 converted them (keras/legacy/interfaces.py).

Note [Keras 1 arguments]
~~~~~~~~~~~~~~~~~~~~~~~~
Keras 2.0-2.2 still ran Keras 1 calls -- ``Dense(output_dim=64, init='uniform')``,
``Convolution2D(32, 3, 3, border_mode='same')``, ``LSTM(output_dim=32, dropout_W=0.2)``,
``MaxPooling1D(pool_length=2)``, ``Dropout(p=0.5)``, ``Model(input=a, output=b)``,
``fit_generator(gen, samples_per_epoch=N, nb_epoch=E)`` -- renaming each argument to its Keras 2
name with a warning ("Update your `Dense` call to the Keras 2 API: ..."). A great many programs
of that time (2017-2018 books, blogs and keras-team's own examples) depend on it; tf.keras 2
dropped it, so they fail there. Here each entry point of ``_TABLE`` takes them as Keras 2.2
did, with its warning: the renamings, the value conversions (``dim_ordering`` 'tf' / 'th',
``consume_less`` 'cpu' / 'mem' / 'gpu'), and the argument rewrites of its preprocessors:

- ``Conv2D(32, 3, 3)``: three positional integers were Keras 1's ``nb_filter, nb_row,
  nb_col``: kernel (3, 3) -- Keras 2.2's reading. tf.keras reads the third as ``strides``; Keras
  2.2 refused the call when ``padding`` / ``strides`` / ``data_format`` were also given, so such
  a call (which only tf.keras ran) keeps tf.keras' reading. ``Conv3D`` likewise with five.
- recurrent ``forget_bias_init='one'`` is ``unit_forget_bias=True`` (another value is dropped
  with a warning); Embedding's ``dropout`` is dropped with Keras 2.2's warning (use
  SpatialDropout1D); ``BatchNormalization(mode=0)`` is dropped, another mode is a TypeError;
  ``Conv2DTranspose``'s Keras 1 ``output_shape`` is dropped; ZeroPadding2D's dict padding
  (top_pad, ...) becomes ((top, bottom), (left, right)).
- ``fit_generator(samples_per_epoch=N)``: N // generator.batch_size steps when the generator
  has a batch_size (an ImageDataGenerator flow), else N, as Keras 2.2; ``nb_val_samples`` /
  ``val_samples`` become ``validation_steps`` / ``steps`` unchanged, with Keras 2.2's warning
  that their meaning changed.
A Keras 1 name given together with its Keras 2 name is a TypeError naming both.
"""
import functools
import warnings

import numpy as np

_DIM_ORDERING = {"tf": "channels_last", "th": "channels_first", "default": None}
_VALUES = {"dim_ordering": _DIM_ORDERING, "consume_less": {"cpu": 0, "mem": 1, "gpu": 2}}

_WEIGHTS = [("init", "kernel_initializer"), ("W_regularizer", "kernel_regularizer"),
            ("b_regularizer", "bias_regularizer"), ("W_constraint", "kernel_constraint"),
            ("b_constraint", "bias_constraint"), ("bias", "use_bias")]
_CONV = [("nb_filter", "filters"), ("subsample", "strides"), ("border_mode", "padding"),
         ("dim_ordering", "data_format")]
_RECURRENT = [("output_dim", "units"), ("init", "kernel_initializer"),
              ("inner_init", "recurrent_initializer"),
              ("inner_activation", "recurrent_activation"),
              ("W_regularizer", "kernel_regularizer"), ("b_regularizer", "bias_regularizer"),
              ("U_regularizer", "recurrent_regularizer"), ("dropout_W", "dropout"),
              ("dropout_U", "recurrent_dropout"), ("consume_less", "implementation")]
_POOL1D = [("pool_length", "pool_size"), ("stride", "strides"), ("border_mode", "padding")]
_POOL = [("border_mode", "padding"), ("dim_ordering", "data_format")]
_DIM = [("dim_ordering", "data_format")]
_DROPOUT = [("p", "rate")]
_GENERATOR = [("samples_per_epoch", "steps_per_epoch"), ("val_samples", "steps"),
              ("nb_epoch", "epochs"), ("nb_val_samples", "validation_steps"),
              ("nb_worker", "workers"), ("pickle_safe", "use_multiprocessing"),
              ("max_q_size", "max_queue_size")]


# ---- the preprocessors: (args, kwargs) -> (args, kwargs) for what a renaming cannot say -------

def _kernel_from_ints(n):
    """Keras 1's ``ConvND(nb_filter, d1, ..., dn)`` (``nb_row`` / ``nb_col``, ``kernel_dim1..3``
    as keywords too): the kernel size; n integers after the filters keep tf.keras' reading when
    a Keras 2 argument is also given (See Note [Keras 1 arguments])."""
    dims = ("nb_row", "nb_col") if n == 2 else ("kernel_dim1", "kernel_dim2", "kernel_dim3")

    def pre(name, args, kwargs):
        k = len(args)
        if k == n + 1 and all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                              for a in args[1:]):
            if not any(key in kwargs for key in ("padding", "strides", "data_format")):
                args = (args[0], tuple(int(a) for a in args[1:]))
        elif 1 <= k <= n and all(d in kwargs for d in dims[k - 1:]):
            args = (args[0], tuple(args[1:]) + tuple(kwargs.pop(d) for d in dims[k - 1:]))
        elif k == 0 and all(d in kwargs for d in dims):
            kwargs["kernel_size"] = tuple(kwargs.pop(d) for d in dims)
        return args, kwargs
    return pre


def _separable(name, args, kwargs):
    if "init" in kwargs:
        init = kwargs.pop("init")
        kwargs.setdefault("depthwise_initializer", init)
        kwargs.setdefault("pointwise_initializer", init)
    return _kernel_from_ints(2)(name, args, kwargs)


def _deconv(name, args, kwargs):
    if len(args) == 4 and isinstance(args[3], (tuple, list)):  # (filters, rows, cols, output_shape)
        args = args[:3]
    kwargs.pop("output_shape", None)
    return _kernel_from_ints(2)(name, args, kwargs)


def _recurrent(name, args, kwargs):
    if "forget_bias_init" in kwargs:
        if kwargs.pop("forget_bias_init") == "one":
            kwargs["unit_forget_bias"] = True
        else:
            warnings.warn("The `forget_bias_init` argument has been ignored. Use "
                          "`unit_forget_bias=True` instead to initialize with ones.",
                          stacklevel=4)
    return args, kwargs


def _conv_lstm(name, args, kwargs):
    return _kernel_from_ints(2)(name, *_recurrent(name, args, kwargs))


def _embedding(name, args, kwargs):
    if "dropout" in kwargs:
        kwargs.pop("dropout")
        warnings.warn("The `dropout` argument is no longer support in `Embedding`. You can apply "
                      "a `keras.layers.SpatialDropout1D` layer right after the `Embedding` layer "
                      "to get the same behavior.", stacklevel=4)
    return args, kwargs


def _batchnorm(name, args, kwargs):
    if "mode" in kwargs:
        if kwargs.pop("mode") != 0:
            raise TypeError("BatchNormalization: the `mode` argument no longer exists; `mode=1` "
                            "and `mode=2` are no longer supported (Keras 2)")
    return args, kwargs


def _zeropadding2d(name, args, kwargs):
    sides = ("top_pad", "bottom_pad", "left_pad", "right_pad")
    pad = kwargs.get("padding", args[0] if args else None)
    if isinstance(pad, dict) and set(pad) <= set(sides):
        pad = ((pad.get("top_pad", 0), pad.get("bottom_pad", 0)),
               (pad.get("left_pad", 0), pad.get("right_pad", 0)))
        if "padding" in kwargs:
            kwargs["padding"] = pad
        else:
            args = (pad,) + tuple(args[1:])
    return args, kwargs


def _generator(name, args, kwargs):
    if "samples_per_epoch" in kwargs and "steps_per_epoch" not in kwargs and len(args) < 2:
        samples = kwargs.pop("samples_per_epoch")
        gen = args[0] if args else kwargs.get("generator")
        size = getattr(gen, "batch_size", None)
        kwargs["steps_per_epoch"] = samples // size if isinstance(size, int) and size > 0 \
            else samples
    return args, kwargs


# entry point -> (Keras 1 -> Keras 2 renamings, preprocessor or None)
_TABLE = {
    "Dense": ([("output_dim", "units")] + _WEIGHTS, None),
    "Dropout": (_DROPOUT, None), "SpatialDropout1D": (_DROPOUT, None),
    "SpatialDropout2D": (_DROPOUT + _DIM, None), "SpatialDropout3D": (_DROPOUT + _DIM, None),
    "GaussianDropout": (_DROPOUT, None), "GaussianNoise": ([("sigma", "stddev")], None),
    "PReLU": ([("init", "alpha_initializer")], None),
    "Embedding": ([("init", "embeddings_initializer"),
                   ("W_regularizer", "embeddings_regularizer"),
                   ("W_constraint", "embeddings_constraint")], _embedding),
    "SimpleRNN": (_RECURRENT, _recurrent), "LSTM": (_RECURRENT, _recurrent),
    "GRU": (_RECURRENT, _recurrent),
    "ConvLSTM2D": ([r for r in _RECURRENT if r[0] not in ("output_dim", "consume_less")] + _CONV
                   + [("bias", "use_bias")], _conv_lstm),
    "Conv1D": ([("nb_filter", "filters"), ("filter_length", "kernel_size"),
                ("subsample_length", "strides"), ("border_mode", "padding")] + _WEIGHTS, None),
    "Conv2D": (_CONV + _WEIGHTS, _kernel_from_ints(2)),
    "Conv2DTranspose": (_CONV + _WEIGHTS, _deconv),
    "SeparableConv2D": (_CONV + _WEIGHTS[1:], _separable),
    "Conv3D": (_CONV + _WEIGHTS, _kernel_from_ints(3)),
    "LocallyConnected1D": ([("nb_filter", "filters"), ("filter_length", "kernel_size"),
                            ("subsample_length", "strides"), ("border_mode", "padding")]
                           + _WEIGHTS, None),
    "LocallyConnected2D": (_CONV + _WEIGHTS, _kernel_from_ints(2)),
    "MaxPooling1D": (_POOL1D, None), "AveragePooling1D": (_POOL1D, None),
    "MaxPooling2D": (_POOL, None), "AveragePooling2D": (_POOL, None),
    "MaxPooling3D": (_POOL, None), "AveragePooling3D": (_POOL, None),
    "GlobalMaxPooling2D": (_DIM, None), "GlobalAveragePooling2D": (_DIM, None),
    "GlobalMaxPooling3D": (_DIM, None), "GlobalAveragePooling3D": (_DIM, None),
    "UpSampling1D": ([("length", "size")], None),
    "UpSampling2D": (_DIM, None), "UpSampling3D": (_DIM, None),
    "ZeroPadding2D": (_DIM, _zeropadding2d), "ZeroPadding3D": (_DIM, None),
    "Cropping2D": (_DIM, None), "Cropping3D": (_DIM, None),
    "BatchNormalization": ([("beta_init", "beta_initializer"),
                            ("gamma_init", "gamma_initializer")], _batchnorm),
    "Model": ([("input", "inputs"), ("output", "outputs")], None),
    "fit_generator": (_GENERATOR, _generator), "evaluate_generator": (_GENERATOR, None),
    "predict_generator": (_GENERATOR, None),
}
_KERAS1_GENERATOR_ARGS = {"samples_per_epoch", "val_samples", "nb_epoch", "nb_val_samples",
                          "nb_worker"}


def convert(name, args, kwargs):
    """(args, kwargs, changed) of a call of entry point ``name`` with its Keras 1 arguments in
    Keras 2 form (See Note [Keras 1 arguments])."""
    renames, pre = _TABLE[name]
    before_args, before_kwargs = tuple(args), dict(kwargs)
    kwargs = dict(kwargs)
    generator_semantics = name.endswith("_generator") and bool(
        _KERAS1_GENERATOR_ARGS & set(kwargs))
    if pre is not None:
        args, kwargs = pre(name, tuple(args), kwargs)
    for old, new in renames:
        if old not in kwargs:
            continue
        if new in kwargs:
            raise TypeError(f"{name}: got both the Keras 1 argument {old!r} and its Keras 2 name "
                            f"{new!r}")
        value = kwargs.pop(old)
        table = _VALUES.get(old)
        if table is not None and isinstance(value, str):
            value = table.get(value, value)
        kwargs[new] = value
    if generator_semantics:
        warnings.warn("The semantics of the Keras 2 argument `steps_per_epoch` is not the same as "
                      "the Keras 1 argument `samples_per_epoch`. `steps_per_epoch` is the number "
                      "of batches to draw from the generator at each epoch. Basically "
                      "steps_per_epoch = samples_per_epoch/batch_size. Similarly "
                      "`nb_val_samples`->`validation_steps` and `val_samples`->`steps` arguments "
                      "have changed. Update your method calls accordingly.", stacklevel=3)
    args = tuple(args)
    changed = (len(args) != len(before_args) or any(a is not b for a, b in zip(args, before_args))
               or kwargs.keys() != before_kwargs.keys()
               or any(v is not before_kwargs[k] for k, v in kwargs.items()))
    return args, kwargs, changed


def _shown(value):
    if isinstance(value, str):
        return f'"{value}"'
    text = "array" if isinstance(value, np.ndarray) else str(value)
    return text[:10] + "..." if len(text) > 10 else text


def _wrap(name, function):
    @functools.wraps(function)
    def converting(self, *args, **kwargs):
        args, kwargs, changed = convert(name, args, kwargs)
        if changed:
            shown = [_shown(a) for a in args] + [f"{k}={_shown(v)}" for k, v in kwargs.items()]
            warnings.warn(f"Update your `{name}` call to the Keras 2 API: "
                          f"`{name}({', '.join(shown)})`", stacklevel=2)
        return function(self, *args, **kwargs)
    converting.__keras1_converting__ = True
    return converting


def _atrous(conv, name):
    def make(*args, atrous_rate=1, **kwargs):
        warnings.warn(f"The `{name}` layer has been deprecated. Use instead the "
                      f"`{conv.__name__}` layer with the `dilation_rate` argument.", stacklevel=2)
        return conv(*args, dilation_rate=atrous_rate, **kwargs)
    make.__name__ = make.__qualname__ = name
    make.__doc__ = (f"Keras 2.0-2.2's legacy ``{name}``: a ``{conv.__name__}`` whose "
                    "``atrous_rate`` is its ``dilation_rate``.")
    return make


def install():
    """Wrap the entry points of ``_TABLE`` (once) and add Keras 2.2's legacy layer names."""
    from . import layers
    from .engine.training import Model
    for name in _TABLE:
        owner, attr = ((Model, name) if name.endswith("_generator") else
                       (Model, "__init__") if name == "Model" else
                       (getattr(layers, name), "__init__"))
        own = owner.__dict__.get(attr)
        if not getattr(own, "__keras1_converting__", False):  # (a subclass' inherited
            setattr(owner, attr, _wrap(name, getattr(owner, attr)))  # __init__: its own name)
    legacy = {"AtrousConvolution1D": _atrous(layers.Conv1D, "AtrousConvolution1D"),
              "AtrousConvolution2D": _atrous(layers.Conv2D, "AtrousConvolution2D"),
              "Deconvolution2D": layers.Conv2DTranspose, "Deconv2D": layers.Conv2DTranspose,
              "Deconvolution3D": layers.Conv3DTranspose, "Deconv3D": layers.Conv3DTranspose}
    from .layers import convolutional, core, legacy as legacy_layers, recurrent
    for name in ("Merge", "MaxoutDense", "Highway", "Recurrent"):
        legacy[name] = getattr(legacy_layers, name)
    for name, value in legacy.items():
        if not hasattr(layers, name):
            setattr(layers, name, value)
            layers.__all__.append(name)  # (``from keras.layers import *`` gives them too)
    # the modules Keras 1 / 2.0-2.2 programs import them from
    homes = [(convolutional, name) for name in legacy if "onv" in name] + \
        [(core, "Merge"), (core, "MaxoutDense"), (core, "Highway"), (recurrent, "Recurrent")]
    for module, name in homes:
        if not hasattr(module, name):
            setattr(module, name, legacy[name])
    recurrent._time_distributed_dense = legacy_layers._time_distributed_dense
