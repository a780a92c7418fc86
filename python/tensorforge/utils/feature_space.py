"""Keras 2's ``keras.utils.FeatureSpace`` (tf_keras 2.12+): one preprocessing layer per named
feature of a dict (Normalization, Discretization, StringLookup / IntegerLookup, Hashing,
Rescaling, or a program's own), adapted on a tf.data Dataset of dicts, with hashed feature
crosses; categorical ones one-hot encoded (CategoryEncoding) and everything concatenated in the
order of the features' names, then the crosses' ('concat'), or returned by name ('dict').
``get_inputs()`` / ``get_encoded_features()`` give the same computation as a functional graph
(one Input of shape (1,) per feature), so a model can train on preprocessed data and serve on
raw dicts, as the keras-io structured-data example does."""
import numpy as np

from .. import layers as _layers
from ..autograd import Tensor
from ..engine.base_layer import Layer
from ..engine.input_layer import Input

__all__ = ["FeatureSpace", "Feature", "Cross"]

_OUTPUT_MODES = ("int", "one_hot", "float")


class Feature:
    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{{'int', 'one_hot', 'float'}}. Received: output_mode={output_mode}")
        self.dtype, self.preprocessor, self.output_mode = dtype, preprocessor, output_mode

    def get_config(self):
        return {"dtype": self.dtype, "preprocessor": self.preprocessor.get_config(),
                "output_mode": self.output_mode}


class Cross:
    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in ("int", "one_hot"):
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{{'int', 'one_hot'}}. Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim, self.output_mode = crossing_dim, output_mode

    @property
    def name(self):
        return "_X_".join(self.feature_names)


def _cardinality(layer):
    """How many ids a preprocessor's int output can take (its one-hot width), or None."""
    if isinstance(layer, (_layers.IntegerLookup, _layers.StringLookup)):
        return layer.vocabulary_size()
    if isinstance(layer, _layers.CategoryEncoding):
        return layer.num_tokens
    if isinstance(layer, (_layers.Discretization, _layers.Hashing)) or \
            type(layer).__name__ == "HashedCrossing":
        return layer.num_bins
    return None


