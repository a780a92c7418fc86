"""TensorFlow 2's values for tests/test_tf15.py: tf.lookup tables, tf.sets, the type specs,
tf.random's seed functions, the tf.strings extras and the smaller top-level names, recorded
into tests/data/tf15_refs.json.

Each case is a Python expression with ``tf`` bound to the library under test (the test
evaluates it with ``import tensorforge as tf`` and tensorforge's ``keras``; here tf_keras)
after SETUP (vocabulary files in a fresh temporary directory, helpers) has run on both sides. Outputs are recorded as in
tools/gen_tf_io14_refs.py ({dtype, shape, values}, strings as hex, SparseTensors and
RaggedTensors as their parts, lists / tuples / dicts element-wise; other Python values as
they are). ERRORS records the class TensorFlow raises for a bad argument; the test also
checks that the message names the word given with the case (the op, table or argument).
Run with the Keras 2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_tf15_refs.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "tf15_refs.json")

# run before the cases, by the generator and by the test
SETUP = r"""
import os, tempfile
d = tempfile.mkdtemp()
vocab = os.path.join(d, 'vocab.txt')
with open(vocab, 'w') as f:
    f.write('emerson\t10\nlake\t20\npalmer\t30\n')
words = os.path.join(d, 'words.txt')
with open(words, 'w') as f:
    f.write('the\nquick\nbrown\nfox\n')
csv = os.path.join(d, 'vocab.csv')
with open(csv, 'w') as f:
    f.write('emerson,ELP\r\nlake,L\r\npalmer,P\r\n')
dup = os.path.join(d, 'dup.txt')
with open(dup, 'w') as f:
    f.write('a\na\n')
I = tf.lookup.TextFileIndex
kv = tf.lookup.KeyValueTensorInitializer(['a', 'b', 'c'], [0, 1, 2])
kv64 = tf.lookup.KeyValueTensorInitializer(['a', 'b', 'c'], tf.constant([0, 1, 2], tf.int64))
kvint = tf.lookup.KeyValueTensorInitializer(tf.constant([10, 20, 30], tf.int64),
                                            tf.constant([0, 1, 2], tf.int64))
table = tf.lookup.StaticHashTable(kv, -1)
vocab_table = tf.lookup.StaticVocabularyTable(kv64, 5)
int_vocab = tf.lookup.StaticVocabularyTable(kvint, 7)
oov_words = tf.constant(['a', 'zz', 'hello', 'c', '', 'tensorforge', 'b', 'a much longer key '
                         'that crosses the 64 byte boundary of farmhash ....', 'x' * 40])


def sorted_export(t):
    k, v = t.export()
    k, v = k.numpy(), v.numpy()
    order = np.argsort(k, kind='stable')
    return [k[order], v[order]]


def mutable_run():
    m = tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)
    m.insert(tf.constant(['a', 'b', 'c']), tf.constant([5, 6, 7], tf.int64))
    out = [m.lookup(tf.constant(['a', 'q', 'c'])), m.size()]
    m.insert(tf.constant(['a']), tf.constant([50], tf.int64))
    m.remove(tf.constant(['b', 'nothing']))
    return out + [m.lookup(tf.constant([['a', 'b'], ['c', 'd']])), m.size(), sorted_export(m),
                  m.lookup(tf.constant(['a', 'z']), dynamic_default_values=tf.constant(
                      [0, -9], tf.int64))]


def mutable_vector_run():
    m = tf.lookup.experimental.MutableHashTable(tf.int64, tf.float32, [0.5, -0.5])
    m.insert(tf.constant([3, 4], tf.int64), tf.constant([[1., 2.], [3., 4.]]))
    return [m.lookup(tf.constant([4, 5, 3], tf.int64)), sorted_export(m)]


def dense_run():
    t = tf.lookup.experimental.DenseHashTable(tf.int64, tf.int64, default_value=-1,
                                              empty_key=0, deleted_key=-1)
    t.insert(tf.constant([3, 4, 9], tf.int64), tf.constant([30, 40, 90], tf.int64))
    out = [t.lookup(tf.constant([3, 5, 9], tf.int64)), t.size()]
    t.erase(tf.constant([3], tf.int64))
    t.insert_or_assign(tf.constant([4], tf.int64), tf.constant([44], tf.int64))
    return out + [t.lookup(tf.constant([3, 4, 9], tf.int64)), t.size()]


def dataset_map():
    ds = tf.data.Dataset.from_tensor_slices(['lake', 'zz', 'palmer']).map(
        lambda s: vocab_file_table.lookup(s))
    return [int(x) for x in ds.as_numpy_iterator()]


def in_model():
    inp = keras.Input(shape=(3,), dtype=tf.string)
    ids = keras.layers.Lambda(lambda s: vocab_table.lookup(s))(inp)
    model = keras.Model(inp, ids)
    return model(tf.constant([['a', 'zz', 'c'], ['b', 'b', 'q']]))


vocab_file_table = tf.lookup.StaticHashTable(
    tf.lookup.TextFileInitializer(vocab, tf.string, 0, tf.int64, 1), -1)
sp = tf.sparse.SparseTensor([[0, 0], [0, 1], [0, 3], [2, 0], [2, 1]], [3, 1, 3, 7, 2], [3, 4])
sp2 = tf.sparse.SparseTensor([[0, 0], [1, 0], [1, 2], [2, 1]], [3, 5, 6, 2], [3, 3])
sps = tf.sparse.SparseTensor([[0, 0], [0, 1], [1, 0]], [b'x', b'y', b'x'], [2, 2])
sp3 = tf.sparse.SparseTensor([[0, 0, 0], [0, 0, 1], [1, 1, 0]], tf.constant([1, 2, 2], tf.int64),
                             [2, 2, 2])
seq = np.cos(np.arange(2 * 5 * 3)).reshape(2, 5, 3).astype(np.float32)


