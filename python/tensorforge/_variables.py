"""The Tensors made by ``tensorforge.Variable`` (TensorFlow's ``tf.Variable``), with their
``trainable`` flag: a Layer tracks one assigned as its attribute as a weight, as Keras 2 tracks
``self.w = tf.Variable(...)`` (engine/base_layer.py). Weak keys: a dropped variable leaves."""
import weakref

VARIABLES = weakref.WeakKeyDictionary()  # Tensor -> trainable
