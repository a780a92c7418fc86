"""Keras 2.1-2.2's ``CuDNNLSTM`` / ``CuDNNGRU`` (keras.layers.cudnn_recurrent).

They are the LSTM and the GRU (reset_after=True) of cuDNN: tanh / sigmoid, no dropout, no
masking, and two biases, the input's and the recurrent one's, kept as one weight (LSTM (8 U,),
GRU (6 U,), the input half first; the LSTM's unit_forget_bias puts the ones in the recurrent
half). Keras ran them only on an NVIDIA GPU (tf_keras 2.21's raise "Could not find device for
node CudnnRNNV3" on a CPU); here they run the fused LSTM / GRU kernels of either backend, so a
program written for a GPU of 2018 runs anywhere, and its weights (files included) are Keras'.

Note [cuDNN weight layout]: every Keras version hands cuDNN each gate's kernel block (F, U)
flattened as it lies in memory, which cuDNN reads as its (U, F) matrix W: the gate's input term
is ``x @ reshape(kernel_g, (U, F)).T``, not ``x @ kernel_g``; the recurrent block (U, U) read so
is its transpose (``h @ recurrent_kernel_g.T``). So the fused kernels get those matrices, and
the biases summed (LSTM) or side by side (GRU, (2, 3 U)): the conversion Keras' own
``preprocess_weights_for_loading`` applies between the cuDNN and the plain layers
(saving/weights.py does it for files).
"""
import numpy as np

from ..ops import basic as B
from .recurrent import GRU, LSTM

__all__ = ["CuDNNLSTM", "CuDNNGRU"]

# tf.keras' LSTM / GRU arguments a cuDNN layer does not take (nor writes in its config)
_NOT_CUDNN = ("activation", "recurrent_activation", "use_bias", "dropout", "recurrent_dropout",
              "implementation", "unroll", "reset_after")


class _CuDNN:
    _cell_name = None  # Keras 2.2's cuDNN layers have no cell: "cu_dnnlstm/kernel:0"

    def __init__(self, units, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        super().__init__(units, kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, return_sequences=return_sequences,
                         return_state=return_state, go_backwards=go_backwards, stateful=stateful,
                         **kwargs)
        self.supports_masking = False

    def call(self, x, training=False, mask=None, initial_state=None):
        if mask is not None:
            raise ValueError(f"{self.name}: Masking is not supported for CuDNN RNNs.")
        return super().call(x, training=training, initial_state=initial_state)

    def get_config(self):
        return {k: v for k, v in super().get_config().items() if k not in _NOT_CUDNN}

    def _plain_kernels(self):
        """The kernel and recurrent kernel as the plain layer's (Note [cuDNN weight layout]),
        as whole-array reshapes and transposes (each gate's block at once; C-contiguous, as the
        fused kernels take them)."""
        U, G = self.units, self._gates
        F = self.kernel.shape[0]
        k = B.transpose(B.reshape(self.kernel, (F, G, U)), (1, 0, 2))  # (G, F, U): the blocks
        k = B.transpose(B.reshape(k, (G, U, F)), (2, 0, 1))  # each read as (U, F), transposed
        r = B.transpose(B.reshape(self.recurrent_kernel, (U, G, U)), (2, 1, 0))
        return B.reshape(k, (F, G * U)), B.reshape(r, (U, G * U))


class CuDNNLSTM(_CuDNN, LSTM):
    """The cuDNN LSTM: bias (8 U,) = input bias, then recurrent bias."""

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        super().__init__(units, unit_forget_bias=unit_forget_bias, **kwargs)

    def _bias_shape(self):
        return (8 * self.units,)

    def _bias_init(self, shape, dtype=np.float32):
        U = self.units
        b = self.bias_initializer((8 * U,), dtype)
        if self.unit_forget_bias:  # Keras: init(5 U), ones(U), init(2 U)
            b = np.concatenate([self.bias_initializer((5 * U,), dtype), np.ones(U, dtype),
                                self.bias_initializer((2 * U,), dtype)])
        return b

    def _run(self, x, mask, h0=None, c0=None):
        from .. import ops as _ops
        U = self.units
        bias = B.add(B.getitem(self.bias, slice(0, 4 * U)), B.getitem(self.bias, slice(4 * U, 8 * U)))
        kernel, recurrent_kernel = self._plain_kernels()
        return _ops.lstm(x, kernel, recurrent_kernel, bias, h0=h0, c0=c0, mask=mask,
                         go_backwards=self.go_backwards, activation=self.activation,
                         recurrent_activation=self.recurrent_activation)


class CuDNNGRU(_CuDNN, GRU):
    """The cuDNN GRU: tf.keras' GRU(reset_after=True) with its (2, 3 U) bias kept flat (6 U,)."""

    def __init__(self, units, **kwargs):
        super().__init__(units, reset_after=True, **kwargs)

    def _bias_shape(self):
        return (6 * self.units,)

    def _run(self, x, mask, h0=None):
        from .. import ops as _ops
        bias = B.reshape(self.bias, (2, 3 * self.units))
        kernel, recurrent_kernel = self._plain_kernels()
        return _ops.gru(x, kernel, recurrent_kernel, bias, h0=h0, mask=mask,
                        go_backwards=self.go_backwards, reset_after=True,
                        activation=self.activation,
                        recurrent_activation=self.recurrent_activation)
