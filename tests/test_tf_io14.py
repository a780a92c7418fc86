"""tf.io's decoders and TensorProto bytes, the PNG / BMP codecs and (in the recorded cases)
the other tfio14 names, against TensorFlow 2.21's values and bytes recorded by
tools/gen_tf_io14_refs.py into tests/data/tf_io14_refs.json; bad arguments raise the class
TensorFlow raises (tf.errors classes are ValueError / ... subclasses here) naming the op."""
import re

import numpy as np
import pytest

import tensorforge as tf

import tf_io14_refs as R

INPUTS = R.inputs()
CASES = R.REFS["cases"]
ERRORS = R.REFS["errors"]


def _env():
    env = dict(INPUTS, tf=tf, np=np)
    exec(R.REFS["setup"], env)  # noqa: S102 -- the recorded setup (SparseTensors, grad_of)
    return env


# JPEG is lossy and its decoders differ: Pillow's libjpeg (accurate integer DCT, its own
# upsampling) against TensorFlow's libjpeg-turbo: pixels within a few levels (5 at most
# measured on these images, mean about 1: test_jpeg_pixels_close_on_average); TensorFlow
# decodes with the fast integer DCT by default, Pillow with the accurate one
JPEG_TOLERANCE = {"int_atol": 6, "atol": 6 / 255}
_LOSSY = {"jpeg_rgb", "jpeg_to_gray", "jpeg_gray", "jpeg_gray_to_rgb", "jpeg_progressive",
          "jpeg_image_float", "jpeg_crop"}


# float32 sums over many window positions, in another order than TensorFlow's
_LOOSE = {"ssim_multiscale": {"rtol": 2e-5, "atol": 2e-5},
          "ssim_multiscale_3": {"rtol": 2e-5, "atol": 2e-5},
          "ssim_multiscale_grad": {"rtol": 1e-4, "atol": 1e-5}}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_tensorflow(case):
    if case.startswith(("jpeg_", "gif_")):
        pytest.importorskip("PIL.Image")  # JPEG and GIF go through the optional 'image' extra
    got = eval(CASES[case]["expr"], _env())  # noqa: S307 -- the recorded expressions
    R.check(got, R.decode(CASES[case]["out"]), case, **(JPEG_TOLERANCE if case in _LOSSY
                                                         else _LOOSE.get(case, {})))


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_arguments_raise_tensorflows_error(case):
    want = ERRORS[case]["error"]
    with pytest.raises(Exception) as info:
        eval(ERRORS[case]["expr"], _env())  # noqa: S307
    names = [c.__name__ for c in type(info.value).__mro__]
    assert want in names, (case, type(info.value), info.value)
    expr = ERRORS[case]["expr"]
    if expr.startswith("fixed_records("):  # the recorded setup's helper around the dataset
        name = "FixedLengthRecordDataset"
    else:
        name = re.match(r"tf\.(?:\w+\.)*(\w+)\(", expr).group(1)
    assert name in str(info.value), (case, name, str(info.value))  # the error names the op


def test_jpeg_pixels_close_on_average():
    """The JPEG tolerance above allows a few levels per pixel; on average the decoders agree
    better (about 1 level; a decoder off everywhere would fail here)."""
    pytest.importorskip("PIL.Image")
    for case in ("jpeg_rgb", "jpeg_gray", "jpeg_progressive"):
        got = eval(CASES[case]["expr"], _env()).numpy().astype(np.int64)  # noqa: S307
        want = R.decode(CASES[case]["out"]).astype(np.int64)
        assert np.abs(got - want).mean() < 1.5, (case, np.abs(got - want).mean())
