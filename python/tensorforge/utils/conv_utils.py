"""Keras 2's ``keras.utils.conv_utils``: the convolution shape and argument helpers and
convert_kernel (they live in tensorforge/_conv_utils.py, where the convolution layers reach
them)."""
from .._conv_utils import (conv_input_length, conv_output_length, convert_kernel,  # noqa: F401
                           deconv_output_length, normalize_data_format, normalize_padding,
                           normalize_tuple)

__all__ = ["conv_output_length", "conv_input_length", "deconv_output_length", "normalize_tuple",
           "normalize_padding", "normalize_data_format", "convert_kernel"]
