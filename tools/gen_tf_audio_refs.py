"""TensorFlow 2.21's tf.audio.encode_wav bytes and decode_wav arrays, for
tests/test_tf_misc.py (tests/data/tf_audio_refs.json). Run with the Keras 2 oracle venv, never
in tests:
    ../keras-venv/bin/python tools/gen_tf_audio_refs.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "tf_audio_refs.json")


def main():
    a = np.array([[0.0, 0.5], [-0.25, 1.0], [0.1, -1.0], [2.0, -3.0], [0.33333, -0.77777]],
                 np.float32)
    w = tf.audio.encode_wav(tf.constant(a), 8000).numpy()
    out = {"input": a.tolist(), "wav_hex": w.hex(),
           "decoded": tf.audio.decode_wav(w)[0].numpy().tolist(),
           "c3s7": tf.audio.decode_wav(w, desired_channels=3, desired_samples=7)[0].numpy().tolist(),
           "c1s2": tf.audio.decode_wav(w, desired_channels=1, desired_samples=2)[0].numpy().tolist()}
    with open(OUT, "w") as f:
        json.dump(out, f)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
