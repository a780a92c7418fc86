"""The TensorFlow op each Python operator of a KerasTensor records (tf_keras 2's TFOpLambda
``function`` of ``x + y``, ``-x``, ``x[0]``): the graph's tensors take these names from here, and
engine/tf_op_lambda.py records the layer. Imports nothing: KerasTensor (symbolic/node.py) stands
below the engine and reads it.
"""


def operator_symbol(name):
    """The op a KerasTensor's Python operator records: (symbol, reflected)."""
    return _DUNDERS[name]


_DUNDERS = {
    "__add__": ("__operators__.add", False), "__radd__": ("__operators__.add", True),
    "__sub__": ("math.subtract", False), "__rsub__": ("math.subtract", True),
    "__mul__": ("math.multiply", False), "__rmul__": ("math.multiply", True),
    "__truediv__": ("math.truediv", False), "__rtruediv__": ("math.truediv", True),
    "__floordiv__": ("compat.v1.floor_div", False), "__rfloordiv__": ("compat.v1.floor_div", True),
    "__mod__": ("math.floormod", False), "__rmod__": ("math.floormod", True),
    "__pow__": ("math.pow", False), "__rpow__": ("math.pow", True),
    "__matmul__": ("linalg.matmul", False), "__rmatmul__": ("linalg.matmul", True),
    "__gt__": ("math.greater", False), "__lt__": ("math.less", False),
    "__ge__": ("math.greater_equal", False), "__le__": ("math.less_equal", False),
}
UNARY = {"__neg__": "math.negative", "__abs__": "math.abs"}
OPERATORS = (*_DUNDERS, *UNARY, "__getitem__")  # KerasTensor's operators that record a TF op
