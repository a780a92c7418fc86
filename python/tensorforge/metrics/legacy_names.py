"""Keras 2.0-2.2's log names for compiled metrics, answered from tf.keras 2's.

Note [legacy metric names]
~~~~~~~~~~~~~~~~~~~~~~~~~~
Keras 2.0-2.2 logged ``metrics=['accuracy']`` as ``acc`` and ``metrics=['mae']`` as
``mean_absolute_error`` (the function's name); tf.keras 2 (and so tensorforge, and tf_keras
2.21) logs the string as given: ``accuracy``, ``mae``. Programs written for Keras 2.2 read the
old names -- ``history.history['val_acc']`` to plot, ``EarlyStopping(monitor='val_acc')``,
``ModelCheckpoint('w.{epoch:02d}-{val_acc:.2f}.h5', monitor='val_acc')`` -- and under tf_keras
2.21 die with a KeyError or, for the callbacks, warn and never act.

A name that is absent but whose tf.keras 2 spelling is present resolves to it (``acc`` ->
``accuracy``, ``val_out_acc`` -> ``val_out_accuracy``, ``mean_absolute_error`` -> ``mae``).
Only lookups resolve: the keys a History lists, prints or saves stay tf.keras 2's, and a name
present as compiled (``metrics=['acc']`` logs ``acc``) is never redirected.
"""

# Keras 2.2's logged name -> tf.keras 2's, for compile(metrics=[...]) strings
_LEGACY = (
    ("acc", "accuracy"),
    ("ce", "crossentropy"),
    ("mean_absolute_error", "mae"),
    ("mean_squared_error", "mse"),
    ("mean_absolute_percentage_error", "mape"),
    ("mean_squared_logarithmic_error", "msle"),
    ("cosine_proximity", "cosine"),
)


def resolve(logs, key):
    """``key`` if ``logs`` holds it, else the tf.keras 2 spelling of a Keras 2.2 name that
    ``logs`` holds, else ``key`` unchanged (Note [legacy metric names])."""
    if not isinstance(key, str) or key in logs:
        return key
    for old, new in _LEGACY:
        if key == old or key.endswith("_" + old):
            modern = key[:len(key) - len(old)] + new
            if modern in logs:
                return modern
    return key


def get(logs, key, default=None):
    """``logs.get`` that also answers a Keras 2.2 metric name."""
    return logs.get(resolve(logs, key), default)


class LegacyNamesDict(dict):
    """A dict whose missing Keras 2.2 metric names read their tf.keras 2 entries; it lists,
    compares and serialises as the plain dict it is, and pickles as one (a History's dict
    loads back without tensorforge). Also the fields of a checkpoint path's format_map."""

    def __missing__(self, key):
        modern = resolve(self, key)
        if modern is key:
            raise KeyError(key)
        return self[modern]

    def __reduce__(self):
        return dict, (dict(self),)

