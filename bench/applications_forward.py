"""One inference forward of keras.applications models on a small batch: tensorforge vs tf_keras
(TensorFlow 2.21 CPU, oneDNN), each side in its own process, same weights=None models at
their default sizes (224x224, 299x299 for InceptionV3 / Xception), batch 4, include_top=True
(ConvNeXtTiny and RegNetX008 / Y008 run the grouped Conv2D of keras14).
Checks before it times: the output is a (4, 1000) softmax (rows sum to 1). Reports the median
of --reps timed calls after one warm-up, wall and process CPU time. ``--api call`` times
``model(x, training=False)`` (eager; tensorforge records the graph for a gradient there, TensorFlow
does not); ``--api predict_on_batch`` the inference entry point of both (TensorFlow: a
tf.function with its graph optimizations; tensorforge: no gradient recording, Note [inference
fusion]).

    PYTHONPATH=python python3 bench/applications_forward.py --side ours --threads 2
    /work/keras-venv/bin/python bench/applications_forward.py --side keras --threads 2
"""
import argparse
import json
import os
import time

MODELS = [("vgg16", "VGG16", 224), ("resnet", "ResNet50", 224), ("resnet_v2", "ResNet50V2", 224),
          ("mobilenet", "MobileNet", 224), ("mobilenet_v2", "MobileNetV2", 224),
          ("densenet", "DenseNet121", 224), ("inception_v3", "InceptionV3", 299),
          ("xception", "Xception", 299), ("convnext", "ConvNeXtTiny", 224),
          ("regnet", "RegNetX008", 224), ("regnet", "RegNetY008", 224)]
# Keras 2's RegNet head has no softmax (classifier_activation is only checked): its rows are
# logits, checked finite only


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", choices=["ours", "keras"], required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--api", choices=["call", "predict_on_batch"], default="call")
    args = ap.parse_args()
    import numpy as np
    if args.side == "ours":
        import tensorforge as tf
        tf.set_num_threads(args.threads)
        apps, clear = tf.keras.applications, tf.backend.clear_session
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        import tf_keras
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        apps, clear = tf_keras.applications, tf_keras.backend.clear_session
    out = {}
    for module, fn, size in MODELS:
        if args.only and fn not in args.only:
            continue
        clear()
        m = getattr(getattr(apps, module), fn)(weights=None)
        x = np.random.default_rng(0).uniform(-1, 1, (args.batch, size, size, 3)).astype("float32")
        run = (lambda: m(x, training=False)) if args.api == "call" else \
            (lambda: m.predict_on_batch(x))
        y = np.asarray(run())  # warm-up and check
        assert y.shape == (args.batch, 1000) and np.isfinite(y).all(), fn
        assert fn.startswith("RegNet") or np.allclose(y.sum(1), 1, atol=1e-4), fn
        wall, cpu = [], []
        for _ in range(args.reps):
            w0, c0 = time.perf_counter(), time.process_time()
            np.asarray(run())
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        out[fn] = {"wall_ms": 1e3 * float(np.median(wall)), "cpu_ms": 1e3 * float(np.median(cpu))}
        print(json.dumps({fn: out[fn]}), flush=True)
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main()
