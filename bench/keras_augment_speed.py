"""ImageDataGenerator.flow throughput: tensorforge vs tf_keras, each side in its own process
(Note [affine transforms on the kernel] in tensorforge/preprocessing/image.py).

Per augmentation: flow over 2048 random 32x32x3 float32 images, batch 32, one batch to warm up,
then --batches batches timed, --rounds times; prints the median and best images/s as JSON lines.

    PYTHONPATH=python OMP_NUM_THREADS=2 python3 bench/keras_augment_speed.py --side ours
    OMP_NUM_THREADS=2 /work/keras-venv/bin/python bench/keras_augment_speed.py --side keras
"""
import argparse
import json
import os
import statistics
import time

import numpy as np

CASES = {  # name: ImageDataGenerator arguments
    "shift_flip": dict(width_shift_range=0.1, height_shift_range=0.1, horizontal_flip=True),
    "rotate_shift_flip_zoom": dict(rotation_range=15, width_shift_range=0.1,
                                   height_shift_range=0.1, horizontal_flip=True, zoom_range=0.1),
    "shear_reflect": dict(shear_range=10, fill_mode="reflect"),
    "featurewise_flip": dict(featurewise_center=True, featurewise_std_normalization=True,
                             horizontal_flip=True),
}


def run(side, batches, rounds):
    if side == "ours":
        from tensorforge.preprocessing.image import ImageDataGenerator
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        from tf_keras.preprocessing.image import ImageDataGenerator
    rng = np.random.default_rng(0)
    x = rng.random((2048, 32, 32, 3)).astype("float32")
    y = rng.integers(0, 10, 2048)
    for name, kw in CASES.items():
        g = ImageDataGenerator(**kw)
        if kw.get("featurewise_center"):
            g.fit(x)
        it = g.flow(x, y, batch_size=32, seed=0)
        xb, _ = next(it)
        if xb.shape != (32, 32, 32, 3) or not np.isfinite(xb).all():
            raise SystemExit(f"{name}: bad batch {xb.shape}")
        rates = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(batches):
                next(it)
            rates.append(32 * batches / (time.perf_counter() - t0))
        print(json.dumps({"case": name, "side": side, "images_per_s_median": round(statistics.median(rates)),
                          "images_per_s_best": round(max(rates))}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--side", choices=["ours", "keras"], required=True)
    ap.add_argument("--batches", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    run(a.side, a.batches, a.rounds)


if __name__ == "__main__":
    main()
