"""The model core, laid out as Keras 2's keras/engine: the Layer base class and the input layer."""
