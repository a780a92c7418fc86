"""tf_keras's side of bench/bench_memory.py: the same Keras models, batches and warm-up, one
step's peak resident memory per case in a fresh process of the oracle venv (TensorFlow 2.21 +
tf_keras 2.21, one thread).

    python3 tools/keras_memory.py [case ...]

(run with any Python: each case runs under /work/keras-venv/bin/python). Prints the same table
as bench/bench_memory.py, for tf_keras.
"""
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_PYTHON = "/work/keras-venv/bin/python"


def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_memory", os.path.join(HERE, "..", "bench", "bench_memory.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv):
    bm = _bench()
    results = []
    for case in argv or list(bm.CASES):
        r = bm.run_case(case, "tf_keras", bm.CASES[case], python=KERAS_PYTHON,
                        script=os.path.abspath(__file__))
        results.append((case, bm.CASES[case], "tf_keras", r))
        print(f"# {case} tf_keras: {r}", flush=True)
    print(bm.report(results))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        import tensorflow as tf
        import tf_keras
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
        tf_keras.utils.set_random_seed(0)
        case, batch = sys.argv[2], int(sys.argv[4])
        print(json.dumps(_bench().measure_keras(case, tf, tf_keras, batch)))
    else:
        main(sys.argv[1:])
