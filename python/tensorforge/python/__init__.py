"""``tensorflow.python``: the internal paths TensorFlow 2.0-2.5 programs imported Keras and
device listings from. ``tensorflow.python.keras.X`` is ``tensorforge.X`` (as ``tf.keras.X``
is: _keras_alias.py); ``tensorflow.python.client.device_lib`` lists the devices."""