def constant_cell(kind='simple', units=3):
    init = dict(kernel_initializer=keras.initializers.Constant(0.2),
                recurrent_initializer=keras.initializers.Constant(-0.1),
                bias_initializer=keras.initializers.Constant(0.05))
    if kind == 'lstm':
        return keras.layers.LSTMCell(units, **init)
    return keras.layers.SimpleRNNCell(units, **init)


def wrapped_rnn(wrap, kind='simple', **layer_kw):
    layer = keras.layers.RNN(wrap(constant_cell(kind)), **layer_kw)
    out = layer(seq)
    return [out, len(layer.trainable_weights)]


def generator_run():  # states read as arrays: TF's g.state is the live Variable
    g = tf.random.Generator.from_seed(1)
    out = [g.state.numpy(), g.normal([5]), g.state.numpy(), g.uniform([5]),
           g.uniform([4], 3, 17, dtype=tf.int32), g.uniform_full_int([3], tf.int64),
           g.truncated_normal([5]), g.make_seeds(3), g.state.numpy()]
    out += [x.state.numpy() for x in g.split(2)]
    out += [g.state.numpy(), g.normal([3], dtype=tf.float64), g.uniform([2], dtype=tf.float64),
            g.binomial([3], counts=10.0, probs=0.5)]
    return out


def generator_states():
    g = tf.random.Generator.from_key_counter(key=7, counter=[1, 2], alg='philox')
    out = [g.state.numpy(), g.normal([2])]
    g = tf.random.Generator.from_state([5, 6, 7], 'philox')
    out += [g.uniform([2]), g.state.numpy()]
    g.skip(10)
    out.append(g.state.numpy())
    g.reset_from_seed(3)
    out += [g.state.numpy(), tf.random.Generator.from_seed(2**70 + 3).state.numpy(),
            g.key.numpy(), tf.random.Generator(copy_from=g).normal([2]), g.normal([2]),
            tf.random.Generator.from_seed(-5).state.numpy()]
    return out


def scope_names():
    out = [tf.get_current_name_scope()]
    with tf.name_scope('outer'):
        out.append(tf.get_current_name_scope())
        with tf.name_scope('inner') as inner:
            out += [tf.get_current_name_scope(), inner]
        with tf.name_scope('abs/'):
            out.append(tf.get_current_name_scope())
        out.append(tf.get_current_name_scope())
    return out + [tf.get_current_name_scope()]


texts = tf.constant(['h\u00e9llo w\u00f6rld'.encode(), b'', 'ab\u20ac\U0001F600'.encode(),
                     b'a\xffb\xe2\x82', b'\xc3(x', b'tab\there\x07'])
