"""Note [compiled step] (engine/compiled_step.py): a Dense/Dropout chain trained with a fused
softmax cross-entropy takes the compiled step, which gives what the general step gives bit for
bit (loss and metric logs, weights, optimizer state, dropout masks); every model or call outside
its conditions takes the general step, and a change between steps (a layer's rate or weights,
a registered kernel, an added loss) is seen at the next step."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import backend, layers, optimizers, regularizers
from tensorforge.engine import compiled_step
from tensorforge.models import Model, Sequential

pytestmark = pytest.mark.skipif(tf._native._C is None, reason="needs the native cpu module")


@pytest.fixture(autouse=True)
def _cpu():
    prev = tf.get_backend()
    tf.set_backend("cpu")
    yield
    tf.set_backend(prev)


def _data(n=80, d=12, c=5, seed=0):
    r = np.random.default_rng(seed)
    x = r.standard_normal((n, d)).astype(np.float32)
    labels = r.integers(0, c, n)
    return x, labels, np.eye(c, dtype=np.float32)[labels]


def _mlp(hidden="relu", dropout=0.25, bias=True, last="softmax"):
    return [layers.Dense(16, activation=hidden, use_bias=bias, input_shape=(12,)),
            layers.Dropout(dropout), layers.Dense(8, activation=hidden),
            layers.Dense(5, activation=last)]


class _General:
    """Within it, Model._train_batch never takes the compiled step."""

    def __enter__(self):
        self.saved = compiled_step.train_batch
        compiled_step.train_batch = lambda *a: None

    def __exit__(self, *exc):
        compiled_step.train_batch = self.saved


def _train(build, general, optimizer="adam", metrics=("accuracy",), fit_kw=None, after=None,
           seed=3, y=None, x=None):
    """(model, history, train_on_batch result) of a seeded run."""
    x0, _, onehot = _data()
    x = x0 if x is None else x
    y = onehot if y is None else y
    ctx = _General() if general else None
    if ctx:
        ctx.__enter__()
    try:
        tf.utils.set_random_seed(seed)
        m = build()
        opt = optimizers.get(optimizer) if isinstance(optimizer, str) else optimizer()
        m.compile(optimizer=opt, loss="categorical_crossentropy", metrics=list(metrics))
        kw = dict(batch_size=16, epochs=2, verbose=0, validation_split=0.2)
        kw.update(fit_kw or {})
        h = m.fit(x, y, **kw)
        if after is not None:
            after(m)
            h2 = m.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
            h.history = {k: h.history[k] + h2.history.get(k, []) for k in h.history}
        r = m.train_on_batch(x[:16], y[:16])
    finally:
        if ctx:
            ctx.__exit__()
    return m, h.history, r


def _same(a, b):
    ma, ha, ra = a
    mb, hb, rb = b
    assert ha == hb and np.array_equal(ra, rb)
    for wa, wb in zip(ma.get_weights(), mb.get_weights()):
        assert np.array_equal(wa, wb)
    sa = [ma.optimizer._state[id(p)][1:] for p in ma._compiled_params()]
    sb = [mb.optimizer._state[id(p)][1:] for p in mb._compiled_params()]
    for ta, tb in zip(sa, sb):
        assert all(np.array_equal(u, v) for u, v in zip(ta, tb))
    assert ma.optimizer.iterations == mb.optimizer.iterations


def _compiled(model):
    e = model.__dict__.get("_compiled_step")
    return e is not None and e.run is not None


CASES = {
    "adam": dict(),
    "sgd momentum": dict(optimizer=lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True)),
    "rmsprop": dict(optimizer="rmsprop"),
    "adam clipnorm + schedule": dict(optimizer=lambda: optimizers.Adam(
        optimizers.schedules.ExponentialDecay(1e-2, 3, 0.5), clipnorm=0.1)),
    "adamw": dict(optimizer=lambda: optimizers.AdamW(1e-3, weight_decay=0.1)),
    "two metric names": dict(metrics=("accuracy", "acc")),
    "other metrics": dict(metrics=("accuracy", "categorical_crossentropy", "mae")),
    "no metrics": dict(metrics=()),
    "shuffle": dict(fit_kw=dict(shuffle=True)),
    "batch 7": dict(fit_kw=dict(batch_size=7)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_compiled_step_equals_the_general_step(case):
    kw = CASES[case]
    fast = _train(lambda: Sequential(_mlp()), False, **kw)
    assert _compiled(fast[0])
    _same(fast, _train(lambda: Sequential(_mlp()), True, **kw))


@pytest.mark.parametrize("variant", ["no bias", "linear hidden", "no dropout", "dropout 0",
                                     "frozen first", "frozen middle", "functional",
                                     "dropout first"])
def test_compiled_chains_equal_the_general_step(variant):
    def build():
        if variant == "no bias":
            return Sequential(_mlp(bias=False))
        if variant == "linear hidden":
            return Sequential(_mlp(hidden=None))
        if variant == "no dropout":
            return Sequential([l for l in _mlp() if not isinstance(l, layers.Dropout)])
        if variant == "dropout 0":
            return Sequential(_mlp(dropout=0.0))
        if variant == "dropout first":
            return Sequential([layers.Dropout(0.1, input_shape=(12,))] + _mlp()[1:])
        if variant.startswith("frozen"):
            m = Sequential(_mlp())
            m.layers[0 if variant == "frozen first" else 2].trainable = False
            return m
        inp = layers.Input((12,))
        h = inp
        for l in _mlp():
            h = l(h)
        return Model(inp, h)
    fast = _train(build, False)
    assert _compiled(fast[0])
    _same(fast, _train(build, True))


@pytest.mark.parametrize("variant", ["regularizer", "tanh hidden", "sparse loss", "custom layer",
                                     "two outputs", "sample weights", "float64 input",
                                     "dropout noise_shape"])
def test_other_models_take_the_general_step(variant):
    _assert_general(variant)


def _assert_general(variant, images=False):
    """The model of ``variant`` trains without a compiled program (built as None) or, for
    float64 input, with one that refuses every batch."""
    x, labels, onehot = _data()
    if images:
        x = _images()
    tf.utils.set_random_seed(1)
    loss, y, fit_kw = "categorical_crossentropy", onehot, {}
    if images:
        m = Sequential(_CONV_OTHER[variant]())
    elif variant == "regularizer":
        m = Sequential([layers.Dense(16, activation="relu", input_shape=(12,),
                                     kernel_regularizer=regularizers.l2(0.01)),
                        layers.Dense(5, activation="softmax")])
    elif variant == "tanh hidden":
        m = Sequential(_mlp(hidden="tanh"))
    elif variant == "dropout noise_shape":  # (its mask comes from another draw: ops/losses_ops.py)
        m = Sequential([layers.Dense(16, activation="relu", input_shape=(12,)),
                        layers.Dropout(0.5, noise_shape=(None, 1)),
                        layers.Dense(5, activation="softmax")])
    elif variant == "custom layer":
        class Twice(layers.Layer):
            def call(self, x):
                return x * 2.0
        m = Sequential([layers.Dense(16, activation="relu", input_shape=(12,)), Twice(),
                        layers.Dense(5, activation="softmax")])
    elif variant == "two outputs":
        inp = layers.Input((12,))
        h = layers.Dense(16, activation="relu")(inp)
        m = Model(inp, [layers.Dense(5, activation="softmax")(h),
                        layers.Dense(5, activation="softmax")(h)])
        y = [onehot, onehot]
    else:
        m = Sequential(_mlp())
        if variant == "sparse loss":
            loss, y = "sparse_categorical_crossentropy", labels
        elif variant == "sample weights":
            fit_kw = dict(sample_weight=np.linspace(0.5, 1.5, len(x)))
        else:
            x = x.astype(np.float64)
    m.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    calls = []
    real = compiled_step._build

    def spy(model, params):
        e = real(model, params)
        calls.append(e.run)
        return e
    compiled_step._build = spy
    try:
        m.fit(x, y, batch_size=16, epochs=1, verbose=0, **fit_kw)
    finally:
        compiled_step._build = real
    if variant in ("sample weights", "two outputs"):
        assert calls == []  # (not even asked)
    elif variant == "float64 input":
        assert calls and calls[0] is not None  # built, but the float64 batches were refused
    else:
        assert calls and all(c is None for c in calls)


def test_changes_between_steps_are_seen():
    """A callback changing a Dropout rate, the weights (set_weights, a replaced array) or adding
    a loss between batches: the compiled step follows (or leaves the step to the general path)
    exactly as the general step does."""
    class Change(tf.callbacks.Callback):
        seen = 0

        def on_train_batch_end(self, batch, logs=None):
            m, self.seen = self.model, self.seen + 1
            if self.seen == 2:
                m.layers[1].rate = 0.5
            if self.seen == 3:
                m.layers[0].set_weights([w * 0.5 for w in m.layers[0].get_weights()])
            if self.seen == 4:  # a weight's array replaced (the optimizer state stays)
                m.layers[3].kernel.data = m.layers[3].kernel.data * np.float32(0.9)
            if self.seen == 6:
                m.layers[2].add_loss(lambda: 0.0 * tf.ops.sum(m.layers[2].kernel))

    def after(m):
        m.layers[2].losses_fns.clear()
        m.layers[1].rate = 0.0
    def kw():  # (a fresh callback per run: it counts the batches)
        return dict(fit_kw=dict(callbacks=[Change()], shuffle=False), after=after)
    fast = _train(lambda: Sequential(_mlp()), False, **kw())
    _same(fast, _train(lambda: Sequential(_mlp()), True, **kw()))


def test_registered_kernels_are_picked_up():
    """backend.register (the profiler's timers, a user's kernel) rebuilds the compiled step."""
    x, _, onehot = _data()
    tf.utils.set_random_seed(0)
    m = Sequential(_mlp())
    m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    m.fit(x, onehot, batch_size=16, epochs=1, verbose=0)
    real = backend.lookup("gemm")
    calls = []

    def spy(*a):
        calls.append(a[0].shape)
        return real(*a)
    spy.__module__ = real.__module__
    backend.register("gemm", "cpu", spy)
    try:
        m.fit(x[:16], onehot[:16], batch_size=16, epochs=1, verbose=0)
    finally:
        backend.register("gemm", "cpu", real)
    assert _compiled(m) and calls == [(16, 12), (16, 16), (16, 8)]
    spy.__module__ = "not.native"
    backend.register("gemm", "cpu", spy)
    try:
        m.fit(x[:16], onehot[:16], batch_size=16, epochs=1, verbose=0)
    finally:
        backend.register("gemm", "cpu", real)
    assert not _compiled(m)  # a non-native kernel: the general step (which then calls it)


def test_zoo_mlp_takes_the_compiled_step():
    from tensorforge.zoo import build_model
    x, _, onehot = _data(n=32, d=784, c=10)
    m = build_model("mlp")
    m.fit(x, onehot, batch_size=16, epochs=1, verbose=0)
    assert _compiled(m)


# ---- chains with Conv2D, MaxPooling2D and Flatten (the zoo LeNet's layers) ----------------------
def _images(n=80, hw=9, c=2, seed=1):
    return np.random.default_rng(seed).standard_normal((n, hw, hw, c)).astype(np.float32)


def _lenet(act="relu", bias=True, padding="same", strides=1, dilation=1, pool_padding="same",
           pool=(2, 2), pool_strides=None, dropout=None, first_trainable=True):
    out = [layers.Conv2D(4, (3, 3), activation=act, use_bias=bias, input_shape=(9, 9, 2),
                         strides=strides, dilation_rate=dilation, trainable=first_trainable),
           layers.MaxPooling2D(pool, strides=pool_strides, padding=pool_padding),
           layers.Conv2D(6, (2, 2), padding=padding, activation=act, use_bias=bias)]
    if dropout is not None:
        out.append(layers.Dropout(dropout))
    return out + [layers.MaxPooling2D((2, 2), padding="same"), layers.Flatten(),
                  layers.Dense(7, activation="relu"), layers.Dense(5, activation="softmax")]


CONV_CASES = {
    "lenet": dict(),
    "no bias": dict(bias=False),
    "linear conv": dict(act=None),
    "valid, strided": dict(padding="valid", strides=2),
    "dilated": dict(dilation=2),
    "overlapping valid pool": dict(pool=(3, 3), pool_strides=(1, 1), pool_padding="valid"),
    "dropout after conv": dict(dropout=0.3),
    "frozen first conv": dict(first_trainable=False),
}


@pytest.mark.parametrize("case", list(CONV_CASES))
@pytest.mark.parametrize("optimizer", ["rmsprop", "adam"])
def test_conv_chains_equal_the_general_step(case, optimizer):
    def build():
        return Sequential(_lenet(**CONV_CASES[case]))
    x = _images()
    fast = _train(build, False, optimizer=optimizer, x=x)
    assert _compiled(fast[0])
    _same(fast, _train(build, True, optimizer=optimizer, x=x))


def test_conv_chain_checks_each_batch():
    """A batch of another image size, float64 or a non-contiguous view leaves the step to the
    general path (which converts, or raises its own error); the next good batch is compiled."""
    tf.utils.set_random_seed(0)
    m = Sequential(_lenet())
    m.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    x, (_, _, y) = _images(), _data()
    m.fit(x, y, batch_size=16, epochs=1, verbose=0)
    run = m.__dict__["_compiled_step"].run
    assert run([x[:4].astype(np.float64)], [y[:4]], False) is None
    assert run([np.asfortranarray(x[:4])], [y[:4]], False) is None
    assert run([_images(hw=10)[:4]], [y[:4]], False) is None
    assert run([x[:0]], [y[:0]], False) is None
    assert m.optimizer.iterations == 5  # (nothing done by the refusals)
    assert run([x[:4]], [y[:4]], False) is not None
    with pytest.raises(ValueError, match="conv2d|Conv2D|expected"):
        m.fit(_images(hw=10), y, batch_size=16, epochs=1, verbose=0)


_CONV_OTHER = {
    # (a 1x1 kernel: read as channels_first, the images are 9 channels of 9x2)
    "channels_first conv": lambda: [layers.Conv2D(3, 1, input_shape=(9, 9, 2),
                                                  data_format="channels_first"),
                                    layers.Flatten(), layers.Dense(5, activation="softmax")],
    "tanh conv": lambda: _lenet(act="tanh"),
    "average pool": lambda: [layers.Conv2D(3, 3, input_shape=(9, 9, 2)),
                             layers.AveragePooling2D(), layers.Flatten(),
                             layers.Dense(5, activation="softmax")],
    "dropout noise_shape": lambda: [layers.Conv2D(3, 3, input_shape=(9, 9, 2)),
                                    layers.Dropout(0.5, noise_shape=(None, 1, 1, 3)),
                                    layers.Flatten(), layers.Dense(5, activation="softmax")],
    "conv on unknown size": lambda: [layers.Conv2D(3, 3, input_shape=(None, None, 2)),
                                     layers.GlobalMaxPooling2D(),
                                     layers.Dense(5, activation="softmax")],
}


@pytest.mark.parametrize("variant", list(_CONV_OTHER))
def test_other_conv_models_take_the_general_step(variant):
    _assert_general(variant, images=True)


def test_zoo_lenet_takes_the_compiled_step():
    from tensorforge.zoo import build_model
    x = np.random.default_rng(0).random((32, 28, 28, 1)).astype(np.float32)
    m = build_model("lenet")
    m.fit(x, _data(n=32, c=10)[2], batch_size=16, epochs=1, verbose=0)
    assert _compiled(m)
