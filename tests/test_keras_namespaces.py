"""Every public name of tf_keras 2's namespaces (tests/data/keras_namespace_names.json, printed
by tools/gen_keras_namespace_refs.py under tf_keras 2.21) is on tensorforge's, but for the ones
listed below with why; the list is exact, so a name added or lost shows here."""
import json
import os

import pytest

from tensorforge import keras

with open(os.path.join(os.path.dirname(__file__), "data", "keras_namespace_names.json")) as _f:
    NAMESPACES = json.load(_f)["namespaces"]

_SIDECAR = "evaluation of checkpoints by a separate job of a TensorFlow cluster"
NOT_PROVIDED = {
    "": {"dtensor": "TensorFlow DTensor's mesh / layout API",
         "estimator": "tf.estimator (model_to_estimator): the Estimator API is not provided",
         "export": "ExportArchive: TensorFlow SavedModel serving signatures",
         "protobuf": "TensorFlow's saved-model protocol buffers",
         "src": "tf_keras's own internals"},
    "callbacks": {"SidecarEvaluatorModelExport": _SIDECAR},
    "utils": {"SidecarEvaluator": _SIDECAR,
              "StepsPerExecutionTuner": "tunes compile(steps_per_execution) of a tf.function loop",
              "experimental": "DatasetCreator, for ParameterServerStrategy"},
    "experimental": {"SidecarEvaluator": _SIDECAR,
                     "LinearModel": "the premade models are not provided",
                     "WideDeepModel": "the premade models are not provided",
                     "SequenceFeatures": "sequence feature columns are not provided"},
    "layers.experimental": {
        "DynamicEmbedding": "TF 2.13+'s growing-vocabulary embedding",
        "DynamicLookup": "TF 2.13+'s growing-vocabulary lookup",
        "SyncBatchNormalization": "cross-replica batch statistics: tensorforge's data-parallel "
                                  "training does not synchronise them, and an alias of "
                                  "BatchNormalization would answer wrongly there"},
}


def _namespace(path):
    mod = keras
    for part in filter(None, path.split(".")):
        mod = getattr(mod, part)
    return mod


@pytest.mark.parametrize("path", sorted(NAMESPACES))
def test_keras_namespace_has_tf_keras_names(path):
    mod = _namespace(path)
    missing = {n for n in NAMESPACES[path] if not hasattr(mod, n)}
    assert missing == set(NOT_PROVIDED.get(path, {}))


def test_the_newer_homes_are_the_same_objects():
    assert keras.saving.load_model is keras.models.load_model
    assert keras.saving.save_model is keras.models.save_model
    assert keras.saving.register_keras_serializable is keras.utils.register_keras_serializable
    assert keras.saving.get_custom_objects is keras.utils.get_custom_objects
    assert keras.experimental.CosineDecay is keras.optimizers.schedules.CosineDecay
    assert keras.layers.experimental.EinsumDense is keras.layers.EinsumDense
    assert keras.layers.experimental.preprocessing.HashedCrossing is keras.layers.HashedCrossing
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        keras.saving.nope
