"""The gaps the twenty-seventh corpus's programs revealed (learners' Keras 2 study scripts,
tools/keras_corpus.md "Twenty-seventh corpus"). Figures marked Keras 2's were printed by
tools/keras_corpus27_refs.py under tf_keras 2.21; the others are worked out in the test."""
import os
import sys
import textwrap

import numpy as np
import pytest

from tensorforge import keras
from tensorforge.keras import backend as K

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools")
sys.path.insert(0, TOOLS)
import keras_parity as kp  # noqa: E402

X = np.arange(12, dtype="float32").reshape(6, 2)
Y = np.arange(6, dtype="float32").reshape(6, 1)


def _model():
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
    m.compile(loss="mse", optimizer=keras.optimizers.SGD(0.0))
    return m


class _Count(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append(("epoch", epoch))

    def on_test_batch_end(self, batch, logs=None):
        self.seen.append(("test_batch", batch))

    def on_predict_batch_end(self, batch, logs=None):
        self.seen.append(("predict_batch", batch))


# ---- callbacks=<one callback> (keras41_split2_LSTM.py, keras29_fashion_mnist2.py:
#      `callbacks=early_stopping`): tf_keras 2 takes it as [early_stopping] ----

@pytest.mark.parametrize("patience,epochs_run,stopped", [(0, 2, 1), (2, 3, 2)])  # Keras 2's
def test_fit_takes_one_early_stopping_not_in_a_list(patience, epochs_run, stopped):
    es = keras.callbacks.EarlyStopping(monitor="loss", patience=patience)
    h = _model().fit(X, Y, epochs=10, batch_size=3, callbacks=es, verbose=0)
    assert len(h.history["loss"]) == epochs_run
    assert es.stopped_epoch == stopped


def test_evaluate_and_predict_take_one_callback():
    c = _Count()
    _model().fit(X, Y, epochs=3, batch_size=3, callbacks=c, verbose=0)
    assert c.seen == [("epoch", 0), ("epoch", 1), ("epoch", 2)]  # Keras 2's
    c = _Count()
    _model().evaluate(X, Y, batch_size=4, callbacks=c, verbose=0)
    assert c.seen == [("test_batch", 0), ("test_batch", 1)]  # Keras 2's
    c = _Count()
    _model().predict(X, batch_size=4, callbacks=c, verbose=0)
    assert c.seen == [("predict_batch", 0), ("predict_batch", 1)]  # Keras 2's


def test_nested_callback_lists_are_flattened():
    c1, c2 = _Count(), _Count()
    _model().fit(X, Y, epochs=2, batch_size=3, callbacks=[[c1], (c2,)], verbose=0)
    assert c1.seen == c2.seen == [("epoch", 0), ("epoch", 1)]  # Keras 2's (tf.nest.flatten)


# ---- fit(shuffle=0.2) (keras18_ensembleC.py): tf_keras 2 shuffles on any true value ----

def _first_columns(shuffle):
    seen = []

    def rec(x):
        if K.learning_phase():
            seen.append(x.numpy()[:, 0].astype(int).tolist())
        return x
    inp = keras.layers.Input((1,))
    m = keras.models.Model(inp, keras.layers.Dense(1)(keras.layers.Lambda(rec)(inp)))
    m.compile(keras.optimizers.SGD(1e-12), "mse")
    x = np.arange(40, dtype="float32")[:, None]
    m.fit(x, x, batch_size=40, epochs=3, shuffle=shuffle, verbose=0)
    return seen


@pytest.mark.parametrize("shuffle", [0.2, 1, np.bool_(True)])
def test_fit_shuffles_on_a_true_number(shuffle):
    epochs = _first_columns(shuffle)
    assert len(epochs) == 3
    assert all(sorted(e) == list(range(40)) for e in epochs)
    assert any(e != list(range(40)) for e in epochs)  # 3 epochs all in order: p = (1/40!)^3


@pytest.mark.parametrize("shuffle", [0, 0.0, None])
def test_fit_keeps_the_order_on_a_false_value(shuffle):
    assert _first_columns(shuffle) == [list(range(40))] * 3


def test_fit_still_refuses_a_shuffle_word_other_than_batch():
    # a stricter choice than tf_keras 2's, which takes any string as True
    with pytest.raises(ValueError, match="fit: shuffle must be True, False or 'batch'"):
        _model().fit(X, Y, shuffle="rows", verbose=0)


# ---- the harness: `from tensorflow.python.keras.models import Sequential` (JS0909's and
#      Hyunwoo29's lessons, an editor's auto-import) and ./_save/ made fresh per run ----

LEGACY_IMPORTS = textwrap.dedent("""
    import os
    from tensorflow.python.keras.models import Sequential, load_model
    from tensorflow.python.keras.layers import Dense
    from tensorflow.python.keras.layers.core import Dropout
    from tensorflow.python.keras.callbacks import EarlyStopping
    from tensorflow.python import keras
    import numpy as np
    m = Sequential([Dense(2, input_dim=3), Dropout(0.1), Dense(1)])
    m.compile(loss='mse', optimizer='adam')
    m.fit(np.ones((8, 3)), np.ones(8), epochs=1, verbose=0, callbacks=EarlyStopping())
    print('save is a folder', os.path.isdir('_save') and not os.path.islink('_save'))
    m.save('./_save/m.h5')
    print('loaded', type(load_model('./_save/m.h5')).__name__, keras.layers.Dense is Dense)
    try:
        from tensorflow.python.ops.variables import validate_synchronization_aggregation_trainable
    except ImportError as e:
        print('private', type(e).__name__, e)
""")


def test_legacy_tensorflow_python_keras_imports_on_our_side(tmp_path):
    prog = tmp_path / "legacy.py"
    prog.write_text(LEGACY_IMPORTS)
    (tmp_path / "cwd" / "_save").mkdir(parents=True)
    args = kp.argparse.Namespace(timeout=120, threads=1, nice=0)
    st = dict(epochs=1, samples=100, max_steps=5, max_predict=5, metric=None, note="")
    (tmp_path / "root").mkdir()
    kp.install_boot(str(tmp_path / "root"))
    r = kp.run_side("ours", str(prog), sys.executable, args, st, None, str(tmp_path / "root"))
    assert r["ok"], r.get("error")
    assert "save is a folder True" in r["stdout"]
    assert "loaded Sequential True" in r["stdout"]
    # TensorFlow's private modules beyond Keras have no counterpart (tensorflow.python is
    # tensorforge.python, which has keras and client.device_lib): a plain ImportError
    assert "private ModuleNotFoundError No module named 'tensorforge.python.ops'" in r["stdout"]
    assert not os.listdir(tmp_path / "cwd" / "_save")  # the run wrote into its own folder
