"""The import swap: a module-mapping finder that makes keras.X / tensorflow.keras.X name the
side's library (tensorforge or tf_keras), and on the oracle the Keras 2.2 names tf_keras 2.21
dropped, given their Keras 2.2 meaning."""
import functools
import importlib
import importlib.abc
import importlib.util
import os
import re
import sys

from .config import SIDE, TARGET, THREADS


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """keras.X / tensorflow.keras.X / tensorflow.compat.v1.keras.X -> TARGET.X (the same module
    object under both names); on our side tensorflow.X -> tensorforge.X (tensorflow.compat)."""
    PREFIXES = ("keras", "tensorflow.keras", "tensorflow.python.keras", "tensorflow.compat.v1.keras")
    # keras_preprocessing: Keras 2's own image / text / sequence package, which TensorFlow 2.0-2.8
    # installed and re-exported as keras.preprocessing (installed on neither side now)
    RENAMED = (("keras_preprocessing", ".preprocessing"),)
    specs = {}
    def _target(self, name):
        if name == "tensorforge" or name.startswith("tensorforge."):
            return TARGET + name[len("tensorforge"):]
        for p in self.PREFIXES:
            if name == p or name.startswith(p + "."):
                return TARGET + name[len(p):]
        for p, sub in self.RENAMED:
            if name == p or name.startswith(p + "."):
                return TARGET + sub + name[len(p):]
        if SIDE == "ours" and (name == "tf_keras" or name.startswith("tf_keras.")):
            # Keras 2 by its package name (Hands-On ML 3's ch. 16: TF_USE_LEGACY_KERAS=1 and
            # `import tf_keras`); on the oracle it is the real package
            return TARGET + name[len("tf_keras"):]
        if SIDE == "ours" and name.startswith("tensorflow."):  # (tensorflow.python.X too:
            # tensorforge.python holds tensorflow.python's keras alias and device_lib)
            return "tensorforge" + name[len("tensorflow"):]
        return None
    def find_spec(self, name, path=None, target=None):
        if SIDE != "ours" and (name == "tensorforge" or name.startswith("tensorforge.")):
            # our own examples (tensorforge imports) run on the oracle too
            return importlib.util.spec_from_loader(name, self, is_package=True)
        if SIDE == "ours" and (name == "tensorforge" or name.startswith("tensorforge.")):
            return None  # the real package (mapping it onto itself would recurse)
        t = self._target(name)
        if t is None:
            return None
        if SIDE == "ours" and name == "tensorflow":
            return None
        return importlib.util.spec_from_loader(name, self, is_package=True)
    def create_module(self, spec):
        mod = importlib.import_module(self._target(spec.name))
        self.specs[id(mod)] = mod.__spec__  # importlib overwrites __spec__; put it back below
        return mod
    def exec_module(self, module):
        module.__spec__ = self.specs.get(id(module), module.__spec__)


