"""tf_keras 2.21's model.summary() lines under show_trainable / expand_nested / layer_range,
for tests/test_summary_options.py (tests/data/summary_refs.json). Run with the Keras 2 oracle
venv, never in tests:
    ../keras-venv/bin/python tools/gen_summary_refs.py
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tf_keras as keras  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import summary_cases as C  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "summary_refs.json")


def main():
    out = {}
    for name in C.CASES:
        keras.backend.clear_session()
        out[name] = C.lines(keras, name)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=0, ensure_ascii=False)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
