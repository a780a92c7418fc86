"""Keras 2 ``keras.preprocessing``: ``sequence`` (pad_sequences, TimeseriesGenerator), ``text``
(Tokenizer, text_to_word_sequence, one_hot, hashing_trick) and ``image`` (ImageDataGenerator and
the array/image helpers): the NumPy-side data preparation Keras 2 tutorials call before the model.
"""
from . import image, sequence, text  # noqa: F401

__all__ = ["image", "sequence", "text"]