class _OracleDropped(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The oracle only: Keras 2.2's module paths that tf_keras dropped (keras.utils.np_utils,
    keras.layers.convolutional, ...) resolve to their parent package; consulted last."""
    def find_spec(self, name, path=None, target=None):
        if name.startswith("tf_keras.") and name.count(".") >= 2:
            return importlib.util.spec_from_loader(name, self, is_package=True)
        return None
    def create_module(self, spec):
        mod = importlib.import_module(spec.name.rsplit(".", 1)[0])
        _Alias.specs[id(mod)] = mod.__spec__
        return mod
    def exec_module(self, module):
        module.__spec__ = _Alias.specs.get(id(module), module.__spec__)


def install():
    """The finders on sys.meta_path and `tensorflow` mapped (ours) or Keras 3 dropped (oracle)."""
    if SIDE != "ours":
        import tensorflow as _tf  # imports Keras 3 as `keras`: drop it, so `keras` means tf_keras
        if THREADS:  # before the first op creates TensorFlow's thread pools
            _tf.config.threading.set_intra_op_parallelism_threads(THREADS)
            _tf.config.threading.set_inter_op_parallelism_threads(THREADS)
        import tf_keras
        for _k in [k for k in sys.modules if k == "keras" or k.startswith("keras.")]:
            del sys.modules[_k]
        # ... and TensorFlow's own leftover tensorflow.python.keras (a broken copy of the old Keras
        # that TF 2.21 still imports): the alias hook maps it to tf_keras, as it was Keras 2 itself
        for _k in [k for k in sys.modules if k == "tensorflow.python.keras"
                   or k.startswith("tensorflow.python.keras.")]:
            del sys.modules[_k]
    sys.meta_path.insert(0, _Alias())
    if SIDE != "ours":
        sys.meta_path.append(_OracleDropped())
    if SIDE == "ours":
        # `import tensorflow as tf; tf.keras...`, `from tensorflow import keras` and the TF 2 names
        # (tf.GradientTape, tf.data, tf.reduce_mean: tensorforge/tf_compat.py) -- the import swap
        sys.modules["tensorflow"] = importlib.import_module("tensorforge")
    else:
        _tf.keras = tf_keras
        # ... and TensorFlow 2's own aliases of tf.keras' modules (tf.losses, tf.optimizers,
        # tf.metrics, tf.initializers: TF 2.0-2.15 bound them to tf.keras.*; TF 2.16+ to Keras 3):
        # the twenty-ninth corpus's book calls tf.optimizers.Adam and tf.losses.* on tf_keras models
        for _n in ("losses", "optimizers", "metrics", "initializers"):
            setattr(_tf, _n, getattr(tf_keras, _n))
        # TensorFlow 1's tf.set_random_seed (Deep Learning Quick Reference opens its programs
        # with `from tensorflow import set_random_seed`; TF 2 keeps it as compat.v1's, which
        # seeds the same global generator as tf.random.set_seed)
        if not hasattr(_tf, "set_random_seed"):
            _tf.set_random_seed = _tf.compat.v1.set_random_seed
        _keras22_names(tf_keras)


def _keras22_names(tf_keras):
    # Keras 2.2 names that tf_keras 2.21 dropped, given their Keras 2.2 meaning on the oracle:
    # optimizers taking lr= and decay= (the legacy classes, whose updates equal the new ones'
    # but for RMSprop's and Nadam's), their lowercase aliases, and Sequential.predict_classes / predict_proba.
    # RMSprop and Nadam are tf_keras 2.21's default classes (their updates, what the library's
    # RMSprop / Nadam follow: Note [RMSprop epsilon] in optimizers/legacy.py) with lr= read as
    # learning_rate= (the new class would drop it with a warning); Keras 2.2's decay=,
    # schedule_decay= or epsilon=None, which the new classes refuse, give the legacy class.
    _opt = tf_keras.optimizers

    def _keras2_class(name):
        new, old = getattr(_opt, name), getattr(_opt.legacy, name)

        class Keras2(new):
            def __new__(cls, *a, **kw):
                if kw.get("decay") or "schedule_decay" in kw or (
                        "epsilon" in kw and kw["epsilon"] is None):
                    return old(*a, **kw)
                return super().__new__(cls)

            def __init__(self, *a, **kw):
                if "lr" in kw:
                    kw.setdefault("learning_rate", kw.pop("lr"))
                kw.pop("decay", None)
                super().__init__(*a, **kw)
        Keras2.__name__ = Keras2.__qualname__ = name
        Keras2.__module__ = new.__module__
        return Keras2
    for _n in ("SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam"):
        _c = _keras2_class(_n) if _n in ("RMSprop", "Nadam") else getattr(_opt.legacy, _n)
        setattr(_opt, _n, _c)
        setattr(_opt, _n.lower(), _c)
    def _predict_classes(self, x, batch_size=32, verbose=0):
        p = self.predict(x, batch_size=batch_size, verbose=verbose)
        return p.argmax(axis=-1) if p.shape[-1] > 1 else (p > 0.5).astype("int32")
    def _predict_proba(self, x, batch_size=32, verbose=0):  # Keras 2.2's: predict's output
        return self.predict(x, batch_size=batch_size, verbose=verbose)
    if not hasattr(tf_keras.Sequential, "predict_classes"):
        tf_keras.Sequential.predict_classes = _predict_classes
    if not hasattr(tf_keras.Sequential, "predict_proba"):  # the Udacity course's l10c04
        tf_keras.Sequential.predict_proba = _predict_proba
    # Model(input=..., output=...): Keras 2.0-2.2 read the singular names as inputs= / outputs=
    # (legacy_model_constructor_support; Neural Network Projects with Python's VGG16 transfer
    # model); tf_keras refuses them ("Keyword argument not understood: 'input'"). Model.__new__
    # picks the functional class from the keywords, so it reads them too.
    from tf_keras.src.engine import functional as _functional

    def _plural_io(f):
        @functools.wraps(f)
        def g(self_or_cls, *a, **kw):
            for _one, _many in (("input", "inputs"), ("output", "outputs")):
                if _one in kw and _many not in kw:
                    kw[_many] = kw.pop(_one)
            return f(self_or_cls, *a, **kw)
        return g
    tf_keras.Model.__new__ = staticmethod(_plural_io(tf_keras.Model.__new__))
    tf_keras.Model.__init__ = _plural_io(tf_keras.Model.__init__)
    _functional.Functional.__init__ = _plural_io(_functional.Functional.__init__)
    # keras.models.Input (Keras 2.2's keras/models.py imported it from engine.input_layer:
    # keras-tcn's stacked_tcn.py `from keras.models import Input, Model`); without it the name
    # resolved through the dropped-module finder to the tf_keras.models package itself
    if not hasattr(tf_keras.models, "Input"):
        tf_keras.models.Input = tf_keras.Input
    # keras.constraints' Keras 2.0-2.2 aliases (`from keras.constraints import maxnorm`)
    for _n, _c in (("maxnorm", "MaxNorm"), ("nonneg", "NonNeg"), ("unitnorm", "UnitNorm")):
        setattr(tf_keras.constraints, _n, getattr(tf_keras.constraints, _c))
    # keras.backend's legacy image_dim_ordering / set_image_dim_ordering ('th' / 'tf') and
    # keras.engine.topology's Layer and InputSpec (Deep Learning with Keras, ch. 3 and 7)
    _kb = tf_keras.backend
    _kb.image_dim_ordering = lambda: "th" if _kb.image_data_format() == "channels_first" else "tf"
    _kb.set_image_dim_ordering = lambda o: _kb.set_image_data_format(
        {"th": "channels_first", "tf": "channels_last"}[o])
    import types as _types
    # keras.backend.tensorflow_backend (Keras 2.0-2.2's backend module, an attribute of
    # keras.backend: the Advanced NLP course's `K.tensorflow_backend._get_available_gpus()`)
    _tfb = _types.ModuleType("tf_keras.backend.tensorflow_backend")
    import tensorflow as _tfm
    _tfb._get_available_gpus = lambda: [
        "/device:GPU:%d" % i for i, _ in enumerate(_tfm.config.list_physical_devices("GPU"))]
    _tfb.get_session = _tfm.compat.v1.keras.backend.get_session
    _tfb.set_session = _tfm.compat.v1.keras.backend.set_session
    _kb.tensorflow_backend = _tfb
    sys.modules.setdefault("tf_keras.backend.tensorflow_backend", _tfb)
    _topo = _types.ModuleType("tf_keras.engine.topology")
    _topo.Layer, _topo.InputSpec = tf_keras.layers.Layer, tf_keras.layers.InputSpec
    _eng = _types.ModuleType("tf_keras.engine")
    _eng.__path__, _eng.topology = [], _topo
    # ... and keras.engine's own (Keras 2.2's keras/engine/__init__.py exported them:
    # keras-frn's `from keras.engine import Layer, InputSpec`)
    _eng.Layer, _eng.InputSpec = _topo.Layer, _topo.InputSpec
    sys.modules.setdefault("tf_keras.engine", _eng)
    sys.modules.setdefault("tf_keras.engine.topology", _topo)
    # keras.layers.merge (Keras 2.0-2.3's module of the merge layers, with the _Merge base that
    # GDL's RandomWeightedAverage subclasses): tf_keras keeps them under layers/merging/
    import types as _types
    from tf_keras.src.layers.merging import base_merge as _base_merge
    _merge = _types.ModuleType("tf_keras.layers.merge")
    for _n in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
               "Dot", "add", "subtract", "multiply", "average", "maximum", "minimum",
               "concatenate", "dot"):
        setattr(_merge, _n, getattr(tf_keras.layers, _n))
    _merge._Merge = _base_merge._Merge
    sys.modules["tf_keras.layers.merge"] = _merge
    # keras.wrappers.scikit_learn (KerasClassifier / KerasRegressor), which tf_keras dropped
    # (TF 2.12): scikit-learn glue around build_fn's model, fit, predict and evaluate. The
    # oracle gets tensorforge's copy of Keras 2's wrapper with its two imports pointed at
    # tf_keras, so the models, fits and scores under it are tf_keras's own.
    _wsrc = open(os.path.join(os.environ["KP_REPO_PYTHON"], "tensorforge", "wrappers",
                              "scikit_learn.py")).read()
    _wsrc = _wsrc.replace("from ..engine.sequential import Sequential",
                          "from tf_keras import Sequential")
    _wsrc = _wsrc.replace("from ..utils import to_categorical",
                          "from tf_keras.utils import to_categorical")
    _wmod = _types.ModuleType("tf_keras.wrappers.scikit_learn")
    exec(compile(_wsrc, "tf_keras/wrappers/scikit_learn.py (tensorforge's)", "exec"),
         _wmod.__dict__)
    _wpkg = _types.ModuleType("tf_keras.wrappers")
    _wpkg.__path__, _wpkg.scikit_learn = [], _wmod
    sys.modules["tf_keras.wrappers"], sys.modules["tf_keras.wrappers.scikit_learn"] = _wpkg, _wmod
    tf_keras.wrappers = _wpkg
    # Keras 2.0-2.2's metric names in a ModelCheckpoint's filepath or monitor
    # (`filepath="model-weights.{epoch:02d}-{val_acc:.6f}.hdf5", monitor='val_acc'`: Deep
    # Learning Quick Reference): Keras 2.3+ and tf_keras log `accuracy` / `val_accuracy`, so the
    # era's filepath raised KeyError after the first epoch; tensorforge answers both names
    # (Note [legacy metric names]). The checkpoint sees the logs under both.
    _mc = tf_keras.callbacks.ModelCheckpoint
    _mc_epoch_end = _mc.on_epoch_end
    def _on_epoch_end(self, epoch, logs=None):
        if logs:
            logs = dict(logs)
            for _k, _v in list(logs.items()):
                logs.setdefault(re.sub(r"(^|_)accuracy$", r"\1acc", _k), _v)
        return _mc_epoch_end(self, epoch, logs)
    _mc.on_epoch_end = _on_epoch_end
    # ... and in the History fit returns (`history.history['acc']`, `['val_acc']`: Neural
    # Network Projects with Python's IMDB LSTM plots them): a key read under the era's name
    # answers the logged one
    class _LegacyNames(dict):
        def __missing__(self, key):
            new = re.sub(r"(^|_)acc$", r"\1accuracy", key) if isinstance(key, str) else key
            if new != key and new in self:
                return self[new]
            raise KeyError(key)
    _hist = tf_keras.callbacks.History
    _hist_init = _hist.__init__
    def _history_init(self, *a, **kw):
        _hist_init(self, *a, **kw)
        self.history = _LegacyNames(self.history)
    _hist.__init__ = _history_init
    # An optimizer given by name (compile(optimizer='adam')) is the class above too: the
    # legacy one, but tf_keras 2.21's own RMSprop and Nadam (what 'rmsprop' builds there).
    import tf_keras.src.optimizers as _src_opt
    _opt_get = _src_opt.get
    def _get_legacy(identifier, **kw):
        if isinstance(identifier, str) and identifier.lower() not in ("rmsprop", "nadam"):
            kw.setdefault("use_legacy_optimizer", True)
        return _opt_get(identifier, **kw)
    _src_opt.get = _opt.get = _get_legacy
