"""``keras.legacy.interfaces``: the decorators Keras 2.1-2.2 code wears.

``legacy_get_updates_support`` marks a custom optimizer's ``get_updates(loss, params)``; Keras 2.1
used it to take Keras 2.0's calls ``get_updates(params, constraints, loss)`` too. The training
step here calls get_updates by keyword (optimizers/legacy_updates.py); the decorator still turns
a Keras 2.0 positional call into the new order, dropping ``constraints`` (the step applies the
weights' constraints after the update)."""
import functools
import inspect


def legacy_get_updates_support(func):
    takes_constraints = "constraints" in inspect.signature(func).parameters

    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        if len(args) == 3:  # Keras 2.0: (params, constraints, loss)
            params, _constraints, loss = args
            args, kwargs = (), dict(kwargs, loss=loss, params=params)
        if not takes_constraints:
            kwargs.pop("constraints", None)
        return func(self, *args, **kwargs)
    return wrapper
