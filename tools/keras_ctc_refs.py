"""Figures of Keras 2's CTC backend functions for tests/test_ctc.py, printed as Python literals.

    /work/keras-venv/bin/python tools/keras_ctc_refs.py      # tf_keras's figures
    python3 tools/keras_ctc_refs.py --torch                   # PyTorch's (torch installed)

Inputs (the test rebuilds them the same way): y_pred = softmax of default_rng(7).normal((3, 8, 5))
in float32; labels [[0, 1, 1, 2], [3, 3, 0, 0], [2, 0, 1, 3]] with label_length [4, 2, 3];
input_length [8, 6, 7]. Printed: tf_keras.backend.ctc_batch_cost's (3, 1) losses, its gradient
(of the summed losses) with respect to y_pred at sample 0 steps 0 and 3 and sample 2 step 6, and
ctc_decode(greedy=True)'s dense paths and log-probabilities for a peaked y_pred, and
ctc_decode(greedy=False)'s (beam search) for beam_inputs() and repeat_inputs().
"""
import numpy as np


def inputs():
    z = np.random.default_rng(7).normal(size=(3, 8, 5)).astype(np.float32)
    e = np.exp(z - z.max(-1, keepdims=True))
    y_pred = (e / e.sum(-1, keepdims=True)).astype(np.float32)
    labels = np.array([[0, 1, 1, 2], [3, 3, 0, 0], [2, 0, 1, 3]], dtype=np.float32)
    return y_pred, labels, np.array([[8], [6], [7]]), np.array([[4], [2], [3]])


def main():
    import tensorflow as tf
    import tf_keras as keras
    y_pred, labels, il, ll = inputs()
    p = tf.Variable(y_pred)
    with tf.GradientTape() as tape:
        loss = keras.backend.ctc_batch_cost(labels, p, il, ll)
        total = tf.reduce_sum(loss)
    g = tape.gradient(total, p).numpy()
    print("LOSS =", np.round(loss.numpy()[:, 0].astype(np.float64), 6).tolist())
    print("GRAD_0_0 =", np.round(g[0, 0].astype(np.float64), 6).tolist())
    print("GRAD_0_3 =", np.round(g[0, 3].astype(np.float64), 6).tolist())
    print("GRAD_2_6 =", np.round(g[2, 6].astype(np.float64), 6).tolist())
    peaked = np.log(y_pred) * 4.0
    e = np.exp(peaked - peaked.max(-1, keepdims=True))
    peaked = (e / e.sum(-1, keepdims=True)).astype(np.float32)
    np.save("/tmp/c6/peaked.npy", peaked)
    dec, logp = keras.backend.ctc_decode(peaked, input_length=np.array([8, 5, 7]), greedy=True)
    print("DECODED =", dec[0].numpy().tolist())
    print("LOG_PROB =", np.round(logp.numpy().astype(np.float64), 5).tolist())


def torch_inputs():
    """A larger case for PyTorch's ctc_loss: logits (T=12, B=5, C=7), repeats, an empty label."""
    rng = np.random.default_rng(11)
    logits = rng.normal(size=(12, 5, 7))
    labels = np.array([[0, 1, 2, 3, 4], [2, 2, 2, 1, 0], [5, 4, 5, 4, 5], [1, 0, 0, 0, 0],
                       [3, 3, 0, 0, 0]])
    return logits, labels, np.array([12, 11, 12, 7, 5]), np.array([5, 3, 5, 0, 2])


def torch_main():
    """PyTorch's ctc_loss (blank = C - 1, reduction 'none') of log_softmax(logits), and the
    gradient of the summed losses with respect to the logits at step 4 of sample 1."""
    import torch
    logits, labels, il, ll = torch_inputs()
    x = torch.tensor(logits, requires_grad=True)
    loss = torch.nn.functional.ctc_loss(x.log_softmax(-1), torch.tensor(labels), torch.tensor(il),
                                        torch.tensor(ll), blank=6, reduction="none")
    loss.sum().backward()
    print("TORCH_LOSS =", np.round(loss.detach().numpy(), 8).tolist())
    print("TORCH_GRAD_4_1 =", np.round(x.grad.numpy()[4, 1], 8).tolist())



def beam_inputs():
    """Softmax outputs for the beam-search figures: (3, 7, 4), a few steps nearly tied."""
    z = np.random.default_rng(13).normal(size=(3, 7, 4)).astype(np.float32) * 1.5
    e = np.exp(z - z.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def repeat_inputs():
    """A peaked (1, 5, 4) input whose best path is 0 * 0 1 1 (blank 3): two 0s across a blank."""
    p = np.full((1, 5, 4), 0.02, dtype=np.float32)
    p[0, np.arange(5), [0, 3, 0, 1, 1]] = 0.94
    return p


def beam_main():
    import tf_keras as keras
    dec, logp = keras.backend.ctc_decode(repeat_inputs(), input_length=np.array([5]),
                                         greedy=False, beam_width=10, top_paths=2)
    print("REPEAT_DECODED =", [d.numpy().tolist() for d in dec])
    print("REPEAT_LOG_PROB =", np.round(logp.numpy().astype(np.float64), 5).tolist())
    dec, logp = keras.backend.ctc_decode(beam_inputs(), input_length=np.array([7, 5, 6]),
                                         greedy=False, beam_width=5, top_paths=3)
    print("BEAM_DECODED =", [d.numpy().tolist() for d in dec])
    print("BEAM_LOG_PROB =", np.round(logp.numpy().astype(np.float64), 5).tolist())


if __name__ == "__main__":
    import sys
    torch_main() if "--torch" in sys.argv else (main(), beam_main())
