"""Symbolic tensors: the graph a functional model is built from, below the engine.

  node.py        KerasTensor (a placeholder tensor), Node (one layer call), flatten / pack_like,
                 symbolic_op (an op on KerasTensors records a layer)
  operators.py   the TensorFlow op each Python operator of a KerasTensor records

The ops and the Keras backend (backend_ops/graph_ops.py, tf_session.py, tf_array.py) build on
these without importing the engine: the engine fills in the layers they record (``node.ENGINE``,
``node._OP_LAYER``, ``node._TF_OPERATOR``) when it is imported. This package imports nothing
itself, so importing one of its modules pulls in only what that module needs.
"""
