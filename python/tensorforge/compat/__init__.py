"""``tf.compat``: TensorFlow's bytes / text helpers and the ``tf.compat.v1`` names Keras 2
programs still use (v1/). A package, not a namespace, so that the import swap of
``from tensorflow.compat.v1.keras.initializers import glorot_uniform`` resolves."""
from . import v1  # noqa: F401


def as_bytes(bytes_or_text, encoding="utf-8"):
    """tf.compat.as_bytes: str -> bytes (encoded), bytes-like -> bytes."""
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    raise TypeError(f"compat.as_bytes: expected bytes or str, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding="utf-8"):
    """tf.compat.as_text / as_str: bytes -> str (decoded), str -> str."""
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text).decode(encoding)
    raise TypeError(f"compat.as_text: expected bytes or str, got {bytes_or_text!r}")


as_str = as_text
