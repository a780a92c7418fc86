"""tf.io (read_file, decode_png), tf.image (convert_image_dtype, resize) and tf.strings
(unicode_split, reduce_join) on ``import tensorforge as tf``: TensorFlow's figures printed once by
tools/keras_corpus6_refs.py and committed here."""
import os
import sys

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers
from tensorforge.autograd import Tensor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from keras_corpus6_refs import image  # noqa: E402

# tools/keras_corpus6_refs.py under TensorFlow 2.21
CONVERTED_ROW1 = [0.2352941, 0.282353, 0.3294118, 0.3764706, 0.4235294]
BACK_TO_UINT8 = [[0, 6, 12, 18, 24], [30, 36, 42, 48, 54], [60, 66, 72, 78, 84],
                 [90, 96, 102, 108, 114]]
RESIZE = {
    (3, 7): [[0.039216, 0.066106, 0.09972, 0.133333, 0.166947, 0.20056, 0.227451],
             [0.352941, 0.379832, 0.413445, 0.447059, 0.480672, 0.514286, 0.541176],
             [0.666667, 0.693558, 0.727171, 0.760784, 0.794398, 0.828011, 0.854902]],
    (2, 2): [[0.152941, 0.270588], [0.623529, 0.741176]],
    (6, 3): [[0.015686, 0.094118, 0.172549], [0.133333, 0.211765, 0.290196],
             [0.290196, 0.368627, 0.447059], [0.447059, 0.52549, 0.603922],
             [0.603922, 0.682353, 0.760784], [0.721569, 0.8, 0.878431]],
}
NEAREST_3x7 = [[0, 12, 12, 24, 36, 36, 48], [120, 132, 132, 144, 156, 156, 168],
               [180, 192, 192, 204, 216, 216, 228]]


def test_convert_image_dtype_both_ways():
    f = tf.image.convert_image_dtype(image(), tf.float32)
    assert f.dtype == np.float32 and f.shape == (4, 5, 1)
    np.testing.assert_allclose(f.numpy()[1, :, 0], CONVERTED_ROW1, atol=1e-7)
    back = tf.image.convert_image_dtype(f.numpy() * 0.5, tf.uint8)
    assert back.dtype == np.uint8 and back.numpy()[:, :, 0].tolist() == BACK_TO_UINT8


@pytest.mark.parametrize("size", sorted(RESIZE))
def test_resize_bilinear_matches_tensorflow(size):
    f = tf.image.convert_image_dtype(image(), tf.float32)
    r = tf.image.resize(f, size)
    assert r.shape == size + (1,) and r.dtype == np.float32
    np.testing.assert_allclose(r.numpy()[:, :, 0], RESIZE[size], atol=2e-6)
    batch = tf.image.resize(np.stack([f.numpy(), f.numpy()]), list(size))  # a batch, a list
    np.testing.assert_allclose(batch.numpy()[1, :, :, 0], RESIZE[size], atol=2e-6)


def test_resize_nearest_keeps_the_dtype():
    r = tf.image.resize(image(), (3, 7), method="nearest")
    assert r.dtype == np.uint8 and r.numpy()[:, :, 0].tolist() == NEAREST_3x7


def test_resize_bad_arguments():
    with pytest.raises(ValueError, match="tf.image.resize: images must be 3-D"):
        tf.image.resize(np.zeros((4, 5)), (2, 2))
    with pytest.raises(ValueError, match="method must be 'bilinear', 'nearest' or 'area'"):
        tf.image.resize(image(), (2, 2), method="lanczos5")


def test_read_file_and_decode_png(tmp_path):
    PIL = pytest.importorskip("PIL.Image")  # the optional 'image' extra
    gray = np.random.default_rng(0).integers(0, 256, (6, 9), dtype=np.uint8)
    rgb = np.random.default_rng(1).integers(0, 256, (6, 9, 3), dtype=np.uint8)
    PIL.fromarray(gray, mode="L").save(tmp_path / "g.png")
    PIL.fromarray(rgb, mode="RGB").save(tmp_path / "c.png")
    raw = tf.io.read_file(str(tmp_path / "g.png"))
    assert isinstance(raw.numpy(), bytes) and raw.numpy()[:4] == b"\x89PNG"
    g = tf.io.decode_png(raw, channels=1)
    assert g.dtype == np.uint8 and g.shape == (6, 9, 1)
    np.testing.assert_array_equal(g.numpy()[:, :, 0], gray)
    c = tf.io.decode_png(tf.io.read_file(str(tmp_path / "c.png")))
    np.testing.assert_array_equal(c.numpy(), rgb)
    luma = tf.io.decode_png(tf.io.read_file(str(tmp_path / "c.png")), channels=1).numpy()[..., 0]
    rgb = rgb.astype(np.int64)
    want = (rgb[..., 0] * 299 + rgb[..., 1] * 587 + rgb[..., 2] * 114) / 1000  # ITU-R 601-2
    assert np.abs(luma - want).max() <= 1
    with pytest.raises(ValueError, match="tf.io.decode_png: the contents are not a decodable"):
        tf.io.decode_png(tf.constant(b"not a png"))
    with pytest.raises(ValueError, match="tf.io.read_file: cannot read"):
        tf.io.read_file(str(tmp_path / "missing.png"))


