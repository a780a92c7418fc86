"""Keras 2's ``keras.engine.node`` path: KerasTensor and Node live in symbolic/node.py (below the
engine, so the ops and the backend can build graphs without importing it). Kept for programs
that import them from here and for models pickled before the move (their pickles name
``tensorforge.engine.node.KerasTensor``)."""
from ..symbolic.node import (  # noqa: F401
    KerasTensor, Node, flatten, get_source_inputs, is_symbolic, pack_like, symbolic, symbolic_op)
