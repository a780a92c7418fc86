"""Print tf.data's reprs (class name and element_spec) for the pipelines of
tests/dataset_repr_cases.py; tests/test_dataset_repr.py hard-codes them. Run under the Keras 2
oracle from the repository root:

    /work/keras-venv/bin/python tools/gen_dataset_repr_refs.py /tmp/lines.txt
"""
import os
import sys

import tensorflow as tf

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
from dataset_repr_cases import pipelines  # noqa: E402

if __name__ == "__main__":
    with open(sys.argv[1], "w") as f:
        f.write("one line\n")
    for name, d in pipelines(tf, sys.argv[1]).items():
        print(f"    {name!r}: {repr(d)!r},")
