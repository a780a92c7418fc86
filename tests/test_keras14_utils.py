"""keras14: keras.utils split_dataset, SequenceEnqueuer / OrderedEnqueuer / GeneratorEnqueuer,
warmstart_embedding_matrix, enable / disable / is_interactive_logging_enabled.

split_dataset and warmstart_embedding_matrix against tf_keras 2.21 (tests/data/keras14_refs.*,
tools/keras14_refs.py): the samples of each side in order, shuffled splits with a seed
included. The enqueuers: Keras 2's interface (start(workers, max_queue_size), get(), stop()),
order, epochs and on_epoch_end, the bounded queue, errors raised from get(). Interactive
logging: disabled, fit's progress bar and the callbacks' messages leave stdout for the logger.
"""
import json
import logging
import os
import threading
import time

import numpy as np
import pytest

from tensorforge import keras
from tensorforge.tf_data import Dataset

DATA = os.path.join(os.path.dirname(__file__), "data")
REF = np.load(os.path.join(DATA, "keras14_refs.npz"))
META = json.load(open(os.path.join(DATA, "keras14_refs.json")))
X = np.arange(30, dtype=np.float32).reshape(10, 3)
Y = np.arange(10, dtype=np.int64)
INPUTS = {"array_left07": lambda: X, "array_shuffle_seed": lambda: X,
          "tuple_right3": lambda: (X, Y), "list_both_float": lambda: [X, Y],
          "dataset_tuples": lambda: Dataset.from_tensor_slices((X, Y)),
          "dataset_dict": lambda: Dataset.from_tensor_slices({"a": X, "b": Y})}


def _plain(e):
    if isinstance(e, dict):
        return {k: _plain(v) for k, v in e.items()}
    if isinstance(e, (tuple, list)):
        return [_plain(v) for v in e]
    return np.asarray(e).tolist()


@pytest.mark.parametrize("key", sorted(INPUTS))
def test_split_dataset_matches_keras2(key):
    ref = META["split_dataset"][key]
    left, right = keras.utils.split_dataset(INPUTS[key](), **ref["kwargs"])
    assert [_plain(e) for e in left.as_numpy_iterator()] == ref["left"]
    assert [_plain(e) for e in right.as_numpy_iterator()] == ref["right"]
    assert len(left) == len(ref["left"]) and len(right) == len(ref["right"])


def test_split_dataset_of_a_batched_dataset():
    """Keras 2 unbatches a batched Dataset (one marked by ``_batch_size``), splits the
    samples and batches each side again."""
    ref = META["split_dataset"]["dataset_batched"]
    ds = Dataset.from_tensor_slices((X, Y)).batch(4)
    ds._batch_size = 4  # (tf_data's batch() does not record it yet: See the keras14 report)
    left, right = keras.utils.split_dataset(ds, **ref["kwargs"])
    assert [_plain(e) for e in left.as_numpy_iterator()] == ref["left"]
    assert [_plain(e) for e in right.as_numpy_iterator()] == ref["right"]


def test_split_dataset_bad_arguments():
    S = keras.utils.split_dataset
    with pytest.raises(TypeError, match="split_dataset: The `dataset` argument must be"):
        S({"a": X}, left_size=0.5)
    with pytest.raises(ValueError, match="At least one of the `left_size` or `right_size`"):
        S(X)
    with pytest.raises(ValueError, match=r"`left_size` should be either a positive integer "
                                         r"smaller than 10.*left_size=10"):
        S(X, left_size=10)
    with pytest.raises(ValueError, match=r"The sum of `left_size` and `right_size` is greater "
                                         r"than 1"):
        S(X, left_size=0.6, right_size=0.5)
    with pytest.raises(ValueError, match=r"Resulting right side dataset split will be empty"):
        S(X, left_size=0.99)
    with pytest.raises(TypeError, match=r"Invalid `right_size` Type"):
        S(X, right_size="3")
    with pytest.raises(ValueError, match=r"same length"):
        S((X, Y[:5]), left_size=2)


def test_warmstart_embedding_matrix_matches_keras2(tmp_path):
    base, new = ["the", "cat", "sat", "mat"], ["mat", "dog", "the", "hat", "cat"]
    out = keras.utils.warmstart_embedding_matrix(base, new, REF["warmstart/base"], "zeros")
    np.testing.assert_array_equal(out.numpy(), REF["warmstart/out"])
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(new) + "\n")
    keras.utils.set_random_seed(0)
    drawn = keras.utils.warmstart_embedding_matrix(np.array(base), str(vocab),
                                                   REF["warmstart/base"]).numpy()
    np.testing.assert_array_equal(drawn[[0, 2, 4]], REF["warmstart/out"][[0, 2, 4]])
    assert np.all(drawn[[1, 3]] != 0) and np.all(np.abs(drawn[[1, 3]]) <= 0.05)  # uniform
    with pytest.raises(ValueError, match="Vocabulary file .*nope.txt does not exist"):
        keras.utils.warmstart_embedding_matrix(base, str(tmp_path / "nope.txt"),
                                               REF["warmstart/base"])
    with pytest.raises(ValueError, match=r"base_embeddings must be 2-D \(len\(base_vocabulary\)"
                                         r"=4, dim\), got shape \(3, 3\)"):
        keras.utils.warmstart_embedding_matrix(base, new, REF["warmstart/base"][:3])


