"""``tf.test``: the device queries TF 2 era programs print before building a model.

TensorFlow's tutorials of 2019-2020 open with ``print(tf.test.is_gpu_available())``
(tensorflow/docs customization/custom_layers). TensorFlow 2 keeps the three queries below
(``is_gpu_available`` deprecated in favour of ``tf.config.list_physical_devices('GPU')``); here
they read the same devices as ``tf.config`` (tf_config.py): a GPU is a visible CUDA device with
tensorforge's CUDA kernels built. ``tf.test``'s test-case classes (``tf.test.TestCase``) are
TensorFlow's unittest helpers, not part of a Keras program, and are not provided.
"""
from . import _native
from . import tf_config


def is_built_with_cuda():
    """True when tensorforge's CUDA kernels were built (TensorFlow: the wheel has CUDA)."""
    return _native._C_cuda is not None


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """True when a GPU is visible (TensorFlow's arguments accepted; tensorforge's GPUs are CUDA
    devices, so ``cuda_only`` changes nothing, and the compute capability is not checked)."""
    return bool(tf_config.list_physical_devices("GPU"))


def gpu_device_name():
    """``'/device:GPU:0'`` when a GPU is visible, else ``''`` (TensorFlow's strings)."""
    gpus = tf_config.list_logical_devices("GPU")
    return gpus[0].name if gpus else ""
