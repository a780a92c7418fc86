"""First-principles checks of the tfio14 names whose TensorFlow values cannot be recorded
(random draws, files, process state) or need more than one expression: PNG round trips and
corrupt files, checkpoint readers, checkpoints_iterator, tf.config's switches, tf.summary
without a writer, hessians, the stateless image ops and sample_distorted_bounding_box's
statistics, tf.data's iterators, and bad arguments naming the op."""
import os
import threading
import time

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import tf_png
from tensorforge.autograd import Tensor


# ---- PNG / BMP codecs ----------------------------------------------------------------------
@pytest.mark.parametrize("shape, dtype", [((1, 1, 1), np.uint8), ((7, 13, 3), np.uint8),
                                          ((5, 2, 4), np.uint8), ((3, 11, 2), np.uint8),
                                          ((9, 4, 1), np.uint16), ((6, 7, 3), np.uint16),
                                          ((130, 97, 3), np.uint8)])
def test_png_round_trip_is_exact(shape, dtype):
    rng = np.random.default_rng(sum(shape))
    img = rng.integers(0, np.iinfo(dtype).max + 1, shape, dtype=dtype)
    if shape[0] > 100:  # smooth rows, so every filter type is chosen somewhere
        img = (np.add.outer(np.arange(shape[0]), np.arange(shape[1]))[..., None] *
               [1, 3, 7] % 256).astype(dtype)
        img[::5] = rng.integers(0, 256, img[::5].shape, dtype=dtype)
    data = tf.io.encode_png(img).numpy()
    got = tf.io.decode_png(data, dtype=tf.uint16 if dtype == np.uint16 else tf.uint8).numpy()
    np.testing.assert_array_equal(got, img)
    for level in (0, 1, 9):
        np.testing.assert_array_equal(tf_png.decode(tf_png.encode(img, level), sixteen=dtype ==
                                                    np.uint16), img)


def test_png_written_here_reads_in_pillow():
    Image = pytest.importorskip("PIL.Image")
    import io
    img = np.random.default_rng(3).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    got = np.asarray(Image.open(io.BytesIO(tf.io.encode_png(img).numpy())))
    np.testing.assert_array_equal(got, img)


def test_corrupt_png_and_bmp_raise_python_errors():
    """Every single-byte change and every truncation of a PNG / BMP decodes or raises a
    ValueError (InvalidArgumentError); nothing crashes or hangs."""
    rng = np.random.default_rng(5)
    img = rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)
    png = tf.io.encode_png(img).numpy()
    for k in range(len(png)):
        for data in (png[:k], png[:k] + bytes([png[k] ^ 0x5A]) + png[k + 1:]):
            try:
                tf.io.decode_png(data)
            except ValueError as e:
                assert "tf.io.decode_png" in str(e)
    bmp = bytearray(b"BM" + bytes(52))
    bmp[10], bmp[14], bmp[18], bmp[22], bmp[26], bmp[28] = 54, 40, 2, 2, 1, 24
    bmp += bytes(16)
    assert tf.io.decode_bmp(bytes(bmp)).shape == (2, 2, 3)
    for k in range(len(bmp)):
        for data in (bytes(bmp[:k]), bytes(bmp[:k]) + bytes([bmp[k] ^ 0xFF]) + bytes(bmp[k + 1:])):
            try:
                tf.io.decode_bmp(data)
            except ValueError as e:
                assert "tf.io.decode_bmp" in str(e)


def test_codec_bad_arguments():
    with pytest.raises(ValueError, match=r"tf.io.encode_png: image must be 3-D.*\(4, 4\)"):
        tf.io.encode_png(np.zeros((4, 4), np.uint8))
    with pytest.raises(TypeError, match="tf.io.encode_png: image must be uint8 or uint16"):
        tf.io.encode_png(np.zeros((2, 2, 1), np.float32))
    with pytest.raises(ValueError, match="compression must be in"):
        tf.io.encode_png(np.zeros((2, 2, 1), np.uint8), compression=12)
    with pytest.raises(ValueError, match="tf.io.decode_png: contents must be one string"):
        tf.io.decode_png(tf.constant([b"a", b"b"]))


