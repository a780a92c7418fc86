"""Keras 2's ``keras.utils.audio_dataset_from_directory`` (keras/utils/audio_dataset.py).

``directory/<class>/*.wav`` as a ``tf.data.Dataset`` (tensorforge/tf_data.py) of
(audio, labels) batches: audio float32 (N, samples, channels), decoded as tf.audio.decode_wav
does (16-bit PCM / 32768; ``output_sequence_length`` cuts or zero-pads every file to that many
samples, else each batch is zero-padded to its longest file), labels int32 ('int'), float32
one-hot ('categorical') or float32 (N, 1) ('binary'). Files are indexed, shuffled and split as
Keras 2 does (utils/dataset_utils.index_directory, the seed drawn first when None);
``subset='both'`` returns (training, validation); ``class_names`` is an attribute of the
result. Keras 2 needs tensorflow_io for ``sampling_rate`` (resampling): it is refused here as
there without it; ``ragged=True`` (RaggedTensor batches) is not supported.
"""
import numpy as np

from ..tf_audio import decode_wav
from ..tf_data import Dataset
from .dataset_utils import check_validation_split_arg, index_directory, \
    training_or_validation_split

ALLOWED_FORMATS = (".wav",)
_NAME = "audio_dataset_from_directory"


def read_wav(path, desired_samples=-1):
    """One 16-bit PCM .wav file as float32 (samples, channels) in [-1, 1), as
    tf.audio.decode_wav (``desired_samples`` > 0: cut or zero-padded to that length)."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        audio, _ = decode_wav(data, desired_samples=desired_samples)
    except ValueError as e:
        raise ValueError(f"{_NAME}: {str(path)!r}: {e}") from None
    return audio.numpy()


def _dataset(paths, labels, label_mode, num_classes, output_sequence_length):
    audio = [read_wav(p, output_sequence_length) for p in paths]
    if label_mode == "categorical":
        ys = list(np.eye(num_classes, dtype=np.float32)[labels])
    elif label_mode == "binary":
        ys = list(labels.astype(np.float32)[:, None])
    elif label_mode == "int":
        ys = list(labels.astype(np.int32))
    else:
        ys = None
    elems = audio if ys is None else list(zip(audio, ys))
    return Dataset(lambda: iter(elems), len(elems))


def _prepare(ds, batch_size, shuffle, seed, class_names, output_sequence_length, labelled):
    if batch_size is not None:
        if shuffle:
            ds = ds.shuffle(buffer_size=batch_size * 8, seed=seed)
        if output_sequence_length is None:
            ds = ds.padded_batch(batch_size, padded_shapes=([None, None], [])
                                 if labelled else [None, None])
        else:
            ds = ds.batch(batch_size)
    elif shuffle:
        ds = ds.shuffle(buffer_size=1024, seed=seed)
    ds.class_names = class_names
    return ds


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, batch_size=32, sampling_rate=None,
                                 output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None,
                                 follow_links=False):
    """Keras 2's audio_dataset_from_directory (See the module doc)."""
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"{_NAME}: The `labels` argument should be a list/tuple of "
                             "integer labels, of the same size as the number of audio files "
                             "in the target directory, 'inferred' or None. Received: "
                             f"labels={labels!r}")
        if class_names:
            raise ValueError(f'{_NAME}: You can only pass `class_names` if `labels="inferred"`.'
                             f" Received: labels={labels}, and class_names={class_names}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f'{_NAME}: `label_mode` argument must be one of "int", "categorical", '
                         f'"binary", or None. Received: label_mode={label_mode!r}')
    if ragged:
        if output_sequence_length is not None:
            raise ValueError(f"{_NAME}: Cannot set both `ragged` and `output_sequence_length`")
        raise NotImplementedError(f"{_NAME}: ragged=True (RaggedTensor batches) is not "
                                  "supported")
    if sampling_rate is not None:
        if not isinstance(sampling_rate, int) or isinstance(sampling_rate, bool):
            raise ValueError(f"{_NAME}: `sampling_rate` should have an integer value. "
                             f"Received: sampling_rate={sampling_rate!r}")
        if sampling_rate <= 0:
            raise ValueError(f"{_NAME}: `sampling_rate` should be higher than 0. Received: "
                             f"sampling_rate={sampling_rate}")
        raise ImportError(f"{_NAME}: To use the argument `sampling_rate`, Keras 2 needs "
                          "tensorflow_io to resample; resampling is not supported here")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    check_validation_split_arg(_NAME, validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labs, class_names = index_directory(_NAME, directory, labels, ALLOWED_FORMATS,
                                               class_names, shuffle, seed, follow_links)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'{_NAME}: When passing `label_mode="binary"`, there must be exactly '
                         f"2 class_names. Received: class_names={class_names}")
    labelled = label_mode is not None
    subsets = ("training", "validation") if subset == "both" else (subset,)
    out = []
    for sub in subsets:
        p, lab = training_or_validation_split(paths, labs, validation_split, sub)
        if not p:
            what = "" if sub is None or subset != "both" else f"{sub} "
            raise ValueError(f"{_NAME}: No {what}audio files found in directory {directory}. "
                             f"Allowed format(s): {ALLOWED_FORMATS}")
        ds = _dataset(p, np.asarray(lab), label_mode, len(class_names), output_sequence_length)
        keep_order = subset == "both" and sub == "validation"  # Keras 2's
        out.append(_prepare(ds, batch_size, shuffle and not keep_order, seed,
                            class_names, output_sequence_length, labelled))
    return tuple(out) if subset == "both" else out[0]
