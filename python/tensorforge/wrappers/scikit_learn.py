"""Keras 2's scikit-learn wrappers (keras/wrappers/scikit_learn.py of Keras 2.2-2.6): a model
built by ``build_fn`` behind scikit-learn's estimator API, so that GridSearchCV, cross_val_score
and Pipeline can tune and score it.

``sk_params`` holds both ``build_fn``'s arguments and ``fit`` / ``predict`` / ``evaluate``
arguments (``epochs``, ``batch_size``, ...); each call takes the ones its function accepts,
keyword arguments given to the call override them. ``fit`` builds a fresh model every time.
KerasClassifier keeps ``classes_`` (the sorted labels, or ``range(n)`` for one-hot targets),
predicts labels from ``classes_``, returns two columns from ``predict_proba`` for a single
sigmoid output, and scores with the model's accuracy metric; KerasRegressor scores with the
negated loss (greater is better, as scikit-learn expects).
"""
import inspect
import types

import numpy as np

from ..engine.sequential import Sequential
from ..utils import to_categorical


def _has_arg(fn, name):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params and params[name].kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                     inspect.Parameter.KEYWORD_ONLY)


def _loss_name(model):
    loss = getattr(model, "loss", None)
    return getattr(loss, "__name__", loss)


class BaseWrapper:
    """The shared parameter handling and ``fit`` (Keras 2's BaseWrapper)."""

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _build_target(self):
        if self.build_fn is None:
            return self.__call__
        if not isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn.__call__
        return self.build_fn

    def check_params(self, params):
        """A ValueError naming any parameter that neither ``build_fn`` nor fit / predict /
        evaluate accepts (a typo would otherwise silently fall back to a default)."""
        fns = [Sequential.fit, Sequential.predict, Sequential.evaluate, self._build_target()]
        for name in params:
            if name != "nb_epoch" and not any(_has_arg(fn, name) for fn in fns):
                raise ValueError(f"{name} is not a legal parameter")

    def get_params(self, **params):
        res = self.sk_params.copy()
        res.update({"build_fn": self.build_fn})
        return res

    def set_params(self, **params):
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None):
        res = {k: v for k, v in self.sk_params.items() if _has_arg(fn, k)}
        res.update(override or {})
        return res

    def fit(self, x, y, **kwargs):
        build = self._build_target()
        self.model = (self.__call__ if self.build_fn is None else self.build_fn)(
            **self.filter_sk_params(build))
        y = np.asarray(y)
        if _loss_name(self.model) == "categorical_crossentropy" and y.ndim != 2:
            y = to_categorical(y)
        fit_args = self.filter_sk_params(Sequential.fit)
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)

    # scikit-learn >= 1.6 asks an estimator for its tags; these wrappers predate them, so they
    # answer with scikit-learn's defaults for their kind.
    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags
        tags = Tags(estimator_type=getattr(self, "_estimator_type", None),
                    target_tags=TargetTags(required=True))
        if tags.estimator_type == "classifier":
            tags.classifier_tags = ClassifierTags()
        elif tags.estimator_type == "regressor":
            tags.regressor_tags = RegressorTags()
        return tags


class KerasClassifier(BaseWrapper):
    """scikit-learn's classifier API for a Keras model."""

    _estimator_type = "classifier"

    def fit(self, x, y, **kwargs):
        y = np.array(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (y.ndim == 2 and y.shape[1] == 1) or y.ndim == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError("KerasClassifier.fit: invalid shape for y: " + str(y.shape))
        self.n_classes_ = len(self.classes_)
        return super().fit(x, y, **kwargs)

    def predict(self, x, **kwargs):
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        proba = self.model.predict(x, **kwargs)
        if proba.shape[-1] > 1:
            classes = proba.argmax(axis=-1)
        else:
            classes = (proba > 0.5).astype("int32")
        return self.classes_[classes]

    def predict_proba(self, x, **kwargs):
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        probs = self.model.predict(x, **kwargs)
        if probs.shape[1] == 1:  # scikit-learn wants one column per class
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, **kwargs):
        y = np.searchsorted(self.classes_, y)
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        if _loss_name(self.model) == "categorical_crossentropy" and y.ndim != 2:
            y = to_categorical(y)
        outputs = self.model.evaluate(x, y, **kwargs)
        if not isinstance(outputs, list):
            outputs = [outputs]
        for name, output in zip(self.model.metrics_names, outputs):
            if name in ("accuracy", "acc"):
                return output
        raise ValueError("The model is not configured to compute accuracy. You should pass "
                         '`metrics=["accuracy"]` to the `model.compile()` method.')


class KerasRegressor(BaseWrapper):
    """scikit-learn's regressor API for a Keras model."""

    _estimator_type = "regressor"

    def predict(self, x, **kwargs):
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        return np.squeeze(self.model.predict(x, **kwargs))

    def score(self, x, y, **kwargs):
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        loss = self.model.evaluate(x, y, **kwargs)
        if isinstance(loss, list):
            return -loss[0]
        return -loss