# ---- TensorProto ----------------------------------------------------------------------------
@pytest.mark.parametrize("value", [np.arange(6, dtype=np.float32).reshape(2, 3),
                                   np.array([-1, 2**40], np.int64), np.array(7, np.int32),
                                   np.array([True, False]), np.array([1.5], np.float16),
                                   np.array([[b"x", b""], [b"yz", b"\xff"]], dtype=object),
                                   np.zeros((0, 2), np.float64)])
def test_serialize_parse_round_trip(value):
    dt = "string" if value.dtype == object else value.dtype
    got = tf.io.parse_tensor(tf.io.serialize_tensor(Tensor(value)), dt).numpy()
    assert np.asarray(got).dtype == value.dtype and np.asarray(got).shape == value.shape
    np.testing.assert_array_equal(got, value)
    np.testing.assert_array_equal(tf.make_ndarray(tf.make_tensor_proto(value)), value)


# ---- checkpoints -----------------------------------------------------------------------------
def test_checkpoint_readers(tmp_path):
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="v")
    step = tf.Variable(np.int64(4))
    ckpt = tf.train.Checkpoint(v=v, step=step)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2)
    path = manager.save()
    names = dict(tf.train.list_variables(str(tmp_path)))
    # TensorFlow's keys (its list also holds "_CHECKPOINTABLE_OBJECT_GRAPH", not stored here)
    V = "/.ATTRIBUTES/VARIABLE_VALUE"
    assert names == {"v" + V: [2, 3], "step" + V: [], "save_counter" + V: []}
    np.testing.assert_array_equal(tf.train.load_variable(path, "v" + V), v.numpy())
    reader = tf.train.load_checkpoint(path)
    assert reader.has_tensor("step" + V) and not reader.has_tensor("w")
    assert reader.get_variable_to_dtype_map()["v" + V] == np.float32
    assert int(reader.get_tensor("save_counter" + V)) == 1
    with pytest.raises(tf.errors.NotFoundError, match="Key w not found"):
        reader.get_tensor("w")
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
        tf.train.load_checkpoint(str(tmp_path / "nope"))
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
        tf.train.list_variables(str(tmp_path / ".."))
    opts = tf.train.CheckpointOptions(experimental_io_device="/job:localhost")
    assert opts.experimental_io_device == "/job:localhost" and not opts.enable_async


def test_checkpoints_iterator_yields_new_checkpoints_then_times_out(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=5)
    first = manager.save()
    seen = []

    def later():
        time.sleep(0.3)
        seen.append(manager.save())
    t = threading.Thread(target=later)
    t.start()
    got = list(tf.train.checkpoints_iterator(str(tmp_path), timeout=1.5))
    t.join()
    assert got == [first] + seen


def test_moving_average_zero_debias_and_errors():
    v = tf.Variable(4.0, name="zd")
    ema = tf.train.ExponentialMovingAverage(0.5, zero_debias=True)
    ema.apply([v])
    v.assign(8.0)
    ema.apply([v])
    assert float(ema.average(v).numpy()) == 6.0  # TensorFlow 2.21: zero_debias leaves variables
    assert ema.average(tf.Variable(1.0)) is None


# ---- tf.config / tf.summary -----------------------------------------------------------------
def test_config_switches_are_recorded_and_read_back():
    cpu = tf.config.list_physical_devices("CPU")[0]
    assert tf.config.get_logical_device_configuration(cpu) is None
    conf = tf.config.LogicalDeviceConfiguration(memory_limit=1024)
    assert conf.memory_limit == 1024 and conf.experimental_priority is None
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        assert [d.name for d in tf.config.list_logical_devices("CPU")] == ["/device:CPU:0",
                                                                           "/device:CPU:1"]
    finally:
        tf.config.set_logical_device_configuration(cpu, None)
    assert [d.name for d in tf.config.list_logical_devices("CPU")] == ["/device:CPU:0"]
    tf.config.set_visible_devices([], "GPU")
    assert tf.config.get_visible_devices("GPU") == []
    assert tf.config.list_logical_devices("GPU") == []
    with pytest.raises(ValueError, match="must include a CPU"):
        tf.config.set_visible_devices([], "CPU")
    assert tf.config.functions_run_eagerly() is False
    tf.config.run_functions_eagerly(True)
    assert tf.config.functions_run_eagerly() is True
    tf.config.run_functions_eagerly(False)
    assert tf.config.get_soft_device_placement() is True
    tf.config.set_soft_device_placement(False)
    assert tf.config.get_soft_device_placement() is False
    tf.config.set_soft_device_placement(True)
    assert tf.config.optimizer.get_jit() == ""
    tf.config.optimizer.set_jit(True)
    assert tf.config.optimizer.get_jit() == "autoclustering"
    tf.config.optimizer.set_jit(False)
    tf.config.optimizer.set_experimental_options({"layout_optimizer": False})
    assert tf.config.optimizer.get_experimental_options() == {
        "layout_optimizer": False, "disable_model_pruning": False,
        "disable_meta_optimizer": False}
    assert tf.config.experimental.get_device_details(cpu) == {}
    with pytest.raises(ValueError, match="Unrecognized device"):
        tf.config.get_logical_device_configuration(tf.config.PhysicalDevice("/x:CPU:7", "CPU"))