a = tf.constant([[1, 2, 2, 3], [4, 4, 4, 4], [0, 9, 8, 7]])
b = tf.constant([[2, 5, 1, 1], [3, 3, 3, 3], [7, 7, 0, 1]])
"""

LOOKUP = {
    "static_lookup": "table.lookup(tf.constant(['a', 'z', 'c', 'b']))",
    "static_lookup_2d": "table.lookup(tf.constant([['a', 'z'], ['c', 'c']]))",
    "static_lookup_scalar": "table.lookup(tf.constant('b'))",
    "static_getitem": "table[tf.constant(['c'])]",
    "static_size": "table.size()",
    "static_export": "sorted_export(table)",
    "static_dtypes": "(table.key_dtype == tf.string, table.value_dtype == tf.int32, "
                     "table.default_value)",
    "static_float_values": "tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer("
                           "[1, 2], [1.5, 2.5]), 0).lookup(tf.constant([2, 3, 1]))",
    "static_int64_keys": "tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer("
                         "tf.constant([1, 2], tf.int64), [3, 4]), -1).lookup("
                         "tf.constant([1, 5], tf.int64))",
    "static_string_values": "tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer("
                            "tf.constant([7, 8], tf.int64), ['seven', 'eight']), 'UNK')"
                            ".lookup(tf.constant([8, 9, 7], tf.int64))",
    "static_same_duplicate": "tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer("
                             "[1, 1, 2], [5, 5, 6]), -1).size()",
    "static_init_dtypes": "tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer("
                          "['a'], [1], key_dtype=tf.string, value_dtype=tf.int64), -1)"
                          ".lookup(tf.constant(['a', 'b']))",
    "static_sparse": "table.lookup(tf.sparse.SparseTensor([[0, 1], [2, 0]], ['c', 'x'], [3, 2]))",
    "static_ragged": "table.lookup(tf.ragged.constant([['a', 'b'], [], ['zz']]))",
    "text_file": "vocab_file_table.lookup(tf.constant(['lake', 'x', 'emerson']))",
    "text_file_size": "vocab_file_table.size()",
    "text_whole_line": "sorted_export(tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer("
                       "vocab, tf.string, I.WHOLE_LINE, tf.int64, I.LINE_NUMBER), -1))",
    "text_line_number_key": "tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(vocab, "
                            "tf.int64, I.LINE_NUMBER, tf.string, 0, vocab_size=2), 'UNK')"
                            ".lookup(tf.constant([0, 1, 2], tf.int64))",
    "text_delimiter": "tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(csv, "
                      "tf.string, 0, tf.string, 1, delimiter=','), '?').lookup("
                      "tf.constant(['palmer', 'lake', 'x']))",
    "text_words": "tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(words, tf.string, "
                  "I.WHOLE_LINE, tf.int64, I.LINE_NUMBER), -1).lookup(tf.constant(['fox', "
                  "'the', 'cat']))",
    "text_value_offset": "tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(words, "
                         "tf.string, I.WHOLE_LINE, tf.int64, I.LINE_NUMBER, "
                         "value_index_offset=3), -1).lookup(tf.constant(['fox', 'the']))",
    "vocab_lookup": "vocab_table.lookup(oov_words)",
    "vocab_size": "vocab_table.size()",
    "vocab_int_keys": "int_vocab.lookup(tf.constant([10, 7, 99, 30, -5, 123456789012], "
                      "tf.int64))",
    "vocab_int32_lookup": "tf.lookup.StaticVocabularyTable(kvint, 4, lookup_key_dtype=tf.int32)"
                          ".lookup(tf.constant([20, 21, 22]))",
    "vocab_no_initializer": "tf.lookup.StaticVocabularyTable(None, 11, lookup_key_dtype="
                            "tf.string).lookup(oov_words)",
    "vocab_text_file": "tf.lookup.StaticVocabularyTable(tf.lookup.TextFileInitializer(words, "
                       "tf.string, I.WHOLE_LINE, tf.int64, I.LINE_NUMBER), 3).lookup("
                       "tf.constant(['brown', 'red', 'blue', 'the']))",
    "vocab_sparse": "vocab_table.lookup(tf.sparse.SparseTensor([[0, 0], [1, 1]], ['b', 'nope'], "
                    "[2, 2]))",
    "mutable": "mutable_run()",
    "mutable_vector": "mutable_vector_run()",
    "dense": "dense_run()",
    "dataset_map": "dataset_map()",
    "keras_lambda": "in_model()",
}

SETS = {
    "sets_intersection": "tf.sets.intersection(a, b)",
    "sets_union": "tf.sets.union(a, b)",
    "sets_difference": "tf.sets.difference(a, b)",
    "sets_difference_ba": "tf.sets.difference(a, b, aminusb=False)",
    "sets_size": "tf.sets.size(sp)",
    "sets_size_3d": "tf.sets.size(sp3)",
    "sets_sparse_sparse": "tf.sets.union(sp, tf.sparse.reset_shape(sp2, [3, 4]))",
    "sets_sparse_dense": "tf.sets.intersection(sp, tf.constant([[3, 3, 1], [1, 1, 1], [2, 0, 7]]))",
    "sets_dense_sparse": "tf.sets.intersection(tf.constant([[3, 3, 1], [1, 1, 1], [2, 0, 7]]), sp)",
    "sets_dense_sparse_diff": "tf.sets.difference(tf.constant([[3, 4, 1], [1, 5, 1], [2, 0, 7]]), "
                              "sp)",
    "sets_sparse_diff": "tf.sets.difference(sp, tf.constant([[3, 3, 1], [1, 1, 1], [2, 0, 7]]))",
    "sets_strings": "tf.sets.union(tf.constant([[b'a', b'', b'b']]), "
                    "tf.constant([[b'c', b'', b'c']]))",
    "sets_string_sparse": "tf.sets.difference(sps, tf.constant([[b'y', b'z'], [b'q', b'q']]))",
    "sets_empty": "tf.sets.intersection(tf.constant([[1, 2]]), tf.constant([[3, 4]]))",
    "sets_3d": "tf.sets.union(tf.reshape(a, [3, 2, 2]), tf.reshape(b, [3, 2, 2]))",
    "sets_int64": "tf.sets.intersection(tf.constant([[5, 6, 7]], tf.int64), "
                  "tf.constant([[7, 5, 0]], tf.int64))",
}

SPECS = {
    "spec_repr": "repr(tf.TensorSpec([None, 3], tf.float32, name='x'))",
    "spec_repr_unknown": "repr(tf.TensorSpec(None, tf.int32))",
    "spec_fields": "(tuple(tf.TensorSpec([None, 3]).shape), tf.TensorSpec([2], tf.int64).dtype "
                   "== tf.int64, tf.TensorSpec([1], name='q').name)",
    "spec_is_typespec": "(isinstance(tf.TensorSpec([1]), tf.TypeSpec), isinstance("
                        "tf.RaggedTensorSpec([1, None]), tf.TypeSpec), isinstance("
                        "tf.SparseTensorSpec([1]), tf.TypeSpec))",
    "spec_compatible": "[tf.TensorSpec([None, 3]).is_compatible_with(v) for v in (tf.zeros([5, 3]),"
                       " tf.zeros([5, 4]), tf.TensorSpec([2, 3]), np.zeros((2, 3)), "
                       "tf.zeros([2, 3], tf.int32), tf.zeros([3]), np.zeros((2, 3), np.float32), "
                       "[[1.0] * 3])]",
    "spec_unknown_compatible": "[tf.TensorSpec(None).is_compatible_with(v) for v in "
                               "(tf.zeros([1, 2]), tf.zeros([]), tf.zeros([1], tf.int32))]",
    "spec_equal": "(tf.TensorSpec([None, 3], name='x') == tf.TensorSpec([None, 3], name='x'), "
                  "tf.TensorSpec([None, 3]) == tf.TensorSpec([None, 3], name='x'), "
                  "tf.TensorSpec([2]) == tf.TensorSpec([2], tf.int32), "
                  "hash(tf.TensorSpec([2])) == hash(tf.TensorSpec([2])), "
                  "tf.TensorSpec([2], tf.int32) != tf.TensorSpec([2], tf.int32))",
    "spec_from_tensor": "repr(tf.TensorSpec.from_tensor(tf.zeros([2, 2]), name='z'))",
    "spec_from_spec": "repr(tf.TensorSpec.from_spec(tf.TensorSpec([4], tf.int32, name='n')))",
    "spec_supertype": "[repr(tf.TensorSpec([2, 3]).most_specific_common_supertype(["
                      "tf.TensorSpec([4, 3])])), repr(tf.TensorSpec([2, 3])."
                      "most_specific_common_supertype([tf.TensorSpec([2, 3], tf.int32)])), "
                      "repr(tf.TensorSpec([2, 3], name='a').most_specific_common_supertype(["
                      "tf.TensorSpec([2, 3], name='b')]))]",
    "ragged_spec_repr": "[repr(tf.RaggedTensorSpec([2, None], tf.int32, 1)), "
                        "repr(tf.RaggedTensorSpec([None, None, 4])), "
                        "tf.RaggedTensorSpec([None, None, None]).ragged_rank, "
                        "tf.RaggedTensorSpec([3, None], row_splits_dtype=tf.int32)"
                        ".row_splits_dtype == tf.int32]",
    "ragged_spec_value": "[repr(tf.type_spec_from_value(tf.ragged.constant([[1, 2], [3]]))), "
                         "tf.RaggedTensorSpec([2, None], tf.int32, 1).is_compatible_with("
                         "tf.ragged.constant([[1, 2], [3]])), tf.RaggedTensorSpec([2, None], "
                         "tf.int64).is_compatible_with(tf.ragged.constant([[1, 2], [3]])), "
                         "tf.RaggedTensorSpec([3, None], tf.int32).is_compatible_with("
                         "tf.ragged.constant([[1, 2], [3]]))]",
    "ragged_spec_equal": "(tf.RaggedTensorSpec([2, None], tf.int32, 1) == "
                         "tf.RaggedTensorSpec([2, None], tf.int32, 1), "
                         "tf.RaggedTensorSpec([2, None]) == tf.RaggedTensorSpec([3, None]))",
    "sparse_spec": "[repr(tf.SparseTensorSpec([None, 4], tf.int32)), "
                   "repr(tf.type_spec_from_value(tf.sparse.SparseTensor([[0, 1]], [2.0], [3, 4]))),"
                   " tf.SparseTensorSpec([None, 4]).is_compatible_with(tf.sparse.SparseTensor("
                   "[[0, 1]], [2.0], [3, 4])), tf.SparseTensorSpec([None, 5]).is_compatible_with("
                   "tf.sparse.SparseTensor([[0, 1]], [2.0], [3, 4])), "
                   "tf.SparseTensorSpec([2], tf.int32) == tf.SparseTensorSpec([2], tf.int32), "
                   "repr(tf.SparseTensorSpec())]",
    "spec_from_value": "[repr(tf.type_spec_from_value(v)) for v in (tf.constant([1, 2]), "
                       "np.zeros((2,), np.float64), 3.0, [1, 2], 'text', [[1.5], [2.5]], "
                       "np.int64(4), True)]",
    "dataset_spec": "[repr(tf.data.DatasetSpec(tf.TensorSpec([], tf.int32))), "
                    "repr(tf.data.DatasetSpec(tf.TensorSpec([], tf.int32)).element_spec), "
                    "tf.data.DatasetSpec(tf.TensorSpec([2])) == tf.data.DatasetSpec("
                    "tf.TensorSpec([2])), isinstance(tf.data.DatasetSpec(tf.TensorSpec([2])), "
                    "tf.TypeSpec)]",
    "dataset_spec_from_value": "repr(tf.type_spec_from_value(tf.data.Dataset.from_tensor_slices("
                               "tf.constant([1, 2]))))",
    "from_generator_ragged": "list(tf.data.Dataset.from_generator(lambda: iter(["
                             "tf.ragged.constant([[1], [2, 3]]), tf.ragged.constant([[4, 5, 6]])"
                             "]), output_signature=tf.RaggedTensorSpec([None, None], tf.int32)))",
    "from_generator_ragged_map": "list(tf.data.Dataset.from_generator(lambda: iter(["
                                 "tf.ragged.constant([[1], [2, 3]])]), output_signature="
                                 "tf.RaggedTensorSpec([None, None], tf.int32)).map("
                                 "lambda r: (r, r.row_lengths())))",
    "from_generator_sparse": "list(tf.data.Dataset.from_generator(lambda: iter(["
                             "tf.sparse.SparseTensor([[0], [2]], [1.0, 2.0], [3])]), "
                             "output_signature=tf.SparseTensorSpec([3], tf.float32)))",
    "element_spec_slices": "repr(tf.data.Dataset.from_tensor_slices((np.zeros((5, 3), np.float32), "
                           "tf.constant([1, 2, 3, 4, 5]))).element_spec)",
    "element_spec_generator": "repr(tf.data.Dataset.from_generator(lambda: iter([[1, 2]]), "
                              "output_signature=tf.TensorSpec([None], tf.int32)).element_spec)",
    "keras_input_type_spec": "[(tuple(i.shape), i.dtype == tf.float32) for i in ("
                             "keras.Input(type_spec=tf.TensorSpec([None, 4], tf.float32)), "
                             "keras.Input(type_spec=tf.TensorSpec([2, 3])))]",
    "keras_input_type_spec_name": "keras.Input(type_spec=tf.TensorSpec([None, 2], tf.int32, "
                                  "name='ids')).name",
    "function_signature": "tf.function(lambda x: x * 2, input_signature=["
                          "tf.TensorSpec([None], tf.float32)])([1, 2])",
    "function_signature_nested": "tf.function(lambda p, q: p[0] + p[1] * q, input_signature=["
                                 "(tf.TensorSpec([2], tf.int64), tf.TensorSpec([2], tf.int64)), "
                                 "tf.TensorSpec([], tf.int64)])((tf.constant([1, 2], tf.int64), "
                                 "tf.constant([3, 4], tf.int64)), tf.constant(5, tf.int64))",
}

RANDOM = {
    "fold_in": "tf.random.fold_in([1, 2], 5)",
    "fold_in_int64": "tf.random.fold_in(tf.constant([7, -3], tf.int64), 123456789012)",
    "fold_in_chain": "tf.random.fold_in(tf.random.fold_in(tf.constant([0, 0], tf.int64), 1), 2)",
    "split": "tf.random.split([1, 2])",
    "split_int64": "tf.random.split(tf.constant([1, 2], tf.int64), 3)",
    "split_big": "tf.random.split(tf.constant([2**40, -(2**50)], tf.int64), 5)",
    "split_one": "tf.random.split(tf.constant([9, 9]), 1)",
    "poisson": "tf.random.stateless_poisson([8], [1, 2], 3.5)",
    "poisson_rates": "tf.random.stateless_poisson([6, 3], [7, -3], [0.5, 9.9, 10.0])",
    "poisson_large": "tf.random.stateless_poisson([5, 2], tf.constant([4, 4], tf.int64), "
                     "[15.5, 120.0], dtype=tf.int64)",
    "poisson_f64": "tf.random.stateless_poisson([40], [9, 1], tf.constant(2.5, tf.float64), "
                   "dtype=tf.float32)",
    "poisson_many": "tf.random.stateless_poisson([3000], [3, 4], 11.0)",
    "poisson_zero": "tf.random.stateless_poisson([4], [3, 5], 0.0)",
    "poisson_2d_lam": "tf.random.stateless_poisson([3, 2, 2], [0, 1], [[1.0, 30.0], [4.5, 64.0]])",
    "gamma": "tf.random.stateless_gamma([6], [1, 2], 2.0)",
    "gamma_alphas": "tf.random.stateless_gamma([4, 3], [7, -3], [0.5, 1.0, 7.5])",
    "gamma_beta_f64": "tf.random.stateless_gamma([5, 2], [4, 4], [0.1, 30.0], [2.0, 0.5], "
                      "dtype=tf.float64)",
    "gamma_many": "tf.random.stateless_gamma([3000], [3, 4], 0.9)",
    "gamma_broadcast": "tf.random.stateless_gamma([2, 3, 2], [5, 6], [[1.5], [3.0], [0.25]], "
                       "[1.0, 4.0])",
    "binomial": "tf.random.stateless_binomial([8], [1, 2], 10, 0.3)",
    "binomial_params": "tf.random.stateless_binomial([6, 3], [7, -3], [5.0, 40.0, 100.0], "
                       "[0.9, 0.5, 0.05])",
    "binomial_btrs": "tf.random.stateless_binomial([5, 2], [4, 4], [200.0, 30.0], [0.7, 0.99], "
                     "output_dtype=tf.float32)",
    "binomial_many": "tf.random.stateless_binomial([1500], [3, 4], 50.0, 0.4, "
                     "output_dtype=tf.int64)",
    "binomial_edges": "tf.random.stateless_binomial([2, 4], [1, 1], [[0.0], [7.0]], "
                      "[0.5, 0.0, 1.0, 0.25])",
    "binomial_f64": "tf.random.stateless_binomial([6], [9, 9], 25.0, tf.constant(0.45, "
                    "tf.float64))",
    "uniform": "tf.random.stateless_uniform([5], [1, 2])",
    "uniform_bounds": "tf.random.stateless_uniform([2, 3], [7, -3], -2.0, 5.0)",
    "uniform_f64": "tf.random.stateless_uniform([5], [1, 2], dtype=tf.float64)",
    "uniform_f16": "tf.random.stateless_uniform([5], [1, 2], dtype=tf.float16)",
    "uniform_int32": "tf.random.stateless_uniform([6], [4, 4], 3, 17, dtype=tf.int32)",
    "uniform_int64": "tf.random.stateless_uniform([6], tf.constant([4, 4], tf.int64), -5, "
                     "2**40, dtype=tf.int64)",
    "uniform_full": "[tf.random.stateless_uniform([4], [4, 4], None, None, dtype=d) "
                    "for d in (tf.int32, tf.int64, tf.uint32, tf.uint64)]",
    "normal": "tf.random.stateless_normal([5], [1, 2])",
    "normal_odd": "tf.random.stateless_normal([2, 3, 3], [9, 9], 1.0, 3.0)",
    "normal_f64": "tf.random.stateless_normal([5], [1, 2], dtype=tf.float64)",
    "normal_f16": "tf.random.stateless_normal([3], [1, 2], dtype=tf.float16)",
    "truncated": "tf.random.stateless_truncated_normal([9], [1, 2])",
    "truncated_scaled": "tf.random.stateless_truncated_normal([2, 5], [7, -3], 1.0, 0.5)",
    "truncated_f64": "tf.random.stateless_truncated_normal([5], [1, 2], dtype=tf.float64)",
    "truncated_f16": "tf.random.stateless_truncated_normal([3], [1, 2], dtype=tf.float16)",
    "truncated_many": "tf.random.stateless_truncated_normal([2000], [5, 5])",
    "generator": "generator_run()",
    "generator_states": "generator_states()",
    "categorical": "tf.random.stateless_categorical([[0.0, 1.0, 2.0]], 8, [1, 2])",
    "categorical_rows": "tf.random.stateless_categorical(np.log([[0.5, 0.5], [0.1, 0.9], "
                        "[0.7, 0.3]]).astype(np.float32), 5, [7, -3], dtype=tf.int32)",
    "categorical_inf": "tf.random.stateless_categorical([[-np.inf, 0.0, 3.0, -np.inf]], 6, "
                       "[4, 4])",
    "categorical_batch": "tf.random.stateless_categorical(np.cos(np.arange(40.0)).reshape(4, 10)"
                         ".astype(np.float32), 7, [9, 9])",
    "categorical_wide": "tf.random.stateless_categorical(np.zeros((1, 1000), np.float32), 3, "
                        "[2, 3])",
    "experimental_names": "[tf.random.experimental.stateless_fold_in([3, 4], 9), "
                          "tf.random.experimental.stateless_split([3, 4], 2), "
                          "tf.random.experimental.create_rng_state(7, 'philox'), "
                          "tf.random.experimental.Generator.from_seed(4).normal([2])]",
    "index_shuffle": "[tf.random.experimental.index_shuffle(i, [1, 2], 9) for i in range(10)]",
    "index_shuffle_vector": "tf.random.experimental.index_shuffle(tf.range(8, dtype=tf.int64), "
                            "tf.constant([5, 6], tf.int64), tf.constant(7, tf.int64))",
    "index_shuffle_maxes": "tf.random.experimental.index_shuffle(tf.constant([3, 100000, 0]), "
                           "[3, 4], tf.constant([9, 2**20, 5]))",
    "index_shuffle_big": "tf.random.experimental.index_shuffle(tf.constant(2**40, tf.int64), "
                         "[7, 7], tf.constant(2**41, tf.int64))",
    "stateless_shuffle": "tf.random.experimental.stateless_shuffle(tf.range(10), [1, 2])",
    "stateless_shuffle_rows": "tf.random.experimental.stateless_shuffle(tf.reshape("
                              "tf.range(12.0), [4, 3]), tf.constant([7, -3], tf.int64))",
    "stateless_shuffle_strings": "tf.random.experimental.stateless_shuffle(tf.constant(['a', "
                                 "'b', 'c']), [0, 0])",
    "algorithm": "[(a.name, a.value) for a in tf.random.Algorithm]",
    "rng_state": "[tf.random.create_rng_state(5, 'philox'), tf.random.create_rng_state(5, "
                 "'threefry'), tf.random.create_rng_state(2**40 + 3, 1), "
                 "tf.random.create_rng_state([1, 2, 3], 'philox'), "
                 "tf.random.create_rng_state(2**70 + 9, tf.random.Algorithm.PHILOX), "
                 "tf.random.create_rng_state([4], 'threefry')]",
    "global_generator": "(isinstance(tf.random.get_global_generator(), tf.random.Generator), "
                        "tf.random.get_global_generator().algorithm)",
}

STRINGS = {
    "to_hash_bucket": "tf.strings.to_hash_bucket([b'', b'a', b'ab', b'hello', b'abcdefgh', "
                      "b'abcdefghi', b'0123456789abcdef', b'a longer string of 33 bytes......', "
                      "'h\\u00e9llo'.encode()], 1000)",
    "to_hash_bucket_2d": "tf.strings.to_hash_bucket(tf.constant([['x', 'yy'], ['zzz', '']]), 7)",
    "to_hash_bucket_one": "tf.strings.to_hash_bucket(['q', 'r'], 1)",
    "format_ints": "tf.strings.format('x={} y={}', (tf.constant([1, 2]), tf.constant(3)))",
    "format_floats": "tf.strings.format('{} {} {}', (tf.constant([3.5, 0.1, 1e-7, 1.0 / 3.0, "
                     "-2.0, 1e10, 123456.7]), tf.constant(1.0 / 3.0, tf.float64), "
                     "tf.constant([float('nan'), float('inf'), -float('inf')])))",
    "format_bool": "tf.strings.format('{}|{}', (tf.constant(True), tf.constant([True, False])))",
    "format_strings": "tf.strings.format('{}', tf.constant([['a', 'b'], ['c', 'd']]))",
    "format_string_scalar": "tf.strings.format('<{}>', tf.constant('text'))",
    "format_long": "[tf.strings.format('{}', tf.range(20), summarize=s) "
                   "for s in (3, 2, -1, 10, 0)]",
    "format_3d": "tf.strings.format('{}', tf.reshape(tf.range(24), [2, 3, 4]))",
    "format_3d_summarize": "tf.strings.format('{}', tf.reshape(tf.range(8 * 7 * 2), [8, 7, 2]), "
                           "summarize=2)",
    "format_empty": "tf.strings.format('{} and {}', (tf.zeros([0], tf.int32), "
                    "tf.zeros([2, 0], tf.int32)))",
    "format_placeholder": "tf.strings.format('a=%s b=%s', (tf.constant(1), tf.constant(2)), "
                          "placeholder='%s')",
    "format_no_inputs": "tf.strings.format('plain', [])",
    "as_string": "tf.as_string(tf.constant([1.5, -2.25]), precision=2)",
    "as_string_int": "tf.as_string(tf.constant([7, -3]), width=4, fill='0')",
    "split_offsets": "tf.strings.unicode_split_with_offsets(texts, 'UTF-8')",
    "split_offsets_scalar": "tf.strings.unicode_split_with_offsets('h\\u00e9\\u20acx', 'UTF-8')",
    "split_offsets_ignore": "tf.strings.unicode_split_with_offsets(texts, 'UTF-8', "
                            "errors='ignore')",
    "split_offsets_char": "tf.strings.unicode_split_with_offsets(texts, 'UTF-8', "
                          "replacement_char=63)",
    "decode_offsets": "tf.strings.unicode_decode_with_offsets(texts, 'UTF-8')",
    "decode_offsets_scalar": "tf.strings.unicode_decode_with_offsets(b'a\\xe2\\x82\\xacb', "
                             "'UTF-8')",
    "decode_offsets_control": "tf.strings.unicode_decode_with_offsets(texts, 'UTF-8', "
                              "replace_control_characters=True)",
    "decode_offsets_utf16": "tf.strings.unicode_decode_with_offsets(["
                            "'h\\u00e9\\U0001F600!'.encode('utf-16-be'), b''], 'UTF-16-BE')",
    "transcode_utf16": "tf.strings.unicode_transcode(texts, 'UTF-8', 'UTF-16-BE')",
    "transcode_utf32": "tf.strings.unicode_transcode(texts, 'UTF-8', 'UTF-32-BE')",
    "transcode_to_utf8": "tf.strings.unicode_transcode(tf.constant([["
                         "'h\\u00e9\\U0001F600'.encode('utf-16-be')]]), 'UTF-16-BE', 'UTF-8')",
    "transcode_ignore": "tf.strings.unicode_transcode(texts, 'UTF-8', 'UTF-8', errors='ignore')",
    "transcode_control": "tf.strings.unicode_transcode(texts, 'UTF-8', 'UTF-8', "
                         "replace_control_characters=True, replacement_char=42)",
    "segment_join": "tf.strings.unsorted_segment_join(['a', 'b', 'c', 'd'], [1, 0, 1, 3], 5, "
                    "separator='-')",
    "segment_join_2d": "tf.strings.unsorted_segment_join([['a', 'b'], ['c', 'd'], ['e', 'f']], "
                       "[1, 1, 0], 2, separator=', ')",
    "segment_join_ids_2d": "tf.strings.unsorted_segment_join([['a', 'b'], ['c', 'd']], "
                           "[[0, 1], [1, 1]], 3)",
}

MISC = {
    "residual_wrapper": "wrapped_rnn(tf.nn.RNNCellResidualWrapper, return_sequences=True)",
    "residual_wrapper_fn": "wrapped_rnn(lambda c: tf.nn.RNNCellResidualWrapper(c, residual_fn="
                           "lambda i, o: o - 0.5 * i))",
    "residual_wrapper_lstm": "wrapped_rnn(tf.nn.RNNCellResidualWrapper, 'lstm', return_state=True)",
    "device_wrapper": "wrapped_rnn(lambda c: tf.nn.RNNCellDeviceWrapper(c, '/cpu:0'), 'lstm', "
                      "return_sequences=True)",
    "dropout_wrapper_keep_all": "wrapped_rnn(tf.nn.RNNCellDropoutWrapper, go_backwards=True)",
    "wrapper_sizes": "[(w.state_size, w.output_size) for w in (tf.nn.RNNCellDropoutWrapper("
                     "constant_cell('lstm', 4)), tf.nn.RNNCellResidualWrapper(constant_cell()))]",
    "broadcast_static": "[tuple(tf.broadcast_static_shape(tf.TensorShape(x), tf.TensorShape(y)))"
                        " for x, y in (([2, 1], [3]), ([5, 1, 4], [3, 1]), ([None, 3], [2, 1, 1]),"
                        " ([1], [None]), ([], [4, 2]))]",
    "broadcast_dynamic": "tf.broadcast_dynamic_shape([2, 1], [3])",
    "broadcast_dynamic_64": "tf.broadcast_dynamic_shape(tf.constant([5, 1, 4], tf.int64), "
                            "tf.constant([3, 1], tf.int64))",
    "broadcast_dynamic_empty": "tf.broadcast_dynamic_shape(tf.constant([], tf.int32), [4, 2])",
    "timestamp": "(tf.timestamp().dtype == tf.float64, tuple(tf.timestamp().shape), "
                 "bool(tf.timestamp() > 1.7e9))",
    "fingerprint_strings": "tf.fingerprint(tf.constant(['a', 'bc', '', 'x' * 70]))",
    "fingerprint_ints": "tf.fingerprint(tf.constant([[1, 2], [3, 4]]))",
    "fingerprint_strings_2d": "tf.fingerprint(tf.constant([['a', 'b'], ['c', 'd']]))",
    "fingerprint_floats": "tf.fingerprint(tf.reshape(tf.range(12, dtype=tf.float32), [3, 2, 2]))",
    "fingerprint_bytes": "tf.fingerprint(tf.constant(np.arange(20, dtype=np.uint8).reshape(4, 5)))",
    "fingerprint_empty": "tf.fingerprint(tf.zeros([0, 3]))",
    "fingerprint_int64": "tf.fingerprint(tf.constant([7, -1], tf.int64))",
    "parallel_stack": "tf.function(lambda: tf.parallel_stack([tf.constant([1, 2]), "
                      "tf.constant([3, 4]), tf.constant([5, 6])]))()",
    "name_scopes": "scope_names()",
}

CASES = dict(LOOKUP, **SETS, **SPECS, **RANDOM, **STRINGS, **MISC)

ERRORS = {
    "lookup_key_dtype": ("table.lookup(tf.constant([1, 2]))", "StaticHashTable"),
    "lookup_float_key": ("table.lookup(tf.constant(1.0))", "keys"),
    "vocab_key_dtype": ("int_vocab.lookup(tf.constant([1, 2]))", "keys"),
    "duplicate_keys": ("tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer("
                       "['a', 'a'], [1, 2]), -1)", "same key"),
    "duplicate_lines": ("tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(dup, "
                        "tf.string, I.WHOLE_LINE, tf.int64, I.LINE_NUMBER), -1)", "same key"),
    "missing_file": ("tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer("
                     "os.path.join(d, 'nope.txt'), tf.string, 0, tf.int64, 1), -1)", "nope.txt"),
    "too_few_columns": ("tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(vocab, "
                        "tf.string, 0, tf.int64, 5), -1)", "columns"),
    "vocab_size_short": ("tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(vocab, "
                         "tf.string, 0, tf.int64, 1, vocab_size=5), -1)", "vocab_size"),
    "line_number_dtype": ("tf.lookup.TextFileInitializer(vocab, tf.string, I.LINE_NUMBER, "
                          "tf.int64, 1)", "key_dtype"),
    "line_number_value_dtype": ("tf.lookup.TextFileInitializer(vocab, tf.string, 0, tf.string, "
                                "I.LINE_NUMBER)", "value_dtype"),
    "length_mismatch": ("tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer("
                        "['a', 'b'], [1]), -1)", "shape"),
    "default_dtype": ("tf.lookup.StaticHashTable(kv, 'x')", "int32"),
    "oov_buckets_zero": ("tf.lookup.StaticVocabularyTable(kv64, 0)", "num_oov_buckets"),
    "vocab_value_dtype": ("tf.lookup.StaticVocabularyTable(kv, 3)", "value_dtype"),
    "vocab_float_keys": ("tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer("
                         "tf.constant([1.0]), tf.constant([0], tf.int64)), 2)", "key_dtype"),
    "vocab_lookup_dtype": ("tf.lookup.StaticVocabularyTable(kv64, 2, lookup_key_dtype=tf.int64)",
                           "key_dtype"),
    "mutable_key_type": ("tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)"
                         ".insert([1], [2])", "string"),
    "mutable_value_type": ("tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)"
                           ".insert(['a'], [2.5])", "int64"),
    "mutable_value_count": ("tf.lookup.experimental.MutableHashTable(tf.string, tf.int64, -1)"
                            ".insert(tf.constant(['a', 'b']), tf.constant([2], tf.int64))",
                            "shape"),
    "dense_empty_key": ("tf.lookup.experimental.DenseHashTable(tf.int64, tf.int64, -1, 0, -1)"
                        ".insert(tf.constant([0], tf.int64), tf.constant([1], tf.int64))",
                        "empty_key"),
    "dense_lookup_deleted": ("tf.lookup.experimental.DenseHashTable(tf.int64, tf.int64, -1, 0, "
                             "-1).lookup(tf.constant([-1], tf.int64))", "deleted_key"),
    "sets_size_dense": ("tf.sets.size(tf.constant([[1, 2]]))", "SparseTensor"),
    "sets_shapes": ("tf.sets.union(tf.constant([[1]]), tf.constant([[1, 2], [3, 4]]))", "shape"),
    "sets_dtypes": ("tf.sets.union(tf.constant([[1]]), tf.constant([[b'a']]))", "dtype"),
    "sets_dtypes_int": ("tf.sets.union(tf.constant([[1]], tf.int64), tf.constant([[1]]))",
                        "dtype"),
    "sets_float": ("tf.sets.intersection(tf.constant([[1.0]]), tf.constant([[1.0]]))",
                   "intersection"),
    "ragged_spec_rank": ("tf.RaggedTensorSpec()", "ragged_rank"),
    "spec_from_object": ("tf.type_spec_from_value(object())", "TypeSpec"),
    "signature_shape": ("tf.function(lambda x: x, input_signature=[tf.TensorSpec([None], "
                        "tf.float32)])(tf.constant([[1.0]]))", "TensorSpec"),
    "signature_dtype": ("tf.function(lambda x: x, input_signature=[tf.TensorSpec([None], "
                        "tf.float32)])(tf.constant([1], tf.int32))", "int32"),
    "hash_bucket_zero": ("tf.strings.to_hash_bucket(['a'], 0)", "num_buckets"),
    "format_count": ("tf.strings.format('{} {}', tf.constant(1))", "placeholder"),
    "decode_strict": ("tf.strings.unicode_decode_with_offsets(texts, 'UTF-8', errors='strict')",
                      "UTF-8"),
    "transcode_strict": ("tf.strings.unicode_transcode(texts, 'UTF-8', 'UTF-16-BE', "
                         "errors='strict')", "UTF-8"),
    "transcode_encoding": ("tf.strings.unicode_transcode(texts, 'UTF-8', 'KLINGON')",
                           "output_encoding"),
    "segment_join_range": ("tf.strings.unsorted_segment_join(['a', 'b'], [0, 2], 2)",
                           "num_segments"),
    "segment_join_shape": ("tf.strings.unsorted_segment_join(['a', 'b'], [0, 1, 1], 2)",
                           "segment_ids"),
    "broadcast_static_bad": ("tf.broadcast_static_shape(tf.TensorShape([2, 3]), "
                             "tf.TensorShape([4]))", "broadcast"),
    "broadcast_dynamic_bad": ("tf.broadcast_dynamic_shape([2, 3], [4])", "broadcast"),
    "fingerprint_method": ("tf.fingerprint(tf.constant([1]), method='md5')", "md5"),
    "fingerprint_scalar": ("tf.fingerprint(tf.constant(1))", "rank"),
    "dropout_keep_prob": ("tf.nn.RNNCellDropoutWrapper(constant_cell(), output_keep_prob=1.5)",
                          "output_keep_prob"),
    "uniform_bounds_order": ("tf.random.stateless_uniform([2], [1, 2], 5, 5, dtype=tf.int32)",
                             "minval"),
    "uniform_int_one_bound": ("tf.random.stateless_uniform([2], [1, 2], dtype=tf.int32)",
                              "maxval"),
    "generator_state_size": ("tf.random.Generator.from_state([1, 2], 'philox')", "state"),
    "generator_uniform_bounds": ("tf.random.Generator.from_seed(1).uniform([2], 4, 4, "
                                 "dtype=tf.int64)", "minval"),
    "index_shuffle_seed_rows": ("tf.random.experimental.index_shuffle(tf.constant([1, 2]), "
                                "[[1, 2], [3, 4]], tf.constant([5, 5]))", "seed"),
    "index_shuffle_range": ("tf.random.experimental.index_shuffle(7, [1, 2], 5)", "max_index"),
    "normal_negative_shape": ("tf.random.stateless_normal([-1], [1, 2])", "shape"),
    "generator_ragged_dtype": ("list(tf.data.Dataset.from_generator(lambda: iter(["
                               "tf.ragged.constant([[1.5]])]), output_signature="
                               "tf.RaggedTensorSpec([None, None], tf.int32)))", "RaggedTensor"),
}


def encode(o):
    """A JSON record of an output (tools/gen_tf_io14_refs.py's layout)."""
    if isinstance(o, tf.sparse.SparseTensor):
        return {"sparse": [encode(o.indices), encode(o.values), encode(o.dense_shape)]}
    if isinstance(o, tf.RaggedTensor):
        return {"ragged": [encode(o.flat_values), encode(o.row_splits)]}
    if isinstance(o, dict):
        return {"dict": {k: encode(v) for k, v in sorted(o.items())}}
    if isinstance(o, (list, tuple)):
        return {"list": [encode(v) for v in o]}
    if isinstance(o, bytes):
        return {"bytes": o.hex()}
    if isinstance(o, (tf.Tensor, tf.Variable)):
        a = o.numpy()
    elif isinstance(o, (np.ndarray, np.generic)) and not isinstance(o, np.bool_):
        a = np.asarray(o)
    else:
        return {"python": bool(o) if isinstance(o, np.bool_) else o}
    a = np.asarray(a, dtype=object) if isinstance(a, bytes) else np.asarray(a)
    if a.dtype == object:
        return {"dtype": "string", "shape": list(a.shape),
                "values": [bytes(v).hex() for v in a.reshape(-1)]}
    vals = a.reshape(-1).tolist()
    if a.dtype.kind == "f":
        vals = [v if np.isfinite(v) else repr(v) for v in vals]
    return {"dtype": str(a.dtype), "shape": list(a.shape), "values": vals}


def main():
    env = dict(tf=tf, np=np, keras=keras)
    exec(SETUP, env)  # noqa: S102 -- the setup above
    cases = {}
    for name, expr in CASES.items():
        cases[name] = {"expr": expr, "out": encode(eval(expr, env))}  # noqa: S307
    errors = {}
    for name, (expr, word) in ERRORS.items():
        try:
            eval(expr, env)  # noqa: S307
        except Exception as e:  # noqa: BLE001 -- recording which class TensorFlow raises
            errors[name] = {"expr": expr, "error": type(e).__name__, "word": word}
        else:
            raise AssertionError(f"{name}: TensorFlow raised nothing for {expr}")
    with open(OUT, "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": cases, "setup": SETUP,
                   "errors": errors}, f, sort_keys=True, indent=0, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
