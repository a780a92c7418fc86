"""The values fit's progress bar shows after each batch and at the epoch end, as tf_keras 2 shows
them (its metric objects' running results): the loss and a per-sample metric weighted by batch
size, a scalar-valued metric function and a Layer.add_metric scalar once per batch, with an
uneven last batch (10 samples in batches of 4, 4, 2). See Note [progress bar means]
(callbacks.py).

The figures were printed once by tools/gen_keras2_gap_refs.py (tf_keras 2.21).
"""
import io

import numpy as np
import pytest

from tensorforge import keras

K = keras.backend
PROGBAR_STEPS = [
    {'loss': 1.0, 'ymean': 2.5, 'ysamp': 2.5, 'xmean': 1.5},
    {'loss': 1.0, 'ymean': 4.5, 'ysamp': 4.5, 'xmean': 3.5},
    {'loss': 13.0, 'ymean': 7.833333, 'ysamp': 6.5, 'xmean': 5.166667},
]
PROGBAR_EPOCH = {'loss': 13.0, 'ymean': 7.833333, 'ysamp': 6.5, 'xmean': 5.166667}


def ymean(y_true, y_pred):
    return K.mean(y_true)  # one value per batch


def ysamp(y_true, y_pred):
    return K.mean(y_true, axis=-1)  # one value per sample


class XMean(keras.layers.Layer):
    def call(self, x):
        self.add_metric(K.mean(x), name="xmean")
        return x


def model():
    inp = keras.Input(shape=(1,))
    out = keras.layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")(XMean()(inp))
    m = keras.Model(inp, out)
    m.compile(keras.optimizers.SGD(learning_rate=0.0), loss="mse", metrics=[ymean, ysamp])
    return m


X = np.arange(10, dtype=np.float32).reshape(10, 1)
Y = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 20], np.float32).reshape(10, 1)


@pytest.mark.parametrize("count_mode", ["samples", "steps"])
def test_progress_bar_shows_running_epoch_means(count_mode):
    out = io.StringIO()
    logger = keras.callbacks.ProgbarLogger(count_mode=count_mode, verbose=1, stream=out)
    shown, epoch = [], []

    class Rec(keras.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            shown.append(dict(logger.bar.values))

        def on_epoch_end(self, e, logs=None):
            epoch.append(dict(logs))
    model().fit(X, Y, batch_size=4, epochs=1, verbose=0, callbacks=[logger, Rec()],
                shuffle=False)
    assert len(shown) == len(PROGBAR_STEPS)
    for got, want in zip(shown, PROGBAR_STEPS):
        assert got == pytest.approx(want, rel=1e-5)
    assert epoch[0] == pytest.approx(PROGBAR_EPOCH, rel=1e-5)
    last = out.getvalue().strip().splitlines()[-1]
    assert last.endswith(" - loss: 13.0000 - ymean: 7.8333 - ysamp: 6.5000 - xmean: 5.1667")


def test_steps_progress_bar_writes_its_last_line_once(capsys):
    model().fit(X, Y, batch_size=4, epochs=1, verbose=1, shuffle=False, steps_per_epoch=3)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("3/3")]
    assert len(lines) == 1 and lines[0].endswith("xmean: 5.1667")
