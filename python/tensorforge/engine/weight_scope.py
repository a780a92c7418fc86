"""The name scope a layer's weights are named under (TensorFlow's variable names).

Note [weight names]
~~~~~~~~~~~~~~~~~~~
tf_keras 2 names a variable by the name scopes open when it is made: a layer's own call opens
``<layer>``, so a Dense's kernel is ``dense/kernel:0``; a layer that builds another inside its
build opens that one's name first. Programs print and match ``layer.weights[i].name``, and the
h5 files tf_keras writes hold each weight at that path, so the recurrent layers and wrappers
follow tf_keras 2.21:

    LSTM / GRU / SimpleRNN            lstm/lstm_cell/kernel:0 (gru_cell, simple_rnn_cell)
    RNN(cell)                         rnn/lstm_cell/kernel:0
    RNN([cell, cell])                 rnn/stacked_rnn_cells/lstm_cell/kernel:0
    Bidirectional(LSTM)               bidirectional/forward_lstm/lstm_cell/kernel:0,
                                      bidirectional/backward_lstm/lstm_cell/kernel:0
    TimeDistributed(Dense)            time_distributed/kernel:0 (tf_keras builds the inner
                                      layer without a scope of its own)
    ConvLSTM2D                        conv_lstm2d/kernel:0 (no cell scope in tf_keras either)

``scope(layer, *inner)`` is that stack: outermost, it opens ``layer.name`` then ``inner``;
inside another layer's scope only ``inner`` (the outer layer has named the path already).
``prefix(layer)`` is what a weight made now is named under. Builds run on one thread (model
construction), so the stack is a plain list.
"""
import contextlib

_STACK = []


@contextlib.contextmanager
def scope(layer, *inner):
    """Weights made inside are named ``<outer>/.../<inner>/<weight>:0`` (See Note above)."""
    parts = [p for p in ([] if _STACK else [layer.name]) + list(inner) if p]
    _STACK.extend(parts)
    try:
        yield
    finally:
        del _STACK[len(_STACK) - len(parts):]


def prefix(layer):
    """The name a weight ``layer`` adds now goes under: the open scope, else the layer's name."""
    return "/".join(_STACK) if _STACK else layer.name
