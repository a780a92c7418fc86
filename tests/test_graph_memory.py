"""What the autograd graph keeps alive (Note [what a node keeps] in autograd/function.py): a first-order
graph (a fit step, the only GradientTape open) holds what the ops' backwards saved, not every
intermediate array; an activation saves the one array its backward reads. Gradients are checked
against NumPy formulas worked out here; no figure comes from the code under test."""
import weakref

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras, ops
from tensorforge.autograd import Tensor, _toposort, keeping_inputs
from tensorforge.higher_order import grad
from tensorforge.ops import activations as A

layers = keras.layers
RNG = np.random.default_rng(7)


def _f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def held_arrays(root):
    """{id: array} of the distinct arrays (their bases) the graph behind ``root`` references:
    the contexts' arrays, the input Tensors' and the args' arrays."""
    held = {}

    def add(a):
        if isinstance(a, Tensor):
            a = a.data
        if isinstance(a, np.ndarray):
            while a.base is not None and isinstance(a.base, np.ndarray):
                a = a.base
            held[id(a)] = a
        elif isinstance(a, (tuple, list)):
            for v in a:
                add(v)

    for node in _toposort(root._node):
        add(list(vars(node.ctx).values()))
        add([t for t in node.inputs if isinstance(t, Tensor)])
        add(list(node.args or ()))
    return held


def _mlp_step():
    x, w, b = _f32(6, 5), _f32(5, 4), _f32(4)
    xt, wt, bt = (Tensor(v, requires_grad=True) for v in (x, w, b))
    h = ops.matmul(xt, wt)
    z = h + bt
    a = A.relu(z)
    return (x, w, b), (xt, wt, bt), h, z, a, ops.sum(a * a)


def _mlp_grads(x, w, b):
    z = x @ w + b
    dz = 2 * np.maximum(z, 0) * (z > 0)
    return dz @ w.T, x.T @ dz, dz.sum(0)


def test_only_tape_frees_intermediates_and_keeps_the_gradient():
    with tf.GradientTape() as tape:
        (x, w, b), leaves, h, z, a, loss = _mlp_step()
    refs = weakref.ref(h.data), weakref.ref(z.data)
    del h, z  # add saves nothing, relu its output: nothing else holds them
    assert [r() is None for r in refs] == [True, True]
    got = tape.gradient(loss, list(leaves))
    for g, want in zip(got, _mlp_grads(x, w, b)):
        np.testing.assert_allclose(g.numpy(), want, rtol=1e-5, atol=1e-6)


def test_outside_tapes_the_graph_keeps_its_inputs_for_second_derivatives():
    (x, w, b), leaves, h, z, a, loss = _mlp_step()
    refs = weakref.ref(h.data), weakref.ref(z.data)
    del h, z
    assert [r() is None for r in refs] == [False, False]  # node.args: create_graph may follow
    loss.backward()
    for t, want in zip(leaves, _mlp_grads(x, w, b)):
        np.testing.assert_allclose(t.grad, want, rtol=1e-5, atol=1e-6)


def test_second_derivative_through_a_first_order_graph_names_the_op():
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    with tf.GradientTape():
        y = ops.sum(x * x * x)
    with pytest.raises(RuntimeError, match="second derivative through Sum: the op was recorded "
                                           "without keeping its inputs"):
        grad(y, [x], create_graph=True)
    x2 = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    with tf.GradientTape() as outer:  # nested tapes keep them: d2/dx2 sum(x^3) = 6x
        with tf.GradientTape() as inner:
            y2 = ops.sum(x2 * x2 * x2)
        g = inner.gradient(y2, x2)
        s = ops.sum(g)
    np.testing.assert_allclose(outer.gradient(s, x2).numpy(), 6 * x2.numpy())


@pytest.mark.parametrize("kind,alpha,saves", [
    ("relu", 0.0, "y"), ("relu6", 6.0, "y"), ("leaky_relu", 0.3, "y"), ("leaky_relu", -0.5, "x"),
    ("elu", 1.0, "y"), ("elu", -0.5, "xy"), ("selu", 0.0, "y"), ("sigmoid", 0.0, "y"),
    ("tanh", 0.0, "y"), ("gelu", 0.0, "x"), ("swish", 0.0, "x"), ("softplus", 0.0, "x"),
    ("hard_sigmoid", 0.0, "x"), ("relu_max", 2.0, "x")])
