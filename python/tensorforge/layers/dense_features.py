"""Keras 2's DenseFeatures: a dict of named feature arrays -> one float32 (batch, n) Tensor, the
dense outputs of ``feature_columns`` (tf.feature_column, tf_feature_column.py) in the order of
their names, concatenated; embedding columns own their tables as this layer's weights
(``<column>/embedding_weights``)."""
from ..engine.base_layer import Layer
from ..ops import basic as _B
from .. import tf_feature_column as _fc

__all__ = ["DenseFeatures"]


class DenseFeatures(Layer):
    _keeps_input_dtype = True  # strings and ints reach the columns as they are
    _takes_feature_dict = True  # a Sequential opening with it builds one Input per feature

    def __init__(self, feature_columns, trainable=True, name=None, partitioner=None, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        cols = list(feature_columns) if isinstance(feature_columns, (list, tuple)) else \
            [feature_columns]
        cols = [_fc.deserialize(c) if isinstance(c, dict) else c for c in cols]  # (a config's)
        if not cols:
            raise ValueError("Expected feature_columns to be iterable, found an empty list")
        for c in cols:
            if not _fc.is_dense(c):
                raise ValueError(f"Items of feature_columns must be a DenseColumn. You can wrap "
                                 f"a categorical column with an embedding_column or "
                                 f"indicator_column. Given: {c}")
        names = [c.name for c in cols]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"Duplicate feature column name found for columns: {dup}")
        self.feature_columns = sorted(cols, key=lambda c: c.name)  # TensorFlow's order
        self._tables = {}

    def build(self, input_shape):
        for c in self.feature_columns:
            if c.variable_shape is not None and c.name not in self._tables:
                self._tables[c.name] = self.add_weight(
                    f"{c.name}/embedding_weights", c.variable_shape, c.initializer,
                    trainable=c.trainable)
        self.built = True

    def call(self, features, training=None):
        if not isinstance(features, dict):
            raise ValueError(f"{self.name}: DenseFeatures takes a dict of features by name, "
                             f"got {type(features).__name__}")
        outs = [c.dense(features, self._tables.get(c.name)) for c in self.feature_columns]
        return outs[0] if len(outs) == 1 else _B.concatenate(outs, axis=-1)

    def compute_output_shape(self, input_shape):
        n = 0
        for c in self.feature_columns:
            if isinstance(c, _fc.NumericColumn):
                n += c.size
            elif isinstance(c, (_fc.BucketizedColumn,)):
                n += c.num_buckets
            elif isinstance(c, _fc.IndicatorColumn):
                n += c.categorical_column.num_buckets
            else:
                n += c.dimension
        return (None, n)

    def get_config(self):
        return dict(super().get_config(),
                    feature_columns=[_fc.serialize(c) for c in self.feature_columns])
