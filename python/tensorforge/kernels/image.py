"""The projective image transform's entry point: validate, then call the current backend's kernel
(formulas: reference/image.py; native: csrc/cpu/image_transform.cpp). float32 images only (the
image layers cast to it first); the cpu backend calls the binding first, which checks every
argument itself; where it refuses, the Python path explains."""
import numpy as np

from .. import _dispatch as backend
from ._common import NATIVE_MODULE, check_array, check_output_size, contiguous, shape_str

_current = backend._current.get

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def check_modes(op, fill_mode, interpolation):
    """A ValueError naming ``op`` for a fill mode or an interpolation the transform lacks."""
    if fill_mode not in FILL_MODES:
        raise ValueError(f"{op}: unknown fill_mode {fill_mode!r}; expected one of "
                         f"{', '.join(map(repr, FILL_MODES))}")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"{op}: unknown interpolation {interpolation!r}; expected one of "
                         f"{', '.join(map(repr, INTERPOLATIONS))}")


def image_transform(images, transforms, fill_mode, fill_value, interpolation, out_h, out_w):
    """(N, out_h, out_w, C) float32: ``images`` (N, H, W, C) float32 resampled through one
    projective row of ``transforms`` (N, 8) float32 per image."""
    op = "image_transform"
    fn = _current(op)
    if getattr(fn, "__module__", None) == NATIVE_MODULE and type(fill_value) is float and \
            type(out_h) is int and type(out_w) is int:
        try:
            return fn(images, transforms, fill_mode, fill_value, interpolation, out_h, out_w)
        except (TypeError, ValueError):
            pass
    check_array(op, "images", images, 4, "(N, H, W, C)", dtypes=(np.float32,), allow_empty=True)
    check_array(op, "transforms", transforms, 2, "(N, 8)", dtypes=(np.float32,), allow_empty=True)
    if transforms.shape != (images.shape[0], 8):
        raise ValueError(f"{op}: transforms must have shape ({images.shape[0]}, 8) (one row per "
                         f"image of images {shape_str(images.shape)}), got "
                         f"{shape_str(transforms.shape)}")
    check_modes(op, fill_mode, interpolation)
    for name, v in (("out_h", out_h), ("out_w", out_w)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"{op}: {name} must be an int >= 0, got {v!r}")
    if isinstance(fill_value, bool) or not isinstance(fill_value, (int, float, np.number)):
        raise TypeError(f"{op}: fill_value must be a number, got {type(fill_value).__name__}")
    N, _, _, C = images.shape
    check_output_size(op, "the output", (N, int(out_h), int(out_w), C))
    return backend.lookup(op)(contiguous(images), contiguous(transforms), fill_mode,
                              float(fill_value), interpolation, int(out_h), int(out_w))
