"""``tensorflow.python.client``: ``device_lib`` (see device_lib.py)."""