def test_summary_without_writer_records_nothing():
    assert not bool(tf.summary.should_record_summaries().numpy())
    assert tf.summary.image("im", np.zeros((1, 2, 2, 3), np.float32), step=0) is False
    with pytest.raises(ValueError, match="tf.summary.image: data must be 4-D"):
        tf.summary.image("im", np.zeros((2, 2, 3), np.float32), step=0)
    tf.summary.trace_on()
    with pytest.warns(UserWarning, match="no graph to export"):
        tf.summary.trace_export("t", step=0)


def test_summary_image_audio_write_to_event_file(tmp_path):
    pytest.importorskip("tensorboardX")
    from tensorboardX.proto import event_pb2
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default(step=3):
        assert bool(tf.summary.should_record_summaries().numpy())
        assert tf.summary.image("im", np.ones((2, 4, 5, 3), np.float32) * 0.5, max_outputs=1)
        assert tf.summary.audio("au", np.zeros((1, 80, 2), np.float32), 8000)
        assert tf.summary.write("t", tf.constant([1.0, 2.0]))
    files = os.listdir(tmp_path)
    import struct
    data = open(os.path.join(tmp_path, files[0]), "rb").read()
    pos, tags = 0, []
    while pos < len(data):
        n, = struct.unpack("<Q", data[pos:pos + 8])
        ev = event_pb2.Event.FromString(data[pos + 12:pos + 12 + n])
        tags += [v.tag for v in ev.summary.value]
        pos += 16 + n
    assert tags == ["im/image/0", "au/audio/0", "t"]


# ---- structural names ------------------------------------------------------------------------
def test_hessians_match_the_analytic_ones():
    x0 = np.array([0.5, -1.0, 2.0], np.float32)
    x = Tensor(x0.copy(), requires_grad=True)
    y = tf.reduce_sum(x ** 3) + tf.reduce_sum(x) ** 2
    h, = tf.hessians(y, x)
    np.testing.assert_allclose(h.numpy(), np.diag(6 * x0) + 2.0, rtol=1e-5)


def test_switch_case_and_case_errors_name_the_op():
    with pytest.raises(TypeError, match="'branch_index' must be a Tensor"):
        tf.switch_case(0, [lambda: 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="None of conditions"):
        tf.case([(tf.constant(False), lambda: 1)])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[3,4\] is not compatible.*"
                                                              r"\[3,5\]"):
        tf.ensure_shape(np.zeros((3, 4), np.float32), [3, 5])


# ---- random image ops: same seed, same result; statistics ---------------------------------------
def test_stateless_image_ops_repeat_for_a_seed():
    img = np.random.default_rng(0).uniform(0, 1, (4, 6, 8, 3)).astype(np.float32)
    for fn in (lambda s: tf.image.stateless_random_brightness(img, 0.3, s),
               lambda s: tf.image.stateless_random_contrast(img, 0.5, 1.5, s),
               lambda s: tf.image.stateless_random_saturation(img, 0.5, 1.5, s),
               lambda s: tf.image.stateless_random_hue(img, 0.2, s),
               lambda s: tf.image.stateless_random_flip_left_right(img, s),
               lambda s: tf.image.stateless_random_flip_up_down(img, s),
               lambda s: tf.image.stateless_random_crop(img, [4, 3, 5, 3], s)):
        a, b = fn([1, 2]).numpy(), fn([1, 2]).numpy()
        np.testing.assert_array_equal(a, b)
        outs = [fn([i, 7]).numpy() for i in range(6)]
        assert any(not np.array_equal(outs[0], o) for o in outs[1:])
    flips = [tf.image.stateless_random_flip_left_right(img, [i, 0]).numpy() for i in range(40)]
    flipped = sum(np.array_equal(f[0], img[0, :, ::-1]) for f in flips)
    assert 8 <= flipped <= 32  # p = 0.5 per image
    with pytest.raises(ValueError, match="tf.image.stateless_random_hue: max_delta"):
        tf.image.stateless_random_hue(img, 0.7, [1, 2])
    with pytest.raises(ValueError, match="seed must be a pair of integers"):
        tf.image.stateless_random_brightness(img, 0.1, [1, 2, 3])


