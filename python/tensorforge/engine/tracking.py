"""Keras 2's tracking containers (ListWrapper, _DictWrapper): a list or dict a user's layer
assigns as an attribute keeps tracking the layers put in it later, so

    self.blocks = []
    for _ in range(n):
        self.blocks.append(Dense(8))

gives the layer those weights (keras-io's neural decision forest, memory-efficient embeddings
and GRN examples build their sublayers this way). The wrappers are a list and a dict (Keras 2's
are too); each new item goes through the owner's ``_adopt`` (engine/base_layer.py)."""


def _adopt(container, items):
    """The owner tracks ``items``; an unpickled container has no owner yet (pickle restores a
    list's items and a dict's entries before its attributes; the owner's own state already
    lists the layers it tracks)."""
    owner = container.__dict__.get("_owner")
    if owner is not None:
        owner._adopt(items)


class TrackingList(list):
    """A list attribute of a layer: items added later are tracked by the owning layer."""

    def __init__(self, owner, items=()):
        super().__init__(items)
        self._owner = owner
        owner._adopt(self)

    def append(self, item):
        super().append(item)
        _adopt(self, item)

    def extend(self, items):
        items = list(items)
        super().extend(items)
        _adopt(self, items)

    def insert(self, index, item):
        super().insert(index, item)
        _adopt(self, item)

    def __setitem__(self, index, item):
        super().__setitem__(index, item)
        _adopt(self, item)

    def __iadd__(self, items):
        self.extend(items)
        return self


class TrackingDict(dict):
    """A dict attribute of a layer: values set later are tracked by the owning layer."""

    def __init__(self, owner, items=()):
        super().__init__(items)
        self._owner = owner
        owner._adopt(list(self.values()))

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        _adopt(self, value)

    def update(self, *args, **kwargs):
        new = dict(*args, **kwargs)
        super().update(new)
        _adopt(self, list(new.values()))

    def setdefault(self, key, default=None):
        had = key in self
        value = super().setdefault(key, default)
        if not had:
            _adopt(self, value)
        return value


def wrap(owner, value, caller_module):
    """``value`` as the attribute a layer keeps: a plain list or dict that the user's code (not
    tensorforge's own) assigns becomes a tracking one; anything else is returned unchanged."""
    if caller_module.startswith("tensorforge"):
        return value
    if type(value) is list:
        return TrackingList(owner, value)
    if type(value) is dict:
        return TrackingDict(owner, value)
    return value
