"""Caps shared by several corpora's plans."""

# MNIST programs: a few thousand of the 8,000 bundled training digits, 2 epochs
MNIST = dict(epochs=2, samples=4000)
