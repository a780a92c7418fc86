"""A compiled model's optimizer state as arrays, and back: what tensorforge's own model files
(engine/saving.py) and its .keras archives (keras_archive.py) keep, so training continues
exactly."""
import numpy as np

from .. import _device
from ..optimizers import legacy_updates as _legacy_updates


def optimizer_state(model):
    """(fields, arrays) of a compiled model's optimizer state: per weight its slots
    (``opt/<i>/<j>``, fields["optimizer_state"] their counts), a Keras 2.2 optimizer's slots
    (``legacy/<k>``, fields["legacy_slots"]); restore_optimizer_state reads them back."""
    fields, arrays = {}, {}
    states = model.optimizer.get_state(model.weights)
    fields["optimizer_state"] = [len(s) for s in states]
    for i, s in enumerate(states):
        for j, a in enumerate(s):
            arrays[f"opt/{i}/{j}"] = np.asarray(_device.to_host(a))
    slots = _legacy_updates.slot_arrays(model.optimizer)  # a Keras 2.2 optimizer's state
    if slots:
        fields["legacy_slots"] = len(slots)
        arrays.update((f"legacy/{k}", a) for k, a in enumerate(slots))
    return fields, arrays


def restore_optimizer_state(model, fields, arrays):
    counts = fields.get("optimizer_state")
    if counts:
        states = [[arrays[f"opt/{i}/{j}"] for j in range(c)] for i, c in enumerate(counts)]
        model.optimizer.set_state(model.weights, states)
    n_slots = fields.get("legacy_slots")
    if n_slots:
        _legacy_updates.restore_slots(model.optimizer,
                                      [arrays[f"legacy/{k}"] for k in range(n_slots)])

