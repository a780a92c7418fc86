"""The package version (pyproject.toml holds the same string): a module of its own so that
_dispatch.backend_info reads it without importing the package __init__.

Note [version strings]
~~~~~~~~~~~~~~~~~~~~~~
The import swap makes ``tensorflow``, ``tensorflow.keras`` and ``keras`` name one module, the
package itself (``from tensorforge import keras`` is ``tensorforge``; _keras_alias.py), so
``tf.__version__``, ``keras.__version__`` and ``tf.keras.__version__`` are one attribute, and it
is tensorforge's own version, what pip and ``importlib.metadata`` report; ``tf.version.VERSION``
is the same string, as in TensorFlow. A Keras or TensorFlow API level ('2.21.0') could be
reported only by changing the package's own version, which stays tensorforge's. So a program
comparing it (``assert tf.__version__ >= "2.0"``, ``if Version(tf.__version__) >= '2.3.0'``,
``assert tf.__version__.startswith('2.')``: corpus17 / 28 / 29) takes its pre-2.0 branch or
stops: such a line is part of what a port changes, with the imports (the corpora's variants
comment it out or make it ``if True``).
"""
__version__ = "0.1.0"