def test_activation_saves_what_its_backward_reads_and_its_gradient_holds(kind, alpha, saves):
    from math import erf
    xs = np.array([-3.0, -1.0, -0.2, 0.3, 1.5, 2.5, 5.9, 6.5], np.float32)
    x = Tensor(xs, requires_grad=True)
    y = A._Act.apply(x, kind, alpha)
    kept = y._node.ctx.saved
    assert [a is (y.data if c == "y" else x.data) for a, c in zip(kept, saves)] == \
        [True] * len(saves) and len(kept) == len(saves)
    ops.sum(y * Tensor(np.arange(1, 9, dtype=np.float32))).backward()
    e, s = np.exp(xs.astype(np.float64)), 1 / (1 + np.exp(-xs.astype(np.float64)))
    cdf = 0.5 * (1 + np.array([erf(v / np.sqrt(2)) for v in xs]))
    pdf = np.exp(-0.5 * xs.astype(np.float64) ** 2) / np.sqrt(2 * np.pi)
    sa, ss = 1.6732632423543772, 1.0507009873554805
    d = {"relu": xs > 0, "relu6": (xs > 0) & (xs < 6), "leaky_relu": np.where(xs > 0, 1, alpha),
         "elu": np.where(xs > 0, 1, alpha * e), "selu": np.where(xs > 0, ss, ss * sa * e),
         "sigmoid": s * (1 - s), "tanh": 1 - np.tanh(xs.astype(np.float64)) ** 2,
         "gelu": cdf + xs * pdf, "swish": s * (1 + xs * (1 - s)), "softplus": s,
         "hard_sigmoid": np.where(np.abs(xs) < 2.5, 0.2, 0.0),
         "relu_max": (xs > 0) & (xs <= alpha)}[kind]
    np.testing.assert_allclose(x.grad, d * np.arange(1, 9), rtol=2e-5, atol=1e-6)


def _dense_relu_dense():
    tf.utils.set_random_seed(3)
    return keras.Sequential([layers.Dense(16, input_shape=(8,)), layers.Activation("relu"),
                             layers.Dense(4)])


def test_graph_of_a_known_model_holds_its_input_and_the_relu_output_only():
    model = _dense_relu_dense()
    x = tf.convert_to_tensor(_f32(32, 8))
    weights = {id(w.data) for w in model.weights}
    with tf.GradientTape():
        out = model(x, training=True)
    held = {k: v for k, v in held_arrays(out).items() if k not in weights}
    relu_out = out._node.ctx.saved[0]  # the second Dense's input
    assert set(held) == {id(x.data), id(relu_out)}
    assert sum(a.nbytes for a in held.values()) == 32 * 8 * 4 + 32 * 16 * 4
    with tf.GradientTape(), keeping_inputs():  # kept inputs: the first Dense's output (the
        out = model(x, training=True)  # pre-activation) besides
    held = {k: v for k, v in held_arrays(out).items() if k not in weights}
    assert sum(a.nbytes for a in held.values()) == 32 * 8 * 4 + 2 * 32 * 16 * 4


def test_fit_step_with_k_gradients_in_its_loss_runs_once_keeping_inputs():
    """A loss taking K.gradients wants the graph's second derivatives: the first-order step
    runs again keeping the inputs, its BatchNormalization's moving mean updated once."""
    K = keras.backend
    inp = keras.Input((3,))
    bn = layers.BatchNormalization()
    out = layers.Dense(1)(bn(inp))
    model = keras.Model(inp, out)

    def loss(y_true, y_pred):
        g = K.gradients(y_pred, inp)[0]
        return K.mean(K.square(y_pred - y_true)) + K.mean(K.square(g))

    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss)
    x = np.array([[1.0, 2.0, 3.0], [3.0, 0.0, -1.0]], np.float32)
    model.train_on_batch(x, np.zeros((2, 1), np.float32))
    assert model.__dict__["_keeps_inputs"] is True
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.01 * x.mean(0), rtol=1e-6)
    plain = keras.Sequential([layers.Dense(1, input_shape=(3,))])
    plain.compile(optimizer="sgd", loss="mse")
    plain.train_on_batch(x, np.zeros((2, 1), np.float32))
    assert plain.__dict__["_keeps_inputs"] is False
