"""Shared by the tests that evaluate recorded TensorFlow expressions (test_tf_ops.py,
test_tf_image_ops.py, test_tf_numeric14.py): the recorded cases and arrays, the gradient
weights the recording scripts (tools/gen_tf_*_refs.py) used, and the check of one case."""
import json
import os

import numpy as np


def load(name):
    """(cases, arrays, inputs) of tests/data/<name>.json / .npz."""
    base = os.path.join(os.path.dirname(__file__), "data", name)
    with open(base + ".json") as f:
        cases = json.load(f)["cases"]
    arrays = np.load(base + ".npz")
    return cases, arrays, {k[3:]: arrays[k] for k in arrays.files if k.startswith("in/")}


def weights(shape):
    """cos(arange(size)) in ``shape``: the loss weights of the recorded gradients."""
    n = int(np.prod(shape)) if len(shape) else 1
    return np.cos(np.arange(n, dtype=np.float64)).reshape(shape)


def flat(out):
    if isinstance(out, (list, tuple)):
        return [a for o in out for a in flat(o)]
    return [out]


def check_case(tf, case, meta, ref, inputs, flat_fn=flat, rtol=2e-5, atol=2e-6,
               grad_rtol=1e-4, grad_atol=1e-5):
    """Evaluate recorded case ``case`` (its expression, with ``tf`` and the recorded inputs;
    ``meta["wrt"]`` the input whose gradient was recorded) and compare every output's value and
    dtype, and that gradient, with TensorFlow's."""
    from tensorforge.autograd import Tensor
    env = {k: tf.constant(v) for k, v in inputs.items()}
    wrt = meta["wrt"]
    if wrt:
        env[wrt] = Tensor(inputs[wrt].copy(), requires_grad=True)
    env.update(tf=tf, np=np)
    outs = flat_fn(eval(meta["expr"], env))  # noqa: S307 -- the recorded expressions
    assert len(outs) == len(meta["dtypes"]), case
    loss = None
    for j, (o, dt, py) in enumerate(zip(outs, meta["dtypes"], meta["python"])):
        want = ref[f"{case}/out{j}"]
        if py:
            assert not isinstance(o, Tensor) and o == want, (case, j)
            continue
        assert isinstance(o, Tensor), (case, j, type(o))
        got = o.numpy()
        if got.dtype == object and dt != "object":  # strings recorded as bytes
            got = got.astype(bytes)
        assert got.dtype == np.dtype(dt), (case, j, got.dtype, dt)
        assert got.shape == want.shape, (case, j, got.shape, want.shape)
        if got.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"{case} out{j}")
            if wrt:
                term = (o * Tensor(weights(o.shape).astype(got.dtype))).sum()
                loss = term if loss is None else loss + term
        else:
            np.testing.assert_array_equal(got, want, err_msg=f"{case} out{j}")
    if wrt:
        want = ref[f"{case}/grad"]
        if loss is None or not loss.requires_grad:
            assert not want.any(), case
            return
        loss.backward()
        g = env[wrt].grad
        got = np.zeros_like(want) if g is None else g
        np.testing.assert_allclose(got, want, rtol=grad_rtol, atol=grad_atol,
                                   err_msg=f"{case} gradient")