class FeatureSpace(Layer):
    _keeps_input_dtype = True  # strings and ints reach the preprocessors as they are

    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        return Feature("float32", _layers.Identity(name=_pre(name, "float")), "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        return Feature("float32", _layers.Rescaling(scale=scale, offset=offset,
                                                    name=_pre(name, "float_rescaled")), "float")

    @classmethod
    def float_normalized(cls, name=None):
        return Feature("float32", _layers.Normalization(axis=-1,
                                                        name=_pre(name, "float_normalized")),
                       "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
        return Feature("float32", _layers.Discretization(
            num_bins=num_bins, bin_boundaries=bin_boundaries,
            name=_pre(name, "float_discretized")), output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                            name=None):
        return Feature("int64", _layers.IntegerLookup(
            name=_pre(name, "integer_categorical"), max_tokens=max_tokens,
            num_oov_indices=num_oov_indices), output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                           name=None):
        return Feature("string", _layers.StringLookup(
            name=_pre(name, "string_categorical"), max_tokens=max_tokens,
            num_oov_indices=num_oov_indices), output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        return Feature("string", _layers.Hashing(name=_pre(name, "string_hashed"),
                                                 num_bins=num_bins), output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        return Feature("int64", _layers.Hashing(name=_pre(name, "integer_hashed"),
                                                num_bins=num_bins), output_mode)

    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32,
                 hashing_dim=32, num_discretization_bins=32, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        if output_mode not in ("dict", "concat"):
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{{'dict', 'concat'}}. Received: output_mode={output_mode}")
        self.crossing_dim, self.hashing_dim = crossing_dim, hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {n: self._standardize_feature(n, v) for n, v in features.items()}
        self.crosses = []
        for cross in crosses or []:
            if not isinstance(cross, Cross):
                if not crossing_dim:
                    raise ValueError("When specifying `crosses`, the argument `crossing_dim` "
                                     "(dimensionality of the crossing space) should be "
                                     "specified as well.")
                unknown = [k for k in cross if k not in self.features]
                if unknown:
                    raise ValueError(f"All features referenced in the `crosses` argument should "
                                     f"be present in the `features` dict. Received unknown "
                                     f"features: {cross}")
                cross = Cross(cross, crossing_dim=crossing_dim)
            self.crosses.append(cross)
        self.crosses_by_name = {c.name: c for c in self.crosses}
        self.output_mode = output_mode
        self.inputs = {n: Input(shape=(1,), dtype=f.dtype, name=n)
                       for n, f in self.features.items()}
        self.preprocessors = {n: f.preprocessor for n, f in self.features.items()}
        self.crossers = {c.name: _hashed_crossing(c) for c in self.crosses}
        self.one_hot_encoders = {}
        self.encoded_features = None
        self._is_adapted = False
        self.concat = None

    def _standardize_feature(self, name, feature):
        if isinstance(feature, Feature):
            return feature
        makers = {"float": lambda: self.float(name=name),
                  "float_normalized": lambda: self.float_normalized(name=name),
                  "float_rescaled": lambda: self.float_rescaled(name=name),
                  "float_discretized": lambda: self.float_discretized(
                      name=name, num_bins=self.num_discretization_bins),
                  "integer_categorical": lambda: self.integer_categorical(name=name),
                  "string_categorical": lambda: self.string_categorical(name=name),
                  "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
                  "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name)}
        if not isinstance(feature, str) or feature not in makers:
            raise ValueError(f"Invalid feature type: {feature}")
        return makers[feature]()

    def _adaptable(self):
        out = []
        for n, p in self.preprocessors.items():
            if isinstance(p, _layers.Normalization) and p.input_mean is not None:
                continue
            if hasattr(p, "adapt"):
                out.append(n)
        return out

    def adapt(self, dataset):
        from ..tf_data import Dataset
        if not isinstance(dataset, Dataset):
            raise ValueError(f"`adapt()` can only be called on a tf.data.Dataset. Received "
                             f"instead: {dataset} (of type {type(dataset)})")
        for name in self._adaptable():
            values = dataset.map(lambda x, name=name: x[name])
            first = next(iter(values.take(1)), None)
            if first is None:
                raise ValueError(f"FeatureSpace.adapt: the dataset is empty (feature {name!r})")
            rank = len(np.shape(first.numpy() if hasattr(first, "numpy") else first))
            if rank == 0:
                values = values.batch(32)
            if rank in (0, 1):
                values = values.map(lambda x: _column(x))
            self.preprocessors[name].adapt(values)
        self._is_adapted = True
        self.get_encoded_features()
        self.built = True

    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._adaptable():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace "
                                 "before you can start using it.")
            self._is_adapted = True

    def get_inputs(self):
        self._check_if_adapted()
        self.get_encoded_features()
        return self.inputs

    def get_encoded_features(self):
        self._check_if_adapted()
        if self.encoded_features is None:
            pre = {n: self.preprocessors[n](self.inputs[n]) for n in self.inputs}
            self.encoded_features = self._merge(pre, self._cross(pre), build=True)
            self.built = True
        return self.encoded_features

    def _cross(self, features):
        return {c.name: self.crossers[c.name]([features[n] for n in c.feature_names])
                for c in self.crosses}

    def _merge(self, pre, crossed, build=False):
        names = sorted(pre) + sorted(crossed)
        values = dict(pre, **crossed)
        out = {}
        for name in names:
            v = values[name]
            if build:
                spec = self.features.get(name) or self.crosses_by_name[name]
                if spec.output_mode == "one_hot":
                    layer = self.preprocessors.get(name) or self.crossers.get(name)
                    n = _cardinality(layer)
                    if n is None:
                        raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. "
                                         "However it isn't a standard feature and the "
                                         "dimensionality of its output space is not known, thus "
                                         "it cannot be one-hot encoded. Try using "
                                         "`output_mode='int'`.")
                    self.one_hot_encoders[name] = _layers.CategoryEncoding(
                        num_tokens=n, output_mode="multi_hot")
                elif self.output_mode == "concat" and spec.output_mode == "int":
                    raise ValueError(f"Cannot concatenate features because feature '{name}' "
                                     "has not been encoded (it has dtype int64). Consider using "
                                     "`output_mode='dict'`.")
            encoder = self.one_hot_encoders.get(name)
            out[name] = encoder(v) if encoder is not None else v
        if self.output_mode == "dict":
            return out
        if self.concat is None:
            self.concat = _layers.Concatenate(axis=-1)
        return self.concat([out[n] for n in names])

    def __call__(self, data):
        self._check_if_adapted()
        if self.encoded_features is None:
            self.get_encoded_features()
        if not isinstance(data, dict):
            raise ValueError(f"A FeatureSpace can only be called with a dict. Received: "
                             f"data={data} (of type {type(data)}")
        batched, rebatched = {}, False
        for k, v in data.items():
            a = v if isinstance(v, Tensor) else Tensor(np.asarray(v))
            if a.ndim == 0:
                a, rebatched = _reshape(a, (1, 1)), True
            elif a.ndim == 1:
                a = _reshape(a, (a.shape[0], 1))
            batched[k] = a
        pre = {n: self.preprocessors[n](batched[n]) for n in self.features}
        out = self._merge(pre, self._cross(pre))
        if rebatched:
            if self.output_mode == "concat":
                return _reshape(out, tuple(out.shape[1:]))
            return {k: _reshape(v, tuple(v.shape[1:])) if v.ndim == 2 and v.shape[0] == 1
                    else v for k, v in out.items()}
        return out

    def get_config(self):
        return {"features": {n: f.get_config() for n, f in self.features.items()},
                "output_mode": self.output_mode,
                "crosses": [{"feature_names": list(c.feature_names),
                             "crossing_dim": c.crossing_dim, "output_mode": c.output_mode}
                            for c in self.crosses],
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins}


def _pre(name, kind):
    from ..engine.serialization import _unique_name
    return f"{name or _unique_name(kind)}_preprocessor"


def _hashed_crossing(cross):
    crossing = getattr(_layers, "HashedCrossing", None)
    if crossing is None:
        raise NotImplementedError("FeatureSpace: feature crosses need layers.HashedCrossing")
    return crossing(cross.crossing_dim, name=cross.name)


def _reshape(t, shape):
    from ..ops import basic as _B
    if t.dtype.kind in "OSU":  # strings: the array reshaped (no gradient to keep)
        return Tensor(np.asarray(t.numpy()).reshape(shape))
    return _B.reshape(t, shape)


def _column(x):
    """A batch of scalars as a column (batch, 1), for the preprocessors' adapt."""
    a = x.numpy() if hasattr(x, "numpy") else np.asarray(x)
    return a.reshape(-1, 1)
