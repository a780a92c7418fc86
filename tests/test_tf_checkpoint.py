"""tf.train.Checkpoint / CheckpointManager in a custom training loop: a restored run continues
bit for bit where the saved one went on (weights, optimizer slots and step count), numbered
files with max_to_keep, TensorFlow's state file for tf.train.latest_checkpoint, and errors."""
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

X = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
Y = (X @ np.array([[1.0], [-1.0], [0.5]], np.float32))


def _model():
    keras.utils.set_random_seed(1)
    return keras.Sequential([keras.layers.Dense(4, activation="tanh", input_shape=(3,)),
                             keras.layers.Dense(1)])


def _step(model, opt, step):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(X) - Y))
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
    step.assign_add(1)


def test_restored_run_continues_bit_for_bit(tmp_path):
    m, opt, step = _model(), keras.optimizers.Adam(0.05), tf.Variable(0)
    ckpt = tf.train.Checkpoint(model=m, optimizer=opt, step=step)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    assert manager.latest_checkpoint is None
    assert ckpt.restore(manager.latest_checkpoint).assert_consumed()  # None: nothing to do
    for _ in range(3):
        _step(m, opt, step)
        manager.save()
    for _ in range(2):
        _step(m, opt, step)
    want = m.get_weights()

    m2, opt2, step2 = _model(), keras.optimizers.Adam(0.05), tf.Variable(0)
    keras.utils.set_random_seed(7)  # different initial weights: the restore must replace them
    ckpt2 = tf.train.Checkpoint(model=m2, optimizer=opt2, step=step2)
    path = tf.train.latest_checkpoint(str(tmp_path))
    assert path == str(tmp_path / "ckpt-3")
    ckpt2.restore(path).assert_consumed()
    assert int(step2.numpy()) == 3 and opt2.iterations == 3 and int(ckpt2.save_counter) == 3
    for _ in range(2):
        _step(m2, opt2, step2)
    for a, b in zip(m2.get_weights(), want):
        np.testing.assert_array_equal(a, b)


def test_manager_keeps_the_newest_and_records_them(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0]))
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2, checkpoint_name="c")
    paths = [manager.save() for _ in range(4)]
    assert paths == [str(tmp_path / f"c-{i}") for i in range(1, 5)]
    assert sorted(os.listdir(tmp_path)) == ["c-3.index", "c-4.index", "checkpoint"]
    assert manager.checkpoints == paths[2:]
    again = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2, checkpoint_name="c")
    assert again.latest_checkpoint == paths[-1]  # read back from the state file
    assert manager.save(checkpoint_number=10) == str(tmp_path / "c-10")


def test_plain_save_and_errors(tmp_path):
    v = tf.Variable([1.0, 2.0])
    ckpt = tf.train.Checkpoint(v=v, nested=tf.train.Checkpoint(w=tf.Variable(3.0)))
    prefix = ckpt.save(str(tmp_path / "run"))
    assert prefix == str(tmp_path / "run-1") and tf.train.latest_checkpoint(str(tmp_path)) == prefix
    v.assign([0.0, 0.0])
    ckpt.restore(prefix).assert_consumed()
    assert v.numpy().tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"v has shape \(3,\).*\(2,\)"):
        tf.train.Checkpoint(v=tf.Variable([1.0, 2.0, 3.0])).restore(prefix)
    with pytest.raises(AssertionError, match="unused values"):
        tf.train.Checkpoint(v=tf.Variable([0.0, 0.0])).restore(prefix).assert_consumed()
    tf.train.Checkpoint(v=tf.Variable([0.0, 0.0])).restore(prefix).expect_partial()
    with pytest.raises(ValueError, match="build it"):
        tf.train.Checkpoint(m=keras.Sequential([keras.layers.Dense(2)])).save(str(tmp_path / "x"))
    with pytest.raises(TypeError, match="cannot checkpoint"):
        tf.train.Checkpoint(s="text").save(str(tmp_path / "y"))



def _manager_refs():
    import json
    with open(os.path.join(os.path.dirname(__file__), "data", "ckpt_manager_refs.json")) as f:
        return json.load(f)


def test_manager_checkpoint_interval_as_tensorflow(tmp_path):
    import ckpt_manager_cases as C
    assert C.interval(tf, str(tmp_path)) == _manager_refs()["interval"]
    ck = tf.train.Checkpoint(w=tf.Variable(1.0))
    with pytest.raises(ValueError, match="step_counter"):
        tf.train.CheckpointManager(ck, str(tmp_path), 2, checkpoint_interval=3)


def test_manager_keeps_one_every_n_hours_as_tensorflow(tmp_path, monkeypatch):
    # nothing the user asked to keep is deleted: TensorFlow's sweep, on a fake clock
    import ckpt_manager_cases as C
    from tensorforge import tf_checkpoint
    clock = [C.T0]
    monkeypatch.setattr(tf_checkpoint.time, "time", lambda: clock[0])
    got = C.hours(tf, str(tmp_path), lambda t: clock.__setitem__(0, t))
    assert got == _manager_refs()["hours"]
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith(got["latest"])
