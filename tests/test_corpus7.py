"""The gaps the seventh corpus's programs revealed (tools/keras_corpus.md, "Seventh corpus").
Figures marked TensorFlow's were printed by tools/keras_corpus7_refs.py under TensorFlow 2.21 /
tf_keras."""
import os
import struct
import sys

import numpy as np
import pytest

import tensorforge as tf


# ---- tf.summary (sklearn_metric_callbacks.py: a callback writing a scikit-learn metric) ----

def _read_events(logdir):
    """(tag, step, value) of every summary in the event files of ``logdir`` (a minimal TFRecord
    reader: length, its CRC, the Event proto, its CRC)."""
    from tensorboardX.proto import event_pb2
    out = []
    for name in sorted(os.listdir(logdir)):
        with open(os.path.join(logdir, name), "rb") as f:
            data = f.read()
        i = 0
        while i < len(data):
            (n,) = struct.unpack("<Q", data[i:i + 8])
            ev = event_pb2.Event.FromString(data[i + 12:i + 12 + n])
            i += 12 + n + 4
            for v in ev.summary.value:
                if v.HasField("simple_value"):
                    out.append((v.tag, ev.step, v.simple_value))
                elif v.HasField("histo"):
                    out.append((v.tag, ev.step, v.histo))
                else:
                    out.append((v.tag, ev.step, v.tensor))
    return out


@pytest.fixture
def tbx():
    return pytest.importorskip("tensorboardX")


def test_summary_scalar_is_written_under_the_default_writer_with_tensorflows_steps(tbx, tmp_path):
    logdir = str(tmp_path / "run")
    assert tf.summary.scalar("a", 1.0, step=1) is False        # TensorFlow's: no writer
    w = tf.summary.create_file_writer(logdir)
    assert os.path.isdir(logdir)
    with w.as_default():
        with pytest.raises(ValueError, match="No step set"):   # TensorFlow's message
            tf.summary.scalar("a", 1.0)
        assert tf.summary.scalar("a", tf.constant(2.5), step=3) is True
        with tf.summary.record_if(False):
            assert tf.summary.scalar("a", 9.0, step=4) is False
        with pytest.raises(ValueError, match="scalar"):
            tf.summary.scalar("a", [1.0, 2.0], step=5)
    with w.as_default(step=7):
        assert tf.summary.scalar("b", np.float32(1.0)) is True
    assert tf.summary.experimental.get_step() is None          # as_default's step was scoped
    tf.summary.experimental.set_step(11)
    try:
        with w.as_default():
            assert tf.summary.scalar("c", 1.0) is True
        assert tf.summary.experimental.get_step() == 11
    finally:
        tf.summary.experimental.set_step(None)
    with tf.summary.create_noop_writer().as_default():
        assert tf.summary.scalar("d", 1.0, step=1) is False    # TensorFlow's
    w.flush()
    # TensorFlow's file holds a 3 2.5, b 7 1.0, c 11 1.0 (tools/keras_corpus7_refs.py)
    assert [(t, s, v) for t, s, v in _read_events(logdir)] == [("a", 3, 2.5), ("b", 7, 1.0),
                                                               ("c", 11, 1.0)]
    w.close()
    with w.as_default(), pytest.raises(RuntimeError, match="closed"):
        tf.summary.scalar("e", 1.0, step=1)


