"""tf.io's decoders and TensorProto bytes, the PNG / BMP codecs and (in the recorded cases)
the other tfio14 names, against TensorFlow 2.21's values and bytes recorded by
tools/gen_tf_io14_refs.py into tests/data/tf_io14_refs.json; bad arguments raise the class
TensorFlow raises (tf.errors classes are ValueError / ... subclasses here) naming the op."""
import numpy as np
import pytest

import tensorforge as tf

import tf_io14_refs as R

INPUTS = R.inputs()
CASES = R.REFS["cases"]
ERRORS = R.REFS["errors"]


def _env():
    env = dict(INPUTS, tf=tf, np=np)
    exec(R.REFS["setup"], env)  # noqa: S102 -- the recorded setup (SparseTensors, grad_of)
    return env


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_tensorflow(case):
    got = eval(CASES[case]["expr"], _env())  # noqa: S307 -- the recorded expressions
    R.check(got, R.decode(CASES[case]["out"]), case)


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_arguments_raise_tensorflows_error(case):
    want = ERRORS[case]["error"]
    with pytest.raises(Exception) as info:
        eval(ERRORS[case]["expr"], _env())  # noqa: S307
    names = [c.__name__ for c in type(info.value).__mro__]
    assert want in names, (case, type(info.value), info.value)
