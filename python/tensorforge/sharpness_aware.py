"""Keras 2's keras.models.experimental.SharpnessAwareMinimization (Foret et al. 2021, "Sharpness-
Aware Minimization for Efficiently Improving Generalization"): a Model wrapping ``model`` whose
training step, per split of the batch (``num_batch_splits`` equal splits, or the whole batch):

    g   = d loss(model(x)) / d w              (the compiled loss, no regularization losses)
    e_w = g * rho / (||g|| + 1e-12)           (||g||: the norm of the per-variable norms)
    w  += e_w;  g' = d loss(model(x, training=True)) / d w;  w -= e_w

then applies the sum of the splits' g' with the optimizer, and updates the compiled metrics
on the first pass's predictions, as tf_keras 2.21's train_step does. ``call`` is the wrapped
model's; get_config / from_config carry the model's config and rho.
"""
import numpy as np

from .engine.training import Model

__all__ = ["SharpnessAwareMinimization"]


def _split(a, n, what):
    if a is None:
        return [None] * n
    if len(a) % n:
        raise ValueError(f"SharpnessAwareMinimization: the batch of {len(a)} {what} does not "
                         f"split into num_batch_splits={n} equal parts")
    return np.split(np.asarray(a), n)


class SharpnessAwareMinimization(Model):
    def __init__(self, model, rho=0.05, num_batch_splits=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.model = model
        self.rho = rho
        self.num_batch_splits = num_batch_splits

    def call(self, inputs, **kwargs):
        return self.model(inputs, **kwargs)

    def train_step(self, data):
        from .gradient_tape import GradientTape
        from .utils import unpack_x_y_sample_weight
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        n = self.num_batch_splits
        if n is not None:
            xs, ys, ws = _split(x, n, "inputs"), _split(y, n, "targets"), \
                _split(sample_weight, n, "sample weights")
        else:
            xs, ys, ws = [x], [y], [sample_weight]
        variables = self.model.trainable_variables
        sums, preds = None, []
        for xb, yb, wb in zip(xs, ys, ws):
            with GradientTape() as tape:
                pred = self(xb)
                loss = self.compiled_loss(yb, pred, wb)
            preds.append(np.asarray(pred.numpy() if hasattr(pred, "numpy") else pred))
            grads = tape.gradient(loss, variables)
            norm = float(np.sqrt(sum(float(np.sum(np.square(np.asarray(g))))
                                     for g in grads if g is not None)))
            scale = self.rho / (norm + 1e-12)
            eps = [None if g is None else np.asarray(g) * np.float32(scale) for g in grads]
            for v, e in zip(variables, eps):
                if e is not None:
                    v.assign_add(e)
            with GradientTape() as tape:
                pred = self(xb, training=True)
                loss = self.compiled_loss(yb, pred, wb)
            grads = [None if g is None else np.asarray(g) for g in tape.gradient(loss, variables)]
            sums = grads if sums is None else [a if b is None else b if a is None else a + b
                                              for a, b in zip(sums, grads)]
            for v, e in zip(variables, eps):
                if e is not None:
                    v.assign_sub(e)
        self.optimizer.apply_gradients(zip(sums, variables))
        self.compiled_metrics.update_state(y, np.concatenate(preds, axis=0), sample_weight)
        return {m.name: m.result() for m in self.metrics}

    def get_config(self):
        from .layers import serialize
        return {"name": self.name, "model": serialize(self.model), "rho": self.rho,
                "num_batch_splits": self.num_batch_splits}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .layers import deserialize
        config = dict(config)
        config["model"] = deserialize(config.pop("model"), custom_objects=custom_objects)
        return cls(**config)
