"""Expected figures of tf.data for tests/test_tf_compat.py (tensorforge.data.Dataset): endless
repeat, from_generator, padded_batch, enumerate, the cardinalities of pipelines, and which
batches fit(steps_per_epoch=...) trains on when the dataset is endless or longer than an epoch.

Run with real TensorFlow 2 / tf_keras (never a test dependency):
    /work/keras-venv/bin/python tools/gen_tf_data_refs.py > tests/data/tf_data_refs.json
"""
import json

import numpy as np
import tensorflow as tf
import tf_keras as keras


def ragged():
    for n in (3, 1, 4, 2, 5):
        yield list(range(1, n + 1)), n


def main():
    out = {}
    D = tf.data.Dataset
    sig = (tf.TensorSpec(shape=(None,), dtype=tf.int32), tf.TensorSpec(shape=(), dtype=tf.int64))
    gen = D.from_generator(ragged, output_signature=sig)
    out["padded"] = [[b[0].numpy().tolist(), b[1].numpy().tolist()]
                     for b in gen.padded_batch(2)]
    out["padded_shape_value"] = [[b[0].numpy().tolist(), b[1].numpy().tolist()]
                                 for b in gen.padded_batch(2, padded_shapes=([6], []),
                                                           padding_values=(-1, np.int64(0)),
                                                           drop_remainder=True)]
    out["generator_dtypes"] = [str(t.dtype.name) for t in next(iter(gen))]
    xs = D.range(5)
    out["repeat_take"] = [int(v) for v in xs.repeat().take(12)]
    out["enumerate"] = [[int(i), int(v)] for i, v in xs.skip(2).enumerate(start=10)]
    card = {"slices": D.from_tensor_slices(np.arange(10)),
            "repeat": D.from_tensor_slices(np.arange(10)).repeat(),
            "repeat3": D.from_tensor_slices(np.arange(10)).repeat(3),
            "repeat_batch": D.from_tensor_slices(np.arange(10)).repeat().batch(4),
            "repeat_take": D.from_tensor_slices(np.arange(10)).repeat().take(7),
            "repeat_skip": D.from_tensor_slices(np.arange(10)).repeat().skip(7),
            "generator": gen,
            "generator_take": gen.take(3),
            "filter": D.from_tensor_slices(np.arange(10)).filter(lambda v: v > 3),
            "filter_repeat": D.from_tensor_slices(np.arange(10)).repeat().filter(lambda v: v > 3),
            "zip_finite_infinite": D.zip((D.range(4), D.range(9).repeat())),
            "concat_infinite": D.range(4).concatenate(D.range(3).repeat()),
            "empty_repeat": D.range(0).repeat(),
            "padded": gen.padded_batch(2)}
    out["cardinality"] = {k: int(d.cardinality()) for k, d in card.items()}

    # which batches fit trains on: the first x of each batch, recorded by an eager train_step
    class Spy(keras.Model):
        seen = []

        def train_step(self, data):
            self.seen.append(int(data[0].numpy()[0, 0]))
            return {}

    x = np.arange(20, dtype=np.float32).reshape(20, 1)
    y = np.zeros((20, 1), np.float32)
    for key, ds, kw in (
            ("endless", D.from_tensor_slices((x, y)).batch(4).repeat(), dict(steps_per_epoch=3,
                                                                         epochs=3)),
            ("longer", D.from_tensor_slices((x, y)).batch(4), dict(steps_per_epoch=3, epochs=3)),
            ("exact", D.from_tensor_slices((x, y)).batch(4), dict(steps_per_epoch=5, epochs=2))):
        inp = keras.Input((1,))
        m = Spy(inp, keras.layers.Dense(1)(inp))
        m.compile(run_eagerly=True)
        Spy.seen = []
        h = m.fit(ds, verbose=0, **kw)
        out["fit_" + key] = {"seen": list(Spy.seen), "epochs_run": len(h.epoch)}
    try:
        inp = keras.Input((1,))
        m = keras.Model(inp, keras.layers.Dense(1)(inp))
        m.compile("sgd", "mse")
        m.fit(D.from_tensor_slices((x, y)).batch(4).repeat(), epochs=1, verbose=0)
        out["fit_endless_no_steps"] = "no error"
    except ValueError as e:
        out["fit_endless_no_steps"] = str(e).split("(")[0].strip()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