def test_sample_distorted_bounding_box_statistics():
    H, W = 60, 80
    boxes = tf.constant([[[0.2, 0.3, 0.6, 0.7]]])
    areas, ratios = [], []
    for i in range(200):
        begin, size, box = tf.image.stateless_sample_distorted_bounding_box(
            [H, W, 3], boxes, seed=[i, 1], min_object_covered=0.5,
            aspect_ratio_range=(0.5, 2.0), area_range=(0.1, 0.9))
        (y, x, _), (h, w, c) = begin.numpy(), size.numpy()
        assert c == -1 and 0 <= y and y + h <= H and 0 <= x and x + w <= W
        np.testing.assert_allclose(box.numpy()[0, 0], [y / H, x / W, (y + h) / H, (x + w) / W],
                                   rtol=1e-6)
        if (h, w) != (H, W):  # a found crop: the constraints hold
            by0, bx0, by1, bx1 = 0.2 * H, 0.3 * W, 0.6 * H, 0.7 * W
            inter = max(0, min(y + h, by1) - max(y, by0)) * max(0, min(x + w, bx1) - max(x, bx0))
            assert inter / ((by1 - by0) * (bx1 - bx0)) >= 0.5 - 1e-6
            assert 0.1 * H * W <= h * w <= 0.9 * H * W
            ratios.append(w / h)
        areas.append(h * w / (H * W))
    assert len(ratios) > 150 and 0.45 <= min(ratios) and max(ratios) <= 2.1
    assert 0.2 < np.mean(areas) < 0.8 and np.std(areas) > 0.05  # spread over the range
    a = tf.image.stateless_sample_distorted_bounding_box([H, W, 3], boxes, seed=[3, 4])
    b = tf.image.stateless_sample_distorted_bounding_box([H, W, 3], boxes, seed=[3, 4])
    assert all(np.array_equal(p.numpy(), q.numpy()) for p, q in zip(a, b))


