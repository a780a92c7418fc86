"""Keras 2 ``keras.preprocessing``: ``sequence`` (pad_sequences, TimeseriesGenerator), ``text``
(Tokenizer, text_to_word_sequence, one_hot, hashing_trick) and ``image`` (ImageDataGenerator and
the array/image helpers): the NumPy-side data preparation Keras 2 tutorials call before the model;
and the Dataset builders TF 2.3+ put here too (``timeseries_dataset_from_array``,
``text_dataset_from_directory``, from utils/dataset_utils.py, and ``image_dataset_from_directory``
from utils/image_dataset.py).
"""
from . import image, sequence, text  # noqa: F401
from ..utils.dataset_utils import (text_dataset_from_directory,  # noqa: F401
                                   timeseries_dataset_from_array)
from ..utils.image_dataset import image_dataset_from_directory  # noqa: F401

__all__ = ["image", "sequence", "text", "timeseries_dataset_from_array",
           "text_dataset_from_directory", "image_dataset_from_directory"]
