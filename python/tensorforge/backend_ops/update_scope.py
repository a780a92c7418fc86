"""The get_updates call of a Keras 2.2 optimizer in progress on this thread, if any (Note
[get_updates optimizers], optimizers/legacy_updates.py): while it runs, K.update / update_add /
update_sub are deferred to its end and K.zeros / K.ones / K.variable hand back the slots its
first step made."""
import threading

_local = threading.local()


def current():
    return getattr(_local, "scope", None)


def set_current(scope):
    _local.scope = scope
