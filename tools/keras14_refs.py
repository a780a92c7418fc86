"""Generate tests/data/keras14_refs.npz and keras14_refs.json: tf_keras 2.21's values for the
Keras 2 names keras14 added (grouped convolutions, ...), the oracle of tests/test_keras14*.py.

    /work/keras-venv/bin/python tools/keras14_refs.py      # tensorflow-cpu + tf_keras 2.21

Inputs and weights are drawn here from a fixed seed and stored next to the outputs, so the
tests replay exactly these; gradients are d sum(output * w) / d (input, kernel, bias) for a
stored random w.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import backup_restore_cases  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), "tests", "data")
rng = np.random.default_rng(1414)
OUT = {}
META = {}


def f32(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


# ---- grouped convolutions: (key, layer class, kwargs, input shape) ---------------------------
CONV_GROUPS = [
    ("c2d_g2", "Conv2D", dict(filters=6, kernel_size=3, groups=2), (2, 7, 8, 4)),
    ("c2d_g3_same_s2", "Conv2D", dict(filters=9, kernel_size=3, strides=2, padding="same",
                                      groups=3, activation="relu"), (2, 9, 7, 6)),
    ("c2d_dw_g8_same", "Conv2D", dict(filters=16, kernel_size=(3, 5), padding="same", groups=8),
     (2, 6, 7, 8)),
    ("c2d_dw_g5_dil2", "Conv2D", dict(filters=5, kernel_size=3, dilation_rate=2, groups=5),
     (1, 9, 9, 5)),
    ("c2d_g2_cf", "Conv2D", dict(filters=4, kernel_size=2, groups=2,
                                 data_format="channels_first"), (2, 4, 5, 6)),
    ("c2d_g4_nobias", "Conv2D", dict(filters=8, kernel_size=1, groups=4, use_bias=False),
     (3, 4, 4, 8)),
    ("c1d_g2_causal", "Conv1D", dict(filters=4, kernel_size=3, padding="causal", groups=2,
                                     dilation_rate=2), (2, 11, 6)),
    ("c1d_g3_s2", "Conv1D", dict(filters=6, kernel_size=4, strides=2, groups=3), (2, 13, 3)),
    ("c3d_g2", "Conv3D", dict(filters=4, kernel_size=(2, 3, 3), groups=2, padding="same"),
     (1, 4, 5, 6, 4)),
]


def conv_groups():
    for key, cls, kw, shape in CONV_GROUPS:
        layer = getattr(keras.layers, cls)(**kw)
        x = f32(*shape)
        layer.build(shape)
        ws = [f32(*w.shape) for w in layer.weights]
        layer.set_weights(ws)
        xt = tf.Variable(x)
        y = layer(xt)
        w = f32(*y.shape)
        with tf.GradientTape() as tape:
            s = tf.reduce_sum(layer(xt) * w)
        grads = tape.gradient(s, [xt] + layer.trainable_weights)
        OUT[f"conv/{key}/x"] = x
        OUT[f"conv/{key}/y"] = y.numpy()
        OUT[f"conv/{key}/w"] = w
        for i, v in enumerate(ws):
            OUT[f"conv/{key}/p{i}"] = v
        for i, g in enumerate(grads):
            OUT[f"conv/{key}/g{i}"] = g.numpy()
        META[f"conv/{key}"] = dict(cls=cls, kwargs=kw, shape=shape,
                                   config=layer.get_config())


# ---- layers keras14 added: (key, class, kwargs, input shape) ---------------------------------
LAYERS = [
    ("c3dt_valid", "Conv3DTranspose", dict(filters=3, kernel_size=(2, 3, 2)), (2, 3, 4, 3, 2)),
    ("c3dt_same_s2", "Conv3DTranspose", dict(filters=2, kernel_size=3, strides=2,
                                             padding="same", activation="relu"), (1, 3, 3, 4, 3)),
    ("c3dt_valid_s3_k2", "Conv3DTranspose", dict(filters=2, kernel_size=2, strides=(3, 1, 2)),
     (2, 2, 3, 3, 2)),
    ("c3dt_outpad", "Conv3DTranspose", dict(filters=2, kernel_size=(3, 2, 3),
                                            strides=(2, 2, 3), padding="same",
                                            output_padding=(1, 1, 2), use_bias=False),
     (2, 3, 2, 3, 3)),  # (TensorFlow's CPU Conv3DTranspose has no channels_first)
    ("clstm1d_seq", "ConvLSTM1D", dict(filters=3, kernel_size=3, padding="same",
                                       return_sequences=True), (2, 4, 7, 2)),
    ("clstm1d_valid_s2", "ConvLSTM1D", dict(filters=2, kernel_size=2, strides=2,
                                            go_backwards=True), (2, 3, 9, 3)),
    ("clstm3d_seq", "ConvLSTM3D", dict(filters=2, kernel_size=2, padding="same",
                                       return_sequences=True), (1, 3, 3, 4, 3, 2)),
    ("clstm3d_cf_valid", "ConvLSTM3D", dict(filters=2, kernel_size=(2, 2, 1),
                                            data_format="channels_first",
                                            activation="relu"), (2, 2, 2, 3, 3, 4)),
]


def layers_added():
    for key, cls, kw, shape in LAYERS:
        layer = getattr(keras.layers, cls)(**kw)
        layer.build(shape)
        ws = [f32(*w.shape, lo=-0.5, hi=0.5) for w in layer.weights]
        layer.set_weights(ws)
        x = f32(*shape)
        xt = tf.Variable(x)
        y = layer(xt)
        w = f32(*y.shape)
        with tf.GradientTape() as tape:
            s = tf.reduce_sum(layer(xt) * w)
        grads = tape.gradient(s, [xt] + layer.trainable_weights)
        OUT[f"layer/{key}/x"] = x
        OUT[f"layer/{key}/y"] = y.numpy()
        OUT[f"layer/{key}/w"] = w
        for i, v in enumerate(ws):
            OUT[f"layer/{key}/p{i}"] = v
        for i, g in enumerate(grads):
            OUT[f"layer/{key}/g{i}"] = g.numpy()
        META[f"layer/{key}"] = dict(cls=cls, kwargs=kw, shape=shape, config=layer.get_config(),
                                    output_shape=list(layer.compute_output_shape(shape)))


def backend_fns():
    K = keras.backend
    cases = {
        "conv3d_valid": (lambda x, k: K.conv3d(x, k), (2, 4, 5, 6, 3), (2, 3, 2, 3, 4)),
        "conv3d_same_s2": (lambda x, k: K.conv3d(x, k, strides=(2, 1, 2), padding="same"),
                           (1, 5, 4, 5, 2), (3, 2, 3, 2, 3)),
        "conv3d_dil_cf": (lambda x, k: K.conv3d(x, k, data_format="channels_first",
                                                dilation_rate=(2, 1, 2)),
                          (2, 3, 6, 4, 6), (2, 2, 2, 3, 2)),
    }
    for key, (fn, xs, ks) in cases.items():
        x, k = f32(*xs), f32(*ks)
        xv, kv = tf.Variable(x), tf.Variable(k)
        y = fn(xv, kv)
        w = f32(*y.shape)
        with tf.GradientTape() as tape:
            s = tf.reduce_sum(fn(xv, kv) * w)
        gx, gk = tape.gradient(s, [xv, kv])
        for n, v in dict(x=x, k=k, y=y.numpy(), w=w, g0=gx.numpy(), g1=gk.numpy()).items():
            OUT[f"K/{key}/{n}"] = v
    pools = {
        "pool3d_max_valid": dict(pool_size=(2, 2, 2), strides=(2, 2, 2)),
        "pool3d_avg_same": dict(pool_size=(3, 2, 3), strides=(2, 1, 2), padding="same",
                                pool_mode="avg"),
        "pool3d_max_same_cf": dict(pool_size=(2, 3, 2), strides=(1, 2, 2), padding="same",
                                   data_format="channels_first"),
        "pool3d_avg_default_strides": dict(pool_size=(2, 2, 2), pool_mode="avg"),
    }
    for key, kw in pools.items():
        x = f32(2, 5, 4, 5, 3)
        xv = tf.Variable(x)
        y = K.pool3d(xv, **kw)
        w = f32(*y.shape)
        with tf.GradientTape() as tape:
            s = tf.reduce_sum(K.pool3d(xv, **kw) * w)
        OUT[f"K/{key}/x"], OUT[f"K/{key}/y"], OUT[f"K/{key}/w"] = x, y.numpy(), w
        OUT[f"K/{key}/g0"] = tape.gradient(s, xv).numpy()
        META[f"K/{key}"] = kw
    x = f32(2, 2, 3, 2, 3)
    OUT["K/resize_volumes/x"] = x
    OUT["K/resize_volumes/y"] = K.resize_volumes(tf.constant(x), 2, 3, 1, "channels_last").numpy()
    OUT["K/resize_volumes_cf/y"] = K.resize_volumes(tf.constant(x), 1, 2, 2,
                                                      "channels_first").numpy()
    labels = np.array([[3, 1, 4, 1], [5, 9, 0, 0], [2, 6, 5, 3]], np.int32)
    lengths = np.array([[3], [2], [4]], np.int32)
    sp = K.ctc_label_dense_to_sparse(labels, lengths)
    OUT["K/ctc_sparse/labels"], OUT["K/ctc_sparse/lengths"] = labels, lengths
    OUT["K/ctc_sparse/indices"] = sp.indices.numpy()
    OUT["K/ctc_sparse/values"] = sp.values.numpy()
    OUT["K/ctc_sparse/dense_shape"] = sp.dense_shape.numpy()


def backup_and_restore():
    """The epochs (and, with an int save_freq, the batches) a resumed fit runs after a crash."""
    import tempfile
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = (x.sum(1, keepdims=True) > 0).astype(np.float32)

    Crash, Seen = backup_restore_cases.callbacks(keras)

    out = {}
    for key, save_freq, crash in [("epoch", "epoch", (2, None)), ("int3", 3, (1, 2)),
                                  ("int4_epoch_end", 4, (1, 3))]:
        d = tempfile.mkdtemp()
        m = keras.Sequential([keras.layers.Dense(3, input_shape=(4,)), keras.layers.Dense(1)])
        m.compile("adam", "mse")
        try:
            m.fit(x, y, epochs=4, batch_size=16, verbose=0, shuffle=False,
                  callbacks=[keras.callbacks.BackupAndRestore(d, save_freq=save_freq),
                             Crash(*crash)])
        except RuntimeError:
            pass
        seen = Seen()
        h = m.fit(x, y, epochs=4, batch_size=16, verbose=0, shuffle=False,
                  callbacks=[keras.callbacks.BackupAndRestore(d, save_freq=save_freq), seen])
        out[key] = dict(save_freq=save_freq, crash=list(crash), epochs=h.epoch,
                        batches=seen.batches, left=sorted(os.listdir(d)))
    META["backup_and_restore"] = out


# ---- optimizers.Adafactor, schedules.CosineDecayRestarts, constraints.RadialConstraint --------
ADAFACTOR = {
    "default": {},
    "lr01_no_relative": dict(learning_rate=0.1, relative_step=False),
    "clip_eps": dict(learning_rate=0.5, clip_threshold=0.05, epsilon_2=0.5, beta_2_decay=-0.5),
    "weight_decay": dict(learning_rate=0.2, weight_decay=0.1),
    "schedule": dict(learning_rate=dict(class_name="ExponentialDecay", config=dict(
        initial_learning_rate=0.3, decay_steps=2, decay_rate=0.5))),
}


def adafactor():
    shapes = [(5,), (3, 4), (2, 3, 4), (1,)]
    p0 = [f32(*s) for s in shapes]
    grads = [[f32(*s) for s in shapes] for _ in range(5)]
    for i, p in enumerate(p0):
        OUT[f"adafactor/p{i}"] = p
        for t in range(5):
            OUT[f"adafactor/g{t}/{i}"] = grads[t][i]
    for key, kw in ADAFACTOR.items():
        kw = dict(kw)
        if isinstance(kw.get("learning_rate"), dict):
            kw["learning_rate"] = keras.optimizers.schedules.deserialize(kw["learning_rate"])
        opt = keras.optimizers.Adafactor(**kw)
        vs = [tf.Variable(p) for p in p0]
        for t in range(5):
            opt.apply_gradients(zip([tf.constant(g) for g in grads[t]], vs))
            for i, v in enumerate(vs):
                OUT[f"adafactor/{key}/step{t}/{i}"] = v.numpy()
    META["adafactor"] = ADAFACTOR
    META["adafactor_config"] = keras.optimizers.Adafactor().get_config()


def cosine_decay_restarts():
    cases = {"t2": dict(initial_learning_rate=0.5, first_decay_steps=4),
             "t1_m05": dict(initial_learning_rate=1.0, first_decay_steps=3, t_mul=1.0, m_mul=0.5),
             "t15_alpha": dict(initial_learning_rate=0.2, first_decay_steps=5, t_mul=1.5,
                               m_mul=0.8, alpha=0.1)}
    out = {}
    for key, kw in cases.items():
        sch = keras.optimizers.schedules.CosineDecayRestarts(**kw)
        out[key] = dict(kwargs=kw, values=[float(sch(t)) for t in range(40)],
                        config=sch.get_config())
    META["cosine_decay_restarts"] = out


def radial_constraint():
    c = keras.constraints.RadialConstraint()
    for k in (2, 3, 4, 5, 6):
        w = f32(k, k, 2, 3)
        OUT[f"radial/{k}/w"] = w
        OUT[f"radial/{k}/y"] = c(tf.constant(w)).numpy()
    META["radial_serialized"] = keras.constraints.serialize(c)


def utils_refs():
    """split_dataset on each input kind (the samples of each side, in order) and
    warmstart_embedding_matrix with a zeros initializer."""
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    y = np.arange(10, dtype=np.int64)
    cases = {
        "array_left07": (lambda: x, dict(left_size=0.7)),
        "array_shuffle_seed": (lambda: x, dict(left_size=4, shuffle=True, seed=11)),
        "tuple_right3": (lambda: (x, y), dict(right_size=3)),
        "list_both_float": (lambda: [x, y], dict(left_size=0.5, right_size=0.3, shuffle=True,
                                                 seed=2)),
        "dataset_tuples": (lambda: tf.data.Dataset.from_tensor_slices((x, y)),
                           dict(left_size=6, shuffle=True, seed=5)),
        "dataset_dict": (lambda: tf.data.Dataset.from_tensor_slices({"a": x, "b": y}),
                         dict(right_size=0.2)),
        "dataset_batched": (lambda: tf.data.Dataset.from_tensor_slices((x, y)).batch(4),
                            dict(left_size=0.6)),
    }
    out = {}
    for key, (make, kw) in cases.items():
        left, right = keras.utils.split_dataset(make(), **kw)
        out[key] = dict(kwargs=kw, left=[tf.nest.map_structure(lambda t: t.numpy().tolist(), e)
                                         for e in left],
                        right=[tf.nest.map_structure(lambda t: t.numpy().tolist(), e)
                               for e in right])
    META["split_dataset"] = out
    emb = f32(4, 3)
    OUT["warmstart/base"] = emb
    OUT["warmstart/out"] = keras.utils.warmstart_embedding_matrix(
        ["the", "cat", "sat", "mat"], ["mat", "dog", "the", "hat", "cat"], emb,
        new_embeddings_initializer="zeros").numpy()


def hashed_crossing():
    words = np.array(["cat", "dog", "cat", "a somewhat longer token for farmhash", "", "z"])
    ids = np.array([3, -7, 3, 10 ** 12, 0, 5], np.int64)
    ids2 = np.array([1, 1, 2, 2, 3, 3], np.int32)
    cases = {
        "str_int_bins7": (dict(num_bins=7), [words, ids]),
        "three_bins1000": (dict(num_bins=1000), [ids, words, ids2]),
        "col_one_hot": (dict(num_bins=4, output_mode="one_hot"),
                        [words[:, None], words[::-1, None]]),
        "scalar": (dict(num_bins=9), [np.array("cat"), np.array(4, np.int64)]),
    }
    out = {}
    for key, (kw, xs) in cases.items():
        y = keras.layers.HashedCrossing(**kw)([tf.constant(x) for x in xs]).numpy()
        out[key] = dict(kwargs=kw, inputs=[x.tolist() for x in xs],
                        dtypes=[str(x.dtype) for x in xs], y=y.tolist(), out_dtype=str(y.dtype))
    META["hashed_crossing"] = out


def write_wavs(root, files):
    """The .wav files of META['audio']['files'] under ``root`` (tests/test_keras14_utils.py
    writes the same ones)."""
    import wave
    for f in files:
        path = os.path.join(root, f["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with wave.open(path, "wb") as w:
            w.setnchannels(f["channels"])
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(np.asarray(f["samples"], "<i2").tobytes())


def audio_dataset():
    import tempfile
    files = []
    for cls, n in (("no", 3), ("yes", 4)):
        for i in range(n):
            length = int(rng.integers(5, 12))
            files.append(dict(path=f"{cls}/clip_{i}.wav", channels=1,
                              samples=rng.integers(-32768, 32767, length).tolist()))
    root = tempfile.mkdtemp()
    write_wavs(root, files)
    cases = {
        "int_padded": dict(batch_size=3, shuffle=False),
        "categorical_fixed": dict(batch_size=4, shuffle=False, label_mode="categorical",
                                  output_sequence_length=8),
        "binary_unbatched": dict(batch_size=None, shuffle=False, label_mode="binary",
                                 output_sequence_length=6),
        "both_seed": dict(batch_size=2, shuffle=True, seed=7, validation_split=0.3,
                          subset="both"),
        "no_labels_fixed": dict(batch_size=5, shuffle=False, labels=None,
                                output_sequence_length=8),  # (padded: Keras 2 fails)
    }
    out = {}
    for key, kw in cases.items():
        got = keras.utils.audio_dataset_from_directory(root, **kw)
        parts = got if isinstance(got, tuple) else (got,)
        out[key] = dict(kwargs=kw, class_names=parts[0].class_names,
                        parts=[[tf.nest.map_structure(lambda t: t.numpy().tolist(), e)
                                for e in p] for p in parts])
    META["audio"] = dict(files=files, cases=out)


def sharpness_aware():
    """SharpnessAwareMinimization over a small MLP: weights and history after 2 epochs."""
    x, y = f32(16, 3), f32(16, 1)
    w0 = [f32(3, 4), f32(4), f32(4, 1), f32(1)]
    OUT["sam/x"], OUT["sam/y"] = x, y
    for i, w in enumerate(w0):
        OUT[f"sam/w0_{i}"] = w
    out = {}
    for key, kw in (("rho01_split2", dict(rho=0.1, num_batch_splits=2)),
                    ("default", {})):
        inner = keras.Sequential([keras.layers.Dense(4, activation="tanh", input_shape=(3,)),
                                  keras.layers.Dense(1)])
        inner.set_weights(w0)
        sam = keras.models.experimental.SharpnessAwareMinimization(inner, **kw)
        sam.compile(keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
        h = sam.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
        for i, w in enumerate(inner.get_weights()):
            OUT[f"sam/{key}/w{i}"] = w
        out[key] = dict(kwargs=kw, history=h.history)
    META["sam"] = out


def main():
    sharpness_aware()
    audio_dataset()
    hashed_crossing()
    utils_refs()
    adafactor()
    cosine_decay_restarts()
    radial_constraint()
    backup_and_restore()
    conv_groups()
    layers_added()
    backend_fns()
    np.savez_compressed(os.path.join(DATA, "keras14_refs.npz"), **OUT)
    with open(os.path.join(DATA, "keras14_refs.json"), "w") as f:
        json.dump(META, f, indent=1, sort_keys=True, default=str)
        f.write("\n")


if __name__ == "__main__":
    main()
