"""The tf.data pipelines whose reprs tests/test_dataset_repr.py checks, written against a
``tf`` module argument: tensorforge in the test, TensorFlow in tools/gen_dataset_repr_refs.py
(which prints the expected strings under the Keras 2 oracle). Imports nothing of either."""
import numpy as np


def pipelines(tfm, text_file):
    D = tfm.data.Dataset
    ds = D.from_tensor_slices((np.zeros((6, 2), np.float32), np.arange(6)))
    first = lambda a, b: D.from_tensors(a)  # noqa: E731
    return {
        "slices": D.from_tensor_slices(np.arange(5)),
        "tensors": D.from_tensors(np.zeros(3, np.float32)),
        "gen": D.from_generator(lambda: iter([1]), output_signature=tfm.TensorSpec((), tfm.int32)),
        "range": D.range(3),
        "zip": D.zip((ds, ds)),
        "batch": ds.batch(2),
        "batch_drop": ds.batch(2, drop_remainder=True),
        "batch_parallel": ds.batch(2, num_parallel_calls=2),
        "padded_batch": D.range(5).map(lambda x: tfm.fill([x], x)).padded_batch(2),
        "padded_batch_shapes": D.range(5).map(lambda x: tfm.fill([x], x)).padded_batch(
            2, padded_shapes=[10], drop_remainder=True),
        "padded_batch_static": ds.padded_batch(2),
        "padded_batch_tuple_shapes": ds.padded_batch(2, padded_shapes=([5], [])),
        "unbatch": ds.batch(2).unbatch(),
        "enumerate": ds.enumerate(),
        "shuffle": ds.shuffle(3), "take": ds.take(2), "skip": ds.skip(2),
        "filter": ds.filter(lambda a, b: b > 2), "repeat": ds.repeat(),
        "concatenate": ds.concatenate(ds), "prefetch": ds.prefetch(tfm.data.AUTOTUNE),
        "cache": ds.cache(), "options": ds.with_options(tfm.data.Options()),
        "flat_map": ds.flat_map(first), "interleave": ds.interleave(first),
        "map": ds.map(lambda a, b: (a, b * 2)),
        "map_parallel": ds.map(lambda a, b: a, num_parallel_calls=tfm.data.AUTOTUNE),
        "window": ds.window(2),
        "text": tfm.data.TextLineDataset([text_file]),
        "dict_batch": D.from_tensor_slices({"a": [[1, 2]], "b": [1.0]}).batch(4),
    }
