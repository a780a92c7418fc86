"""Keras 2's ``keras.mixed_precision``: Policy, set_global_policy, global_policy.

tensorforge's kernels compute in float32 and float64 (float64 on the NumPy reference: Note
[float64 kernels] in kernels/_common.py); it has no float16 or bfloat16 kernels. So:
  - 'float32' is the policy every layer follows, as it is Keras' default; 'float64' (also what
    the global policy is after K.set_floatx('float64'), as in Keras 2) gives float64 weights,
    inputs autocast to float64 and float64 arithmetic;
  - 'mixed_float16' and 'mixed_bfloat16' are accepted (programs written for GPUs set them, and
    their saved configs name them), but layers keep computing in float32: the policy says so
    (``compute_dtype`` is 'float32', not the float16 Keras would report) and a warning says it
    once. Results are float32's, which differ from float16 runs by float16's rounding;
  - 'float16' and 'bfloat16' policies are refused: no layer could honour them.
A model trained under a mixed policy needs no loss scaling here (float32 gradients do not
underflow where float16 ones would); LossScaleOptimizer (optimizers/loss_scale.py) keeps
tf_keras 2's behaviour for the programs written around it.
"""
import warnings

__all__ = ["Policy", "set_global_policy", "global_policy", "LossScaleOptimizer"]

_MIXED = ("mixed_float16", "mixed_bfloat16")
_KNOWN = ("float32", "float64", "_infer") + _MIXED
_warned = set()


class Policy:
    """A dtype policy: ``name``, ``compute_dtype`` (what layers compute in here) and
    ``variable_dtype`` (what their weights are kept in). See the module docstring for the
    mixed policies."""

    def __init__(self, name):
        if isinstance(name, Policy):
            name = name.name
        if not isinstance(name, str):
            raise TypeError(f"Policy: name must be a string, got {type(name).__name__}")
        if name in ("float16", "bfloat16"):
            raise ValueError(f"Policy: {name!r} is not supported by tensorforge: its layers "
                             "compute in float32 or float64 (no float16 / bfloat16 kernels); use "
                             "'float32', 'float64', or 'mixed_float16' / 'mixed_bfloat16' "
                             "(which compute in float32 here)")
        if name not in _KNOWN:
            raise ValueError(f"Policy: cannot convert value {name!r} to a mixed precision "
                             f"Policy; known: {', '.join(_KNOWN)}")
        if name in _MIXED and name not in _warned:
            _warned.add(name)
            warnings.warn(f"mixed precision policy {name!r}: tensorforge has no "
                          f"{name[6:]} kernels, so layers compute in float32 (compute_dtype "
                          "'float32'): the same model, float32's results, no speed-up",
                          stacklevel=2)
        self._name = name

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        return None if self._name == "_infer" else "float64" if self._name == "float64" \
            else "float32"

    @property
    def variable_dtype(self):
        return self.compute_dtype

    def __repr__(self):
        return f'<Policy "{self._name}">'

    def __eq__(self, other):
        return isinstance(other, Policy) and other.name == self.name

    def __hash__(self):
        return hash(self._name)

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


_global = [None]  # None: Policy(floatx()), as Keras 2's global policy before one is set


def global_policy():
    """The policy layers made from now on follow (Keras 2: the one set, else floatx's)."""
    if _global[0] is not None:
        return _global[0]
    from .backend_config import floatx  # (imports nothing)
    return Policy(floatx())


def set_global_policy(policy):
    """Set the global policy: a Policy, a policy name, or None (back to floatx's)."""
    _global[0] = None if policy is None else policy if isinstance(policy, Policy) \
        else Policy(policy)


def __getattr__(name):
    """LossScaleOptimizer, loaded on first use (it builds on the optimizers, which the layers
    importing this module do not need)."""
    if name == "LossScaleOptimizer":
        import importlib
        return importlib.import_module("tensorforge.optimizers.loss_scale").LossScaleOptimizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
