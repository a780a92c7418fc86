"""tf.image augmentation and measures (flips, rot90, crops, brightness / gamma / saturation /
hue, standardization, grayscale / HSV, total_variation, gradients, Sobel, SSIM): values,
dtypes and gradients against TensorFlow 2's (tools/gen_tf_image_refs.py ->
tests/data/tf_image_refs.*), plus the random forms and bad input."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.autograd import Tensor

import tf_refs

META, REF, INPUTS = tf_refs.load("tf_image_refs")
_weights, _flat = tf_refs.weights, tf_refs.flat


@pytest.mark.parametrize("case", sorted(META))
def test_image_op_matches_tensorflow(case):
    meta = META[case]
    env = {k: tf.constant(v) for k, v in INPUTS.items()}
    if meta["wrt"]:
        env[meta["wrt"]] = Tensor(INPUTS[meta["wrt"]].copy(), requires_grad=True)
    env.update(tf=tf, np=np)
    outs = _flat(eval(meta["expr"], env))  # noqa: S307 -- the recorded expressions
    loss = None
    for j, (o, dt) in enumerate(zip(outs, meta["dtypes"])):
        want = REF[f"{case}/out{j}"]
        got = o.numpy()
        assert got.dtype == np.dtype(dt) and got.shape == want.shape, (case, j, got.dtype, got.shape)
        if got.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-5, err_msg=f"{case} out{j}")
            if meta["wrt"]:
                term = (o * Tensor(_weights(o.shape).astype(np.float32))).sum()
                loss = term if loss is None else loss + term
        else:  # integer images: TensorFlow rounds half-way values its own way: within 1
            assert np.abs(got.astype(np.int64) - want.astype(np.int64)).max() <= 1, case
    if meta["wrt"]:
        loss.backward()
        np.testing.assert_allclose(env[meta["wrt"]].grad, REF[f"{case}/grad"], rtol=2e-4,
                                   atol=5e-5, err_msg=f"{case} gradient")


def test_random_forms_pick_among_the_deterministic_results():
    im = INPUTS["im"]
    tf.random.set_seed(3)
    seen = set()
    for _ in range(20):
        out = tf.image.random_flip_left_right(im).numpy()
        seen.add("flip" if np.array_equal(out, im[:, ::-1]) else "same" if
                 np.array_equal(out, im) else "other")
    assert seen == {"flip", "same"}
    bat = INPUTS["bat"]
    out = tf.image.random_flip_up_down(bat, seed=1).numpy()
    for o, b in zip(out, bat):  # per image: each one flipped or not
        assert np.array_equal(o, b) or np.array_equal(o, b[::-1])
    crop = tf.image.random_crop(im, [3, 4, 3], seed=2).numpy()
    assert any(np.array_equal(crop, im[i:i + 3, j:j + 4]) for i in range(3) for j in range(3))
    b = tf.image.random_brightness(im, 0.2, seed=5).numpy() - im
    assert np.ptp(b) < 1e-6 and abs(b.flat[0]) <= 0.2  # one delta for the whole image
    h = tf.image.random_hue(im, 0.1, seed=5).numpy()
    assert h.shape == im.shape and not np.array_equal(h, im)
    s = tf.image.random_saturation(im, 0.5, 1.5, seed=5).numpy()
    c = tf.image.random_contrast(im, 0.5, 1.5, seed=5).numpy()
    assert s.shape == c.shape == im.shape


@pytest.mark.parametrize("call, words", [
    (lambda: tf.image.central_crop(INPUTS["im"], 1.5), ["central_fraction"]),
    (lambda: tf.image.flip_left_right(np.ones((3, 4))), ["flip_left_right", "(3, 4)"]),
    (lambda: tf.image.rgb_to_grayscale(np.ones((2, 2, 4), np.float32)), ["3 channels"]),
    (lambda: tf.image.random_crop(INPUTS["im"], [6, 2, 3]), ["random_crop", "(5, 6, 3)"]),
    (lambda: tf.image.ssim(INPUTS["im"][None], INPUTS["im"][None], 1.0), ["filter_size 11"]),
    (lambda: tf.image.adjust_hue(INPUTS["im"], 1.5), ["delta"]),
    (lambda: tf.image.resize_with_crop_or_pad(INPUTS["im"], 0, 3), ["target size"]),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError) as e:
        call()
    for w in words:
        assert w in str(e.value)


def test_ssim_of_an_image_with_itself_is_one_and_trains_as_a_loss():
    big = INPUTS["big"]
    np.testing.assert_allclose(tf.image.ssim(big, big, 1.0).numpy(), [1.0, 1.0], rtol=1e-6)
    x = Tensor(INPUTS["big2"].copy(), requires_grad=True)
    before = float(tf.image.ssim(big, x, 1.0).numpy().mean())
    for _ in range(20):
        x.grad = None
        loss = 1 - tf.reduce_mean(tf.image.ssim(big, x, 1.0))
        loss.backward()
        x.data -= 5.0 * x.grad
    assert float(tf.image.ssim(big, x, 1.0).numpy().mean()) > before + 0.2
