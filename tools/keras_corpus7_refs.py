"""Figures for tests/test_corpus7.py, printed once under TensorFlow 2.21 / tf_keras (never a test
dependency):  /work/keras-venv/bin/python tools/keras_corpus7_refs.py

Each section prints what the test's "TensorFlow's" comments and constants hold.
"""
import os
import tempfile


def summary_refs():
    """tf.summary: return values, the no-step error, scoped steps, the no-op writer, and the
    (tag, step, value) triples TensorFlow's event file holds."""
    import tensorflow as tf
    from tensorflow.python.summary.summary_iterator import summary_iterator
    d = tempfile.mkdtemp()
    print("no writer:", bool(tf.summary.scalar("a", 1.0, step=1)))
    w = tf.summary.create_file_writer(os.path.join(d, "run"))
    print("logdir made:", os.path.isdir(os.path.join(d, "run")))
    with w.as_default():
        try:
            tf.summary.scalar("a", 1.0)
        except ValueError as e:
            print("no step:", e)
        print("written:", bool(tf.summary.scalar("a", 2.5, step=3)))
        with tf.summary.record_if(False):
            print("record_if(False):", bool(tf.summary.scalar("a", 9.0, step=4)))
        try:
            tf.summary.scalar("a", [1.0, 2.0], step=5)
        except ValueError as e:
            print("vector:", e)
    with w.as_default(step=7):
        print("as_default(step=7):", bool(tf.summary.scalar("b", 1.0)))
    print("step after as_default:", tf.summary.experimental.get_step())
    tf.summary.experimental.set_step(11)
    with w.as_default():
        print("set_step(11):", bool(tf.summary.scalar("c", 1.0)))
    tf.summary.experimental.set_step(None)
    with tf.summary.create_noop_writer().as_default():
        print("noop writer:", bool(tf.summary.scalar("d", 1.0, step=1)))
    w.flush()
    run = os.path.join(d, "run")
    for f in sorted(os.listdir(run)):
        for e in summary_iterator(os.path.join(run, f)):
            for v in e.summary.value:
                print("event:", v.tag, e.step, tf.make_ndarray(v.tensor))


if __name__ == "__main__":
    summary_refs()
