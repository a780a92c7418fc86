"""The model core, laid out as Keras 2's keras/engine:

  base_layer.py       Layer (build/call, symbolic calls, masks, config), OpLayer
  layer_weights.py    add_weight and the weight lists (a mixin of Layer); the structure version
  layer_losses.py     add_loss, add_metric, activity regularizers (a mixin of Layer)
  input_spec.py       InputSpec and the shape checks of a call
  layer_call.py       how a call reaches ``call``: training flag, signature, masks, call errors
  dtype_policy.py     eager inputs as float32 Tensors (integer / string inputs where read)
  shape_inference.py  output shapes found by running a layer once on stand-in inputs
  node.py             Keras 2's path of KerasTensor and Node (they live in symbolic/node.py)
  tf_op_lambda.py     TFOpLambda / SlicingOpLambda: TF ops on KerasTensors (tf_op_symbols.py)
  input_layer.py      InputLayer and Input()
  network.py          Network: the functional graph (and subclassed models' layer tracking)
  layer_utils.py      summary() text
  training.py         Model: the fit / evaluate / predict / *_on_batch API, save / load
  training_step.py    one train / test step: forward, compiled losses, batch metrics
  training_compile.py compile: per-output losses, weights, metrics; metrics_names
  training_inputs.py  x / y argument handling of fit / evaluate / predict / *_on_batch
  training_arrays.py  fit_loop / test_loop / predict_loop (free functions driving callbacks)
  training_generator.py  the same loops over Python generators and utils.Sequence
  training_utils.py   per-sample losses and metrics, sample/class weights, masks, shuffle='batch'
  sequential.py       Sequential: a Model whose graph is a chain
  saving.py           save / load of models and weights (one .npz file, no pickle, atomic)
  serialization.py    layer names, the class registry, custom objects, config values

Keras 2.0-2.2 spellings (``from keras.engine import Layer, Input``, ``keras.engine.topology``)
work with tensorforge in place of keras.
"""
from .base_layer import InputSpec, Layer  # noqa: F401
from . import tf_op_lambda  # noqa: F401,E402  (TFOpLambda: KerasTensor operators record it)
from .input_layer import Input, InputLayer  # noqa: F401
from .sequential import Sequential  # noqa: F401
from .training import Model  # noqa: F401