class _Seq(keras.utils.Sequence):
    def __init__(self, n, fail_at=None, delay=0.0):
        self.n, self.fail_at, self.delay = n, fail_at, delay
        self.epochs_ended = 0
        self.calls = []

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.delay:
            time.sleep(self.delay * ((i * 7) % 3))  # out-of-order completion
        self.calls.append(i)
        if i == self.fail_at:
            raise KeyError(f"batch {i}")
        return (np.full((2, 1), i + 10 * self.epochs_ended), np.zeros(2))

    def on_epoch_end(self):
        self.epochs_ended += 1


def _take(gen, n):
    return [next(gen) for _ in range(n)]


def test_ordered_enqueuer_keeps_order_over_epochs():
    seq = _Seq(5, delay=0.003)
    enq = keras.utils.OrderedEnqueuer(seq)
    assert isinstance(enq, keras.utils.SequenceEnqueuer) and not enq.is_running()
    enq.start(workers=3, max_queue_size=4)
    assert enq.is_running()
    got = _take(enq.get(), 12)
    enq.stop()
    assert not enq.is_running()
    firsts = [int(b[0][0, 0]) for b in got]
    assert firsts[:5] == [0, 1, 2, 3, 4] and firsts[5:10] == [10, 11, 12, 13, 14]
    assert firsts[10:] == [20, 21]
    assert seq.epochs_ended >= 2
    assert keras.utils.data_utils.OrderedEnqueuer is keras.utils.OrderedEnqueuer


def test_ordered_enqueuer_shuffles_each_epoch_and_bounds_the_queue():
    seq = _Seq(40)
    enq = keras.utils.OrderedEnqueuer(seq, shuffle=True)
    enq.start(workers=2, max_queue_size=3)
    gen = enq.get()
    epoch = sorted(int(b[0][0, 0]) for b in _take(gen, 40))
    assert epoch == list(range(40))
    time.sleep(0.2)  # the workers run ahead at most the queue's bound (+ the one being put)
    assert len(seq.calls) <= 40 + 3 + 2
    enq.stop()
    assert seq.calls[:40] != list(range(40))  # shuffled


def test_enqueuer_errors_surface_in_get():
    enq = keras.utils.OrderedEnqueuer(_Seq(5, fail_at=2))
    enq.start(workers=1, max_queue_size=2)
    gen = enq.get()
    _take(gen, 2)
    with pytest.raises(KeyError, match="batch 2"):
        next(gen)
    assert not enq.is_running()
    with pytest.raises(ValueError, match=r"OrderedEnqueuer.start: workers must be >= 1"):
        keras.utils.OrderedEnqueuer(_Seq(2)).start(workers=0)


def test_generator_enqueuer_yields_every_item_then_ends():
    lock = threading.Lock()

    def gen():
        for i in range(25):
            with lock:
                yield (np.full((1,), i), np.zeros(1))
    enq = keras.utils.GeneratorEnqueuer(gen())
    enq.start(workers=3, max_queue_size=5)
    got = [int(x[0]) for x, _ in enq.get()]
    assert sorted(got) == list(range(25)) and not enq.is_running()
    with pytest.warns(RuntimeWarning, match="threads"):
        keras.utils.GeneratorEnqueuer(gen(), use_multiprocessing=True)


def test_generator_enqueuer_feeds_fit():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 3)).astype(np.float32)
    y = x.sum(1, keepdims=True)

    def batches():
        while True:
            for s in range(0, 32, 8):
                yield x[s:s + 8], y[s:s + 8]
    enq = keras.utils.GeneratorEnqueuer(batches())
    enq.start(workers=1, max_queue_size=4)
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    m.compile("sgd", "mse")
    h = m.fit(enq.get(), steps_per_epoch=4, epochs=3, verbose=0)
    enq.stop()
    assert len(h.history["loss"]) == 3 and h.history["loss"][-1] < h.history["loss"][0]


def test_disable_interactive_logging_silences_fit(capsys, caplog):
    x = np.zeros((8, 2), np.float32)
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
    m.compile("sgd", "mse")
    assert keras.utils.is_interactive_logging_enabled()
    m.fit(x, x[:, :1], epochs=2, verbose=1)
    assert "Epoch 2/2" in capsys.readouterr().out
    keras.utils.disable_interactive_logging()
    try:
        assert not keras.utils.is_interactive_logging_enabled()
        with caplog.at_level(logging.INFO, logger="tensorforge"):
            m.fit(x, x[:, :1], epochs=2, verbose=1,
                  callbacks=[keras.callbacks.LearningRateScheduler(lambda e: 0.01, verbose=1)])
        assert capsys.readouterr().out == ""
        logged = [r.getMessage() for r in caplog.records if r.name == "tensorforge"]
        assert "Epoch 2/2" in logged
        assert any("LearningRateScheduler setting learning rate to 0.01" in s for s in logged)
        assert any("loss:" in s for s in logged)  # the progress bar's line
    finally:
        keras.utils.enable_interactive_logging()
    assert keras.utils.is_interactive_logging_enabled()
    assert keras.utils.io_utils.is_interactive_logging_enabled()