# ---- tf.data ---------------------------------------------------------------------------------
def test_dataset_iterators():
    ds = tf.data.Dataset.from_tensor_slices(np.arange(3, dtype=np.int32))
    it = iter(ds)
    assert isinstance(it, tf.data.Iterator)
    assert [int(it.get_next().numpy()) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(tf.errors.OutOfRangeError):
        it.get_next()
    opt = iter(ds).get_next_as_optional()
    assert bool(opt.has_value().numpy()) and int(opt.get_value().numpy()) == 0
    nit = ds.as_numpy_iterator()
    assert isinstance(nit, tf.data.NumpyIterator) and list(nit) == [0, 1, 2]


def test_pure_png_decoder_equals_the_pillow_fast_path():
    """8-bit gray / RGB(A) PNGs are read by Pillow when installed; the pure decoder (used
    without Pillow, and for 16-bit, palette and low-depth files) must give the same samples on
    files with every filter type (Pillow's own encoder picks them adaptively)."""
    Image = pytest.importorskip("PIL.Image")
    import io
    rng = np.random.default_rng(11)
    y, x = np.mgrid[0:40, 0:57]
    smooth = (np.sin(x / 5.0) * 60 + np.cos(y / 4.0) * 60 + 128)
    for mode, c in (("L", 1), ("LA", 2), ("RGB", 3), ("RGBA", 4)):
        img = np.clip(smooth[..., None] * np.ones(c) + rng.normal(0, 9, (40, 57, c)), 0,
                      255).astype(np.uint8)
        b = io.BytesIO()
        Image.fromarray(img[..., 0] if c == 1 else img, mode).save(b, "PNG")
        data = b.getvalue()
        for ch in (0, 1, 3, 4):
            fast = tf_png.decode(data, ch)
            pure = tf_png.decode(data, ch, use_pillow=False)
            np.testing.assert_array_equal(fast, pure, err_msg=f"{mode} channels={ch}")
        np.testing.assert_array_equal(tf_png.decode(data, use_pillow=False),
                                      img if c > 1 else img)


_SP = tf.sparse.SparseTensor([[0, 1], [1, 0]], [1.0, 2.0], [2, 3])


@pytest.mark.parametrize("call, exc, words", [
    (lambda: tf.sparse.sparse_dense_matmul(_SP, np.ones((2, 2), np.float32)), ValueError,
     ["sparse_dense_matmul", "[2, 3]", "[2, 2]"]),
    (lambda: tf.sparse.sparse_dense_matmul(_SP, np.ones(3, np.float32)), ValueError,
     ["sparse_dense_matmul", "b must be 2-D", "(3,)"]),
    (lambda: tf.sparse.add(_SP, tf.sparse.SparseTensor([[0, 0]], [1.0], [3, 3])), ValueError,
     ["tf.sparse.add", "[2, 3]", "[3, 3]"]),
    (lambda: tf.sparse.reshape(_SP, [4, -1]), ValueError, ["tf.sparse.reshape", "6", "4"]),
    (lambda: tf.sparse.slice(_SP, [0], [1, 1]), ValueError, ["tf.sparse.slice", "[2, 3]"]),
    (lambda: tf.sparse.retain(_SP, [True]), ValueError, ["tf.sparse.retain", "length 2"]),
    (lambda: tf.sparse.reset_shape(_SP, [1, 3]), ValueError, ["reset_shape", "[1, 3]"]),
    (lambda: tf.sparse.transpose(_SP, [0, 0]), ValueError, ["tf.sparse.transpose", "perm"]),
    (lambda: tf.sparse.to_indicator(tf.sparse.SparseTensor([[0, 0]], [5], [1, 1]), 3),
     ValueError, ["to_indicator", "[0, 3)"]),
    (lambda: tf.sparse.segment_sum(np.ones((2, 2), np.float32), [0, 5], [0, 1]), ValueError,
     ["tf.sparse.segment_sum", "indices", "[0, 2)"]),
    (lambda: tf.sparse.reduce_sum(_SP, axis=3), ValueError, ["reduce_sum", "axis", "rank 2"]),
    (lambda: tf.sparse.to_dense(np.ones(3)), TypeError, ["tf.sparse.to_dense", "SparseTensor"]),
    (lambda: tf.sparse.split(sp_input=_SP, num_split=4, axis=1), ValueError,
     ["tf.sparse.split", "num_split"]),
    (lambda: tf.image.non_max_suppression(np.ones((3, 3)), np.ones(3), 2), ValueError,
     ["non_max_suppression", "boxes", "(3, 3)"]),
    (lambda: tf.image.non_max_suppression(np.ones((3, 4)), np.ones(2), 2), ValueError,
     ["non_max_suppression", "scores", "(2,)"]),
    (lambda: tf.image.crop_and_resize(np.ones((2, 4, 4, 1)), [[0, 0, 1, 1]], [2], [2, 2]),
     ValueError, ["crop_and_resize", "box_indices", "[0, 2)"]),
    (lambda: tf.image.crop_and_resize(np.ones((4, 4, 1)), [[0, 0, 1, 1]], [0], [2, 2]),
     ValueError, ["crop_and_resize", "4-D", "(4, 4, 1)"]),
    (lambda: tf.image.draw_bounding_boxes(np.ones((1, 4, 4, 3), np.float32),
                                          np.zeros((1, 1, 4)), [[1.0, 0.0]]),
     ValueError, ["draw_bounding_boxes", "colors", "(1, 2)"]),
    (lambda: tf.image.resize_with_pad(np.ones((4, 4)), 3, 3), ValueError,
     ["resize_with_pad", "(4, 4)"]),
    (lambda: tf.io.decode_csv(["1,2"], [[0], [[1, 2]]]), ValueError,
     ["decode_csv", "record_defaults[1]", "(1, 2)"]),
    (lambda: tf.io.decode_raw(["ab"], tf.string), TypeError, ["decode_raw", "out_type"]),
    (lambda: tf.io.parse_tensor(tf.constant([b"a", b"b"]), tf.float32), ValueError,
     ["parse_tensor", "(2,)"]),
    (lambda: tf.shape_n([np.ones(2)], out_type=tf.float32), TypeError, ["shape_n", "out_type"]),
    (lambda: tf.grad_pass_through(lambda t: t[:1])(np.ones(3, np.float32)), ValueError,
     ["grad_pass_through", "(3,)", "(1,)"]),
])
def test_bad_arguments_name_op_argument_and_shapes(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_list_variables_reads_save_weights_files(tmp_path):
    from tensorforge import keras
    model = keras.Sequential([keras.layers.Dense(3, input_shape=(4,), name="dense")])
    cb_dir = tmp_path / "training"
    model.save_weights(str(cb_dir / "cp-0001.ckpt"))
    latest = tf.train.latest_checkpoint(str(cb_dir))
    assert latest == str(cb_dir / "cp-0001.ckpt")
    assert tf.train.list_variables(str(cb_dir)) == [("dense/bias", [3]),
                                                    ("dense/kernel", [4, 3])]
    np.testing.assert_array_equal(tf.train.load_variable(latest, "dense/kernel"),
                                  model.layers[0].kernel.numpy())


def test_cifar10_binary_pipeline(tmp_path):
    """The TensorFlow CIFAR-10 binary reader: gfile.glob, FixedLengthRecordDataset,
    decode_raw inside Dataset.map, the label byte and the CHW image."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 5).astype(np.uint8)
    imgs = rng.integers(0, 256, (5, 3, 32, 32), dtype=np.uint8)
    with open(tmp_path / "data_batch_1.bin", "wb") as f:
        for label, im in zip(labels, imgs):
            f.write(bytes([label]) + im.tobytes())

    def parse(record):
        raw = tf.io.decode_raw(record, tf.uint8)
        image = tf.transpose(tf.reshape(raw[1:], [3, 32, 32]), [1, 2, 0])
        return tf.image.convert_image_dtype(image, tf.float32), tf.cast(raw[0], tf.int32)
    files = tf.io.gfile.glob(str(tmp_path / "data_batch_*.bin"))
    ds = tf.data.FixedLengthRecordDataset(files, 1 + 3072).map(parse).batch(2)
    xs, ys = zip(*[(x.numpy(), y.numpy()) for x, y in ds])
    np.testing.assert_allclose(np.concatenate(xs), imgs.transpose(0, 2, 3, 1) / 255.0,
                               rtol=1e-6)
    assert np.concatenate(ys).tolist() == labels.tolist()


def test_png_files_pipeline(tmp_path):
    """list_files + read_file + decode_png + resize_with_pad in a Dataset.map."""
    rng = np.random.default_rng(1)
    imgs = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in ((6, 9), (10, 4))]
    for i, im in enumerate(imgs):
        tf.io.write_file(str(tmp_path / f"{i}.png"), tf.io.encode_png(im))
    ds = tf.data.Dataset.list_files(str(tmp_path / "*.png"), shuffle=False).map(
        lambda p: tf.image.resize_with_pad(tf.io.decode_png(tf.io.read_file(p), channels=3),
                                           8, 8))
    out = [x.numpy() for x in ds]
    assert [o.shape for o in out] == [(8, 8, 3), (8, 8, 3)]
    # 6x9 into 8x8: ratio 9/8, resized to floor(6 / 1.125) = 5 rows x 8, 1 row of padding
    # above (floor((8 - 5.33) / 2)), 2 below
    np.testing.assert_allclose(out[0][1:6], tf.image.resize(imgs[0], [5, 8]).numpy(),
                               rtol=1e-6)
    assert not out[0][0].any() and not out[0][6:].any()
    # 10x4 into 8x8: 8 rows x 3 columns (floor(4 / 1.25)), 2 columns left, 3 right
    np.testing.assert_allclose(out[1][:, 2:5], tf.image.resize(imgs[1], [8, 3]).numpy(),
                               rtol=1e-6)
    assert not out[1][:, :2].any() and not out[1][:, 5:].any()


def test_coordinator_stops_threads_and_reraises():
    coord = tf.train.Coordinator()
    counts = [0, 0]

    def worker(i):
        with coord.stop_on_exception():
            while not coord.should_stop():
                counts[i] += 1
                if i == 1 and counts[1] == 50:
                    raise KeyError("worker 1 failed")
                time.sleep(0.001)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    with pytest.raises(KeyError, match="worker 1 failed"):
        coord.join(threads)
    assert coord.joined and coord.should_stop() and not any(t.is_alive() for t in threads)
    coord.clear_stop()
    assert not coord.should_stop()
    # the end of the input (OutOfRangeError) stops cleanly
    t = threading.Thread(target=lambda: coord.request_stop(tf.errors.OutOfRangeError("end")))
    t.start()
    coord.join([t])
    # a thread that ignores the stop request: named after the grace period
    coord.clear_stop()
    done = threading.Event()
    stuck = threading.Thread(target=done.wait, name="stuck-worker")
    stuck.start()
    coord.request_stop()
    with pytest.raises(RuntimeError, match="threads still running: stuck-worker"):
        coord.join([stuck], stop_grace_period_secs=0.1)
    done.set()
    stuck.join()


def test_config_experimental_memory_and_policies():
    exp = tf.config.experimental
    assert exp.get_memory_info("CPU:0") == {"current": 0, "peak": 0}  # TensorFlow's on a CPU
    exp.reset_memory_stats("/device:CPU:0")
    with pytest.raises(ValueError, match="No matching devices found for 'XPU:3'"):
        exp.get_memory_info("XPU:3")
    assert exp.get_synchronous_execution() is True
    exp.set_synchronous_execution(False)
    assert exp.get_synchronous_execution() is False
    exp.set_synchronous_execution(True)
    assert exp.get_device_policy() == "silent"
    exp.set_device_policy("explicit")
    assert exp.get_device_policy() == "explicit"
    exp.set_device_policy(None)
    assert exp.get_device_policy() == "silent"
    with pytest.raises(ValueError, match="Invalid argument `device_policy`"):
        exp.set_device_policy("bad")


def test_decode_csv_of_one_record_with_bare_python_defaults():
    # TensorFlow 2.21 (keras venv): Hands-On ML 2 ch. 13's per-line map, record_defaults
    # [0.] * n + [tf.constant([])], one bytes record a call
    r = tf.io.decode_csv(b"1,2.5,-3", [0, 0., 7])
    assert [(t.dtype.name, t.shape, t.numpy().tolist()) for t in r] == \
        [("int32", (), 1), ("float32", (), 2.5), ("int32", (), -3)]
    r = tf.io.decode_csv(tf.constant(b",,"), [5, 1.5, 2**31 - 1])
    assert [(t.dtype.name, t.shape, t.numpy().tolist()) for t in r] == \
        [("int32", (), 5), ("float32", (), 1.5), ("int32", (), 2147483647)]
    r = tf.io.decode_csv([b"4.25,x", b'1,"y,z"'], [0., ""])
    assert r[0].dtype.name == "float32" and r[0].numpy().tolist() == [4.25, 1.0]
    assert r[1].numpy().tolist() == [b"x", b"y,z"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Field 0 in record 0 is not a valid int32"):
        tf.io.decode_csv(b"1.5,2", [0, 0])


def test_stack_of_plain_tensors_as_tensorflow():
    # the no-gradient fast path (backend_ops/array_ops.py _stack_plain) against TensorFlow 2.21
    s = tf.stack([tf.constant(1.5), tf.constant(2.0)])
    assert s.dtype.name == "float32" and s.numpy().tolist() == [1.5, 2.0]
    s = tf.stack([tf.constant([1, 2]), tf.constant([3, 4])], axis=-1)
    assert s.dtype.name == "int32" and s.numpy().tolist() == [[1, 3], [2, 4]]
    with pytest.raises(ValueError, match="stack: axis 3 is out of range for tensors of rank 1"):
        tf.stack([tf.constant([1.0]), tf.constant([1.0])], axis=3)
    with pytest.raises(ValueError, match="stack: tensors must have one shape"):
        tf.stack([tf.constant([1.0]), tf.constant([1.0, 2.0])])
    # a tensor that needs a gradient takes the recorded path
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.stack([v, tf.constant([3.0, 4.0])]) * tf.constant([[1.0], [5.0]]))
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [1.0, 1.0])
