"""``K.gradients`` of Keras tensors for ``K.function`` (Note [K.gradients in K.function]).

Note [K.gradients in K.function]
Keras 2.0-2.2 programs take gradients of the graph and evaluate them with ``K.function``:
Deep Learning with Python's filter visualization and Grad-CAM (``grads = K.gradients(loss,
model.input)[0]``, ``iterate = K.function([model.input], [loss, grads])``), deep dream, the fast
gradient sign method, ``K.gradients(class_output, last_conv_layer.output)``. TensorFlow 2
refuses tf.gradients when eager, and so does tf_keras 2.21. Here ``K.gradients(loss,
variables)`` of Keras tensors (outside a model's loss: See Note [gradients of graph tensors]
for that case) is a node of the graph: a layer called on the loss's source Inputs whose outputs
are d sum(loss) / d variable for each variable (Keras tensors upstream of ``loss``: Inputs or
any layer's output), of the variables' shapes. Run, it computes the Model from those Inputs to
``[loss] + variables`` under a GradientTape and differentiates, recording the gradient (so a
loss made of it, WGAN-GP's gradient penalty trained by K.function's updates, differentiates
through it; a variable ``loss`` does not depend on gets zeros, where tf.gradients gave None). It runs inside whatever runs the graph:
K.function, a Model, further K ops on the gradient (``grads / (K.sqrt(K.mean(K.square(grads)))
+ 1e-5)``). The loss's forward runs once more inside the node.
"""
from ..autograd import Tensor, keeping_inputs, no_grad
from .base_layer import Layer
from ..symbolic.node import ENGINE, KerasTensor, get_source_inputs


class SymbolicGradients(Layer):
    """The node of Note [K.gradients in K.function]."""

    def __init__(self, loss, variables, **kwargs):
        super().__init__(**kwargs)
        self._sources = []  # the Inputs of the loss and of the variables
        for t in [loss] + list(variables):
            found = get_source_inputs(t)
            for x in found if isinstance(found, list) else [found]:
                if not any(x is y for y in self._sources):
                    self._sources.append(x)
        self._model = ENGINE["Model"](inputs=self._sources, outputs=[loss] + list(variables))
        self._shapes = [tuple(v.shape) for v in variables]

    def compute_output_shape(self, input_shape):
        return list(self._shapes)

    def call(self, inputs):
        from ..gradient_tape import GradientTape
        from ..higher_order import grad
        from .graph_gradients import _ones
        xs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        xs = [x if isinstance(x, Tensor) else Tensor(x) for x in xs]
        # the tape records the forward (an eager call records nothing), keeping the nodes'
        # inputs for the recorded gradient below (Note [what a node keeps], autograd/function.py)
        with GradientTape() as tape, keeping_inputs(True):
            for x in xs:
                tape.watch(x)
            outs = self._model(xs if len(xs) > 1 else xs[0])
        loss, values = outs[0], outs[1:]
        # recorded itself, so that a loss made of the gradient (WGAN-GP's penalty, through
        # K.function's updates) trains the weights through it
        grads = grad(loss, values, grad_outputs=_ones(loss), create_graph=True)
        with no_grad():
            zeros = [v * 0 for v in values]
        out = [g if g is not None else z for g, z in zip(grads, zeros)]
        return out if len(out) > 1 else out[0]

    def get_config(self):
        raise NotImplementedError(f"{self.name}: K.gradients of Keras tensors builds a node for "
                                  "K.function (Note [K.gradients in K.function]); a model "
                                  "holding one cannot be saved")


def symbolic_gradients(loss, variables):
    """K.gradients(loss, variables) of Keras tensors: one list entry per variable."""
    many = isinstance(variables, (list, tuple))
    vs = list(variables) if many else [variables]
    layer = SymbolicGradients(loss, vs, name=None)
    out = layer(layer._sources if len(layer._sources) > 1 else layer._sources[0])
    return list(out) if isinstance(out, (list, tuple)) else [out]


def is_symbolic_pair(loss, variables):
    vs = variables if isinstance(variables, (list, tuple)) else [variables]
    return isinstance(loss, KerasTensor) and bool(vs) and all(isinstance(v, KerasTensor)
                                                              for v in vs)


ENGINE["symbolic_gradients"] = symbolic_gradients
ENGINE["is_symbolic_pair"] = is_symbolic_pair
