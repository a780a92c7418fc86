"""PNG decode / encode CPU time: tensorforge (tf.io, tf_png.py) vs Pillow, on photo-like images
(tfio14). Checks the decoded pixels first.
Run: PYTHONPATH=python python3 bench/png_codec_speed.py"""
import io
import time

import numpy as np
from PIL import Image

import tensorforge as tf
from tensorforge import tf_png

rng = np.random.default_rng(0)


def photo(h, w, c):
    y, x = np.mgrid[0:h, 0:w]
    base = (np.sin(x / 9.0) * 60 + np.cos(y / 7.0) * 60 + 128)[..., None] * np.ones(c)
    return np.clip(base + rng.normal(0, 6, (h, w, c)), 0, 255).astype(np.uint8)


def t(f, n):
    f()
    s = time.process_time()
    for _ in range(n):
        f()
    return (time.process_time() - s) / n * 1e3


for (h, w, c) in [(50, 200, 1), (224, 224, 3), (32, 32, 3)]:
    img = photo(h, w, c)
    b = io.BytesIO()
    Image.fromarray(img[..., 0] if c == 1 else img).save(b, "PNG")
    data = b.getvalue()
    n = 20 if h * w > 20000 else 100
    assert np.array_equal(tf.io.decode_png(data).numpy(), img)
    d_ours = t(lambda: tf.io.decode_png(data), n)
    d_pure = t(lambda: tf_png.decode(data, use_pillow=False), n)
    d_pil = t(lambda: np.asarray(Image.open(io.BytesIO(data))), n)
    e_ours = t(lambda: tf.io.encode_png(img), n)
    e_pil = t(lambda: Image.fromarray(img[..., 0] if c == 1 else img).save(io.BytesIO(), "PNG"), n)
    print(f"{h}x{w}x{c}: decode_png {d_ours:.2f} ms (pure Python path {d_pure:.2f}), Pillow "
          f"{d_pil:.2f} ms; encode_png {e_ours:.2f} ms, Pillow {e_pil:.2f} ms")