def test_summary_histogram_and_text_and_nested_writers(tbx, tmp_path):
    w1 = tf.summary.create_file_writer(str(tmp_path / "one"))
    w2 = tf.summary.create_file_writer(str(tmp_path / "two"))
    values = np.arange(10, dtype=np.float32)
    with w1.as_default(step=2):
        assert tf.summary.histogram("h", tf.constant(values), buckets=5)
        with w2.as_default():       # the innermost writer gets the summaries
            assert tf.summary.text("t", "hello", step=4)
        assert tf.summary.scalar("s", 0.5)
    with pytest.raises(ValueError, match="buckets"):
        tf.summary.histogram("h", values, step=1, buckets=0)
    with pytest.raises(TypeError, match="string"):
        tf.summary.text("t", 3.0, step=1)
    tf.summary.flush(w1)
    w2.flush()
    one = _read_events(str(tmp_path / "one"))
    assert [(t, s) for t, s, _ in one] == [("h", 2), ("s", 2)]
    histo = one[0][2]
    assert histo.num == 10 and histo.min == 0 and histo.max == 9 and histo.sum == 45
    assert histo.sum_squares == pytest.approx(float((values ** 2).sum()))
    two = _read_events(str(tmp_path / "two"))
    assert [(t, s) for t, s, _ in two] == [("t/text_summary", 4)]
    assert two[0][2].string_val == [b"hello"]


def test_summary_writer_without_tensorboardx_names_the_extra(tmp_path, monkeypatch):
    for name in ("tensorboardX", "tensorboardX.event_file_writer", "tensorboardX.record_writer"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r"tensorboardX.*tensorforge\[tensorboard\]"):
        tf.summary.create_file_writer(str(tmp_path))
    with pytest.raises(TypeError, match="logdir"):
        tf.summary.create_file_writer(3)


# ---- Metric.result().numpy() (sklearn_metric_callbacks.py) ----

def test_metric_result_answers_numpy_as_a_float32_like_keras_2():
    m = tf.keras.metrics.Mean("jaccard_score")
    m.update_state(np.array([0.5, 0.7, 0.9]))
    r = m.result()
    assert isinstance(r.numpy(), np.float32) and r.numpy() == np.float32(0.7)
    assert r.numpy().astype(float) == float(np.float32(0.7))   # what the callback logs
    assert float(r) == pytest.approx(0.7) and "%.2f" % r == "0.70"
    m.reset_state()
    assert m.result().numpy() == 0.0
    acc = tf.keras.metrics.SparseCategoricalAccuracy()
    acc.update_state([0, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])
    assert acc.result().numpy() == np.float32(2 / 3)
    rmse = tf.keras.metrics.RootMeanSquaredError()
    rmse.update_state([0.0, 0.0], [3.0, 4.0])
    assert rmse.result().numpy() == np.float32(np.sqrt(12.5))

    class Count(tf.keras.metrics.Metric):     # a user metric whose result is a Python number
        def reset_state(self):
            self.n = 0

        def update_state(self, values):
            self.n += len(values)

        def result(self):
            return self.n
    c = Count()
    c.update_state([1, 2, 3])
    assert c.result() == 3 and c.result().numpy() == np.float32(3)
    p = tf.keras.metrics.Precision(thresholds=[0.3, 0.6])     # a vector result stays an array
    p.update_state([1, 0], [0.5, 0.7])
    np.testing.assert_allclose(p.result(), [0.5, 0.0])


# ---- tf.image.resize(method="area") at the size super_resolution_sub_pixel.py uses ----

def test_area_resize_of_a_batch_is_the_block_mean_and_fast():
    import time
    rng = np.random.default_rng(0)
    x = rng.random((4, 300, 300, 1)).astype(np.float32)
    t = time.perf_counter()
    y = tf.image.resize(x, [100, 100], method="area").numpy()
    took = time.perf_counter() - t
    want = x.reshape(4, 100, 3, 100, 3, 1).mean(axis=(2, 4))  # an integer factor: block means
    assert y.shape == (4, 100, 100, 1) and y.dtype == np.float32
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)
    assert took < 5.0      # was ~20 s (a naive three-operand einsum); ~0.05 s now
    z = tf.image.resize(x[0, :7, :5], [3, 2], method="area").numpy()   # a fractional span
    np.testing.assert_allclose(z[0, 0, 0], (x[0, :2, :2, 0].sum() + 0.5 * x[0, :2, 2, 0].sum()
                                            + 1 / 3 * x[0, 2, :2, 0].sum()
                                            + 1 / 6 * x[0, 2, 2, 0]) / (7 / 3 * 5 / 2),
                               rtol=1e-5)