def test_timed_thread_runs_on_interval_alongside_fit():
    class Count(keras.utils.TimedThread, keras.callbacks.Callback):
        def __init__(self, interval):
            keras.utils.TimedThread.__init__(self, interval)
            keras.callbacks.Callback.__init__(self)
            self.ticks = 0
            self.epochs = []

        def on_interval(self):
            self.ticks += 1

        def on_epoch_begin(self, epoch, logs=None):
            self.epochs.append(epoch)
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
    m.compile("sgd", "mse")
    with Count(interval=0.01) as t:
        assert t.is_alive() and t.thread.daemon
        m.fit(np.zeros((8, 2), np.float32), np.zeros((8, 1), np.float32), epochs=3, verbose=0,
              callbacks=[t])
        time.sleep(0.05)
    t.thread.join(1.0)
    assert not t.is_alive() and t.ticks >= 2 and t.epochs == [0, 1, 2]
    bare = keras.utils.TimedThread(0.01)
    with pytest.raises(NotImplementedError, match="Needs to be implemented"):
        bare.on_interval()


def _write_wavs(root, files):
    """The .wav files tools/keras14_refs.py wrote for tf_keras (16-bit PCM, 16 kHz)."""
    import wave
    for f in files:
        path = os.path.join(root, f["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with wave.open(path, "wb") as w:
            w.setnchannels(f["channels"])
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(np.asarray(f["samples"], "<i2").tobytes())


def _rows(ds):
    return [_plain(e) for e in ds.as_numpy_iterator()]


@pytest.mark.parametrize("key", sorted(META["audio"]["cases"]))
def test_audio_dataset_from_directory_matches_keras2(key, tmp_path, capsys):
    _write_wavs(str(tmp_path), META["audio"]["files"])
    ref = META["audio"]["cases"][key]
    got = keras.utils.audio_dataset_from_directory(str(tmp_path), **ref["kwargs"])
    parts = got if isinstance(got, tuple) else (got,)
    assert len(parts) == len(ref["parts"])
    assert "Found 7 files belonging to" in capsys.readouterr().out
    for p, want in zip(parts, ref["parts"]):
        assert p.class_names == ref["class_names"]
        rows = _rows(p)
        if ref["kwargs"].get("shuffle") and p is parts[0]:  # TF's shuffle buffer: the same
            def samples(batches):  # (audio, label) pairs, in another order, so padded to
                out = []  # other lengths: compared without the padding
                for b in batches:
                    for a, lab in zip(*b):
                        while a and a[-1] == [0.0]:
                            a = a[:-1]
                        out.append(json.dumps([a, lab]))
                return sorted(out)
            assert samples(rows) == samples(want)
        else:
            np.testing.assert_equal(rows, want)


def test_audio_dataset_bad_arguments_and_files(tmp_path):
    A = keras.utils.audio_dataset_from_directory
    _write_wavs(str(tmp_path), META["audio"]["files"])
    # labels=None with padded batches (tf_keras 2.21 fails there on its padded_shapes)
    batches = list(A(str(tmp_path), labels=None, shuffle=False, batch_size=4).as_numpy_iterator())
    lengths = [len(f["samples"]) for f in META["audio"]["files"]]
    assert [b.shape for b in batches] == [(4, max(lengths[:4]), 1), (3, max(lengths[4:]), 1)]
    with pytest.raises(ValueError, match="`label_mode` argument must be one of"):
        A(str(tmp_path), label_mode="sparse")
    with pytest.raises(ImportError, match="tensorflow_io"):
        A(str(tmp_path), sampling_rate=8000)
    with pytest.raises(ValueError, match="`sampling_rate` should be higher than 0"):
        A(str(tmp_path), sampling_rate=-1)
    with pytest.raises(ValueError, match="Cannot set both `ragged` and `output_sequence_length`"):
        A(str(tmp_path), ragged=True, output_sequence_length=4)
    with pytest.raises(ValueError, match=r'When passing `label_mode="binary"`, there must be '
                                         r'exactly 2'):
        (tmp_path / "maybe").mkdir()
        A(str(tmp_path), label_mode="binary")
    import wave
    empty = tmp_path / "e"
    (empty / "c").mkdir(parents=True)
    with wave.open(str(empty / "c" / "x.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01")
    with pytest.raises(ValueError, match="only 16-bit PCM"):
        list(A(str(empty)).as_numpy_iterator())
    with pytest.raises(ValueError, match="No audio files found"):
        A(str(tmp_path / "maybe"))
