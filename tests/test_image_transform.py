"""The projective image transform kernel (csrc/cpu/image_transform.cpp) against its NumPy
reference (reference/image.py), which tests/test_preprocessing_image.py checks against
tf_keras's figures; and its argument errors. Same float32 arithmetic on both sides: the results
are expected bit-identical, also at half-pixel 'nearest' reads."""
import numpy as np
import pytest

from tensorforge import image_ops, kernels, reference

MODES = [(f, i) for f in ("reflect", "wrap", "constant", "nearest") for i in ("nearest", "bilinear")]


def _transforms(rng, kind, N, H, W):
    if kind == "rotation":
        return image_ops.rotation_matrix(rng.uniform(-3.2, 3.2, N), H, W)
    if kind == "zoom":
        return image_ops.zoom_matrix(rng.uniform(0.3, 1.8, (N, 2)).astype(np.float32), H, W)
    if kind == "half_pixel":  # translations by half pixels: 'nearest' rounds halves away from 0
        return image_ops.translation_matrix(rng.integers(-8, 9, (N, 2)) / np.float32(2))
    scale = np.array([1, 1, 4, 1, 1, 4, 0.05, 0.05], np.float32)  # projective, some k near 0
    return (rng.standard_normal((N, 8)) * scale).astype(np.float32)


@pytest.mark.parametrize("fill_mode,interpolation", MODES)
@pytest.mark.parametrize("kind", ["rotation", "zoom", "half_pixel", "projective"])
def test_kernel_matches_reference_bit_for_bit(backend, fill_mode, interpolation, kind):
    rng = np.random.default_rng(abs(hash((fill_mode, interpolation, kind))) % 2 ** 32)
    for shape in [(3, 7, 5, 3), (1, 1, 4, 2), (2, 16, 16, 1), (2, 9, 1, 4)]:
        x = rng.standard_normal(shape).astype(np.float32)
        t = np.ascontiguousarray(_transforms(rng, kind, shape[0], shape[1], shape[2]), np.float32)
        for out in [(shape[1], shape[2]), (5, 11), (0, 3)]:
            got = kernels.image_transform(x, t, fill_mode, -0.5, interpolation, *out)
            want = reference.image_transform(x, t, fill_mode, -0.5, interpolation, *out)
            assert got.shape == (shape[0],) + out + (shape[3],)
            np.testing.assert_array_equal(got, want)


def test_a_nan_point_reads_fill_or_gives_nan_as_tensorflow(backend):
    """A NaN point is outside the image: 'nearest' reads fill_value; 'bilinear' weighs the fill
    values by NaN weights (TensorFlow's arithmetic): NaN. The other image is untouched."""
    x = np.ones((2, 4, 4, 2), np.float32)
    t = np.zeros((2, 8), np.float32)
    t[0, 2] = np.nan  # every point of image 0 NaN
    t[:, 0] = t[:, 4] = 1.0
    near = kernels.image_transform(x, t, "constant", 7.0, "nearest", 4, 4)
    assert (near[0] == 7.0).all()
    bil = kernels.image_transform(x, t, "constant", 7.0, "bilinear", 4, 4)
    assert np.isnan(bil[0]).all()
    for out in (near, bil):
        np.testing.assert_array_equal(out[1], x[1])


def test_bad_arguments_name_the_op(backend):
    x = np.zeros((2, 4, 4, 3), np.float32)
    t = np.zeros((2, 8), np.float32)
    with pytest.raises(ValueError, match=r"image_transform: transforms must have shape \(2, 8\)"):
        kernels.image_transform(x, t[:1], "reflect", 0.0, "bilinear", 4, 4)
    with pytest.raises(ValueError, match="image_transform: unknown fill_mode 'mirror'"):
        kernels.image_transform(x, t, "mirror", 0.0, "bilinear", 4, 4)
    with pytest.raises(ValueError, match="image_transform: unknown interpolation 'cubic'"):
        kernels.image_transform(x, t, "reflect", 0.0, "cubic", 4, 4)
    with pytest.raises(ValueError, match="image_transform: out_h must be an int >= 0"):
        kernels.image_transform(x, t, "reflect", 0.0, "bilinear", -1, 4)
    with pytest.raises(TypeError, match="image_transform: images"):
        kernels.image_transform(x.astype(np.float64), t, "reflect", 0.0, "bilinear", 4, 4)
    with pytest.raises(ValueError, match="image_transform: images"):
        kernels.image_transform(x[0], t, "reflect", 0.0, "bilinear", 4, 4)
