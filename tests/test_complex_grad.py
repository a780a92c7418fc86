"""Gradients through complex tensors against TensorFlow 2.21's (recorded by
tools/gen_complex_grad_refs.py over the cases of tests/complex_grad_cases.py)."""
import os

import numpy as np
import pytest

import tensorforge as tf
import complex_grad_cases as C

REF = np.load(os.path.join(os.path.dirname(__file__), "data", "complex_grad_refs.npz"))


@pytest.mark.parametrize("name", sorted(C.CASES))
def test_gradient_through_complex_matches_tensorflow(name):
    loss, ga, gb = C.run(tf, name)
    np.testing.assert_allclose(loss, REF[f"{name}/loss"], rtol=2e-5, atol=2e-5)
    for k, g in (("a", ga), ("b", gb)):
        key = f"{name}/d{k}"
        if key not in REF.files:
            assert g is None, (name, k)
            continue
        assert g is not None, f"{name}: no gradient reached {k}"
        assert g.dtype == np.float32, (name, k, g.dtype)
        np.testing.assert_allclose(g, REF[key], rtol=1e-4, atol=1e-5, err_msg=f"{name} d{k}")


def _fd_check(f, x0):
    """The tape's gradient of the real loss f(x) at the float64 point x0 against central
    differences."""
    x = tf.Variable(x0, dtype=tf.float64)
    with tf.GradientTape() as tape:
        loss = f(x)
    g = tape.gradient(loss, x).numpy()
    assert g.dtype == np.float64
    h = 1e-6
    fd = np.empty_like(x0)
    for i in range(x0.size):
        e = np.zeros_like(x0)
        e.flat[i] = h
        fd.flat[i] = (float(f(tf.constant(x0 + e, dtype=tf.float64)).numpy()) -
                      float(f(tf.constant(x0 - e, dtype=tf.float64)).numpy())) / (2 * h)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


FD_CASES = {
    # odd and even lengths, cropping and padding fft_length, 2-D, the inverse STFT
    "rfft_pad": lambda x: tf.reduce_sum(tf.abs(tf.signal.rfft(x, fft_length=[13])) * 0.7),
    "rfft_crop": lambda x: tf.reduce_sum(tf.square(tf.abs(tf.signal.rfft(x, fft_length=[8])))),
    "irfft_even": lambda x: tf.reduce_sum(tf.signal.irfft(tf.complex(x[:7], x[5:])) * x[:12]),
    "irfft_crop": lambda x: tf.reduce_sum(tf.square(tf.signal.irfft(tf.complex(x[:7], x[5:]),
                                                                    fft_length=[6]))),
    "rfft2d": lambda x: tf.reduce_sum(tf.abs(tf.signal.rfft2d(tf.reshape(x, (3, 4)),
                                                              fft_length=[4, 5]))),
    "irfft2d": lambda x: tf.reduce_sum(tf.signal.irfft2d(tf.complex(
        tf.reshape(x, (4, 3)), tf.reshape(x[::-1], (4, 3)))) * tf.reshape(x[:8], (4, 2))[0, 0]),
    "fft3d": lambda x: tf.reduce_sum(tf.abs(tf.signal.fft3d(tf.reshape(tf.complex(x, x[::-1]),
                                                                       (2, 3, 2))))),
    "inverse_stft": lambda x: tf.reduce_sum(tf.square(tf.signal.inverse_stft(
        tf.complex(tf.reshape(x, (3, 4)), tf.reshape(x * 0.5, (3, 4))), 6, 3, fft_length=6))),
    "adjoint_matmul": lambda x: tf.reduce_sum(tf.abs(tf.matmul(
        tf.reshape(tf.complex(x, x * x), (3, 4)), tf.reshape(tf.complex(x[::-1], x), (3, 4)),
        adjoint_b=True))),
    "angle_sigmoid": lambda x: tf.reduce_sum(tf.math.angle(tf.sigmoid(tf.complex(x, x - 0.3)))),
}


@pytest.mark.parametrize("name", sorted(FD_CASES))
def test_complex_gradient_equals_central_differences(name):
    x0 = np.cos(np.arange(12) * 1.3) + 0.2
    _fd_check(FD_CASES[name], x0)


def test_adjoint_conjugates_a_complex_operand():
    a = np.array([[1 + 2j, 3 - 1j], [0.5j, 2]], np.complex64)
    b = np.array([[2 - 1j, 1j], [1, 1 + 1j]], np.complex64)
    got = tf.matmul(tf.constant(a), tf.constant(b), adjoint_a=True).numpy()
    np.testing.assert_allclose(got, a.conj().T @ b, rtol=1e-6)


def test_real_activations_refuse_complex_values():
    z = tf.complex(tf.constant([1.0, -2.0]), tf.constant([0.5, 1.0]))
    with pytest.raises(TypeError, match=r"relu: x must be real, got complex64 with shape \(2,\)"):
        tf.nn.relu(z)
    np.testing.assert_allclose(tf.tanh(z).numpy(), np.tanh(z.numpy()), rtol=1e-6)
    with pytest.raises(ValueError, match=r"tf.complex: real \(2,\) and imag \(3,\) do not"):
        tf.complex(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0, 3.0]))


@pytest.mark.parametrize("op", ["nn.gelu", "nn.leaky_relu", "nn.selu", "nn.swish",
                                "math.erf", "math.softsign", "math.cumprod",
                                "math.log_softmax"])
def test_real_only_ops_refuse_complex_values(op):
    # each used to cast to float32, silently dropping the imaginary part
    fn = tf
    for part in op.split("."):
        fn = getattr(fn, part)
    z = tf.complex(tf.constant([1.0, -2.0, 3.0]), tf.constant([0.5, 1.0, -1.0]))
    with pytest.raises(TypeError, match=r"must be real, got complex64 with shape \(3,\)"):
        fn(z)


def test_norm_of_complex_values_is_complex_as_tensorflow():
    z = tf.complex(tf.constant([3.0, 0.0]), tf.constant([4.0, 12.0]))
    n = tf.norm(z)
    assert n.dtype == np.complex64
    np.testing.assert_allclose(n.numpy(), 13.0, rtol=1e-6)
    n1 = tf.norm(z, ord=1)
    assert n1.dtype == np.float32
    np.testing.assert_allclose(n1.numpy(), 17.0, rtol=1e-6)
