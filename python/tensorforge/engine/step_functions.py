"""A Model's step functions as programs name them: tf.keras 2's ``make_train_function`` /
``make_test_function`` / ``make_predict_function`` (and the ``train_function`` ... they set), Keras
2.0-2.2's ``_make_predict_function`` ... (the Flask-serving idiom: ``model._make_predict_function()``
after load_model, before requests on other threads), and the model attributes that go with
them (``run_eagerly``, ``stateful``, ``distribute_strategy``).

tensorforge has no graph to trace, so a made function is the model's step on the next element
of an iterator, as tf_keras' is (``predict_function(iter(dataset))``); Keras 2.2's builders only
make it (they returned nothing)."""


class StepFunctionsMixin:
    train_function = test_function = predict_function = None
    run_eagerly = False

    def make_train_function(self, force=False):
        if self.train_function is None or force:
            self.train_function = lambda iterator: self.train_step(next(iterator))
        return self.train_function

    def make_test_function(self, force=False):
        if self.test_function is None or force:
            self.test_function = lambda iterator: self.test_step(next(iterator))
        return self.test_function

    def make_predict_function(self, force=False):
        if self.predict_function is None or force:
            self.predict_function = lambda iterator: self.predict_step(next(iterator))
        return self.predict_function

    # Keras 2.0-2.2's names
    def _make_train_function(self):
        self.make_train_function()

    def _make_test_function(self):
        self.make_test_function()

    def _make_predict_function(self):
        self.make_predict_function()

    @property
    def stateful(self):
        if "_model_stateful" in self.__dict__:  # a subclassed model's own self.stateful = ...
            return self.__dict__["_model_stateful"]
        return any(getattr(l, "stateful", False) is True for l in self._flatten_layers()[1:])

    @stateful.setter
    def stateful(self, value):
        self.__dict__["_model_stateful"] = value

    @property
    def distribute_strategy(self):
        from .. import tf_distribute
        return tf_distribute.get_strategy()