def test_unicode_split_and_reduce_join():
    chars = tf.strings.unicode_split("ab\u00e9c", "UTF-8")
    assert chars.numpy().tolist() == [b"a", b"b", b"\xc3\xa9", b"c"]  # TensorFlow's
    assert tf.strings.reduce_join(chars).numpy() == "ab\u00e9c".encode("utf-8")
    rows = tf.strings.reduce_join([["a", "b"], ["c", "d"]], axis=1, separator="-")
    assert rows.numpy().tolist() == [b"a-b", b"c-d"]  # TensorFlow's
    with pytest.raises(ValueError, match="unicode_split: only one text"):
        tf.strings.unicode_split(["ab", "cd"], "UTF-8")


def test_string_lookup_round_trip_as_the_captcha_example():
    """char_to_num on a split label, num_to_char back, reduce_join: the text again; an index
    out of the vocabulary (ctc_decode's -1 padding) reads as the OOV token."""
    to_num = layers.StringLookup(vocabulary=list("2345bcd"), mask_token=None)
    to_char = layers.StringLookup(vocabulary=to_num.get_vocabulary(), mask_token=None,
                                  invert=True)
    nums = to_num(tf.strings.unicode_split("b52dc", input_encoding="UTF-8"))
    assert nums.numpy().tolist() == [5, 4, 1, 7, 6]
    assert tf.strings.reduce_join(to_char(nums)).numpy().decode("utf-8") == "b52dc"
    padded = to_char(Tensor(np.array([5, 4, -1])))
    assert padded.numpy().tolist() == [b"b", b"5", b"[UNK]"]


def test_input_layer_input_is_its_tensor():
    i = layers.Input((4,), name="image")
    out = layers.Dense(3, name="d")(i)
    from tensorforge.models import Model
    model = Model(i, out)
    assert model.get_layer(name="image").input is i
    sub = Model(model.get_layer(name="image").input, model.get_layer(name="d").output)
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(sub.predict(x, verbose=0), model.predict(x, verbose=0))


# tools/keras_corpus6_refs.py under TensorFlow 2.21 (continued)
AREA_2x3 = [[0.136471, 0.211765, 0.287059], [0.607059, 0.682353, 0.757647]]
YUV = [[0.746634, -0.132614, -0.177819], [0.704024, 0.137855, -0.239961],
       [0.785221, 0.070768, -0.364507]]
PSNR = 22.95909


def test_resize_area_rgb_to_yuv_and_psnr_match_tensorflow():
    f = tf.image.convert_image_dtype(image(), tf.float32)
    r = tf.image.resize(f, (2, 3), method="area")
    np.testing.assert_allclose(r.numpy()[:, :, 0], AREA_2x3, atol=2e-6)
    even = tf.image.resize(f.numpy()[:4, :4], (2, 2), method="area").numpy()[..., 0]
    want = f.numpy()[:4, :4, 0].reshape(2, 2, 2, 2).mean(axis=(1, 3))  # 2x2 block means
    np.testing.assert_allclose(even, want, rtol=1e-6)
    rgb = np.random.default_rng(4).random((2, 3, 3)).astype(np.float32)
    yuv = tf.image.rgb_to_yuv(rgb)
    np.testing.assert_allclose(yuv.numpy()[1], YUV, atol=2e-6)
    np.testing.assert_allclose(tf.image.yuv_to_rgb(yuv).numpy(), rgb, atol=1e-5)
    assert abs(float(tf.image.psnr(rgb, rgb * 0.9, max_val=1.0).numpy()) - PSNR) < 1e-4
