"""TensorFlow 2's ``tf.audio``: 16-bit PCM WAV bytes <-> float32 (samples, channels) in
[-1, 1), as its DecodeWav / EncodeWav kernels: decoding divides by 32768 (``desired_channels``
keeps the first channels, or repeats the last one; ``desired_samples`` cuts or zero-pads);
encoding rounds x * 32768 clamped to [-32768, 32767]. The audio-classification tutorials read
their clips with decode_wav."""
import io
import wave

import numpy as np

from .autograd import Tensor

__all__ = ["decode_wav", "encode_wav"]


def _bytes(contents, where):
    v = contents.numpy() if isinstance(contents, Tensor) else contents
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v.item()
    if isinstance(v, str):
        v = v.encode("latin-1")
    if not isinstance(v, (bytes, bytearray)):
        raise TypeError(f"{where}: contents must be a scalar string (the file's bytes), got "
                        f"{type(contents).__name__}")
    return bytes(v)


def decode_wav(contents, desired_channels=-1, desired_samples=-1, name=None):
    """(audio float32 Tensor (samples, channels), sample_rate int32 Tensor)."""
    data = _bytes(contents, "decode_wav")
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            if w.getsampwidth() != 2:
                raise ValueError(f"decode_wav: {8 * w.getsampwidth()}-bit samples; only 16-bit "
                                 "PCM can be decoded")
            channels, rate = w.getnchannels(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as e:
        raise ValueError(f"decode_wav: the contents are not a readable WAV file "
                         f"({len(data)} bytes): {e}") from None
    audio = (np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0).reshape(
        -1, channels)
    if desired_channels is not None and int(desired_channels) > 0:
        c = int(desired_channels)
        idx = np.minimum(np.arange(c), channels - 1)  # (more: the last channel repeated)
        audio = audio[:, idx]
    if desired_samples is not None and int(desired_samples) > 0:
        out = np.zeros((int(desired_samples), audio.shape[1]), np.float32)
        n = min(len(out), len(audio))
        out[:n] = audio[:n]
        audio = out
    return Tensor(np.ascontiguousarray(audio)), Tensor(np.int32(rate))


def encode_wav(audio, sample_rate, name=None):
    """The WAV file's bytes (a scalar string Tensor) of float32 ``audio`` (samples, channels)."""
    a = np.asarray(audio.numpy() if isinstance(audio, Tensor) else audio)
    if a.ndim != 2:
        raise ValueError(f"encode_wav: audio must be 2-D (samples, channels), got shape {a.shape}")
    if a.dtype.kind != "f":
        raise TypeError(f"encode_wav: audio must be float32, got {a.dtype}")
    rate = int(np.asarray(sample_rate.numpy() if isinstance(sample_rate, Tensor) else sample_rate))
    if rate <= 0:
        raise ValueError(f"encode_wav: sample_rate must be positive, got {rate}")
    pcm = np.clip(np.round(a.astype(np.float64) * 32768.0), -32768, 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(a.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return Tensor(np.array(buf.getvalue(), dtype=object))
