"""``keras.legacy`` of Keras 2.0-2.2: ``interfaces`` (the decorators custom optimizers and layers
of that time wear) and ``layers`` (Merge, MaxoutDense, Highway, Recurrent: layers/legacy.py).
The Keras 1 argument conversion itself is tensorforge/legacy_interfaces.py."""
