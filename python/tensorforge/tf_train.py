"""``tf.train``'s checkpoint bookkeeping, as Keras 2 programs use it.

Keras 2's ``Model.save_weights(path)`` without an ``.h5`` suffix writes a TensorFlow checkpoint
and records it in the directory's ``checkpoint`` state file (``model_checkpoint_path`` and
``all_model_checkpoint_paths``, paths relative to the directory), so that
``tf.train.latest_checkpoint(dir)`` finds the newest one: the TensorFlow tutorials save
``training_2/cp-{epoch:04d}.ckpt`` from a ModelCheckpoint callback and reload
``latest_checkpoint("training_2")``. tensorforge writes its weights file at the path itself
(engine/saving.py) and keeps the same state file, in TensorFlow's text format, so the two
calls pair up as they do in TensorFlow.
"""
import os
import re

STATE_FILE = "checkpoint"

_LINE = re.compile(r'^\s*(model_checkpoint_path|all_model_checkpoint_paths)\s*:\s*"(.*)"\s*$')
_NUMBER = re.compile(r'^\s*(all_model_checkpoint_timestamps|last_preserved_timestamp)\s*:\s*'
                     r'([-+0-9.eE]+)\s*$')


def update_checkpoint_state(prefix):
    """Record ``prefix`` (a weights file just written) as its directory's latest checkpoint.
    Keras 2 lists only this one in ``all_model_checkpoint_paths`` (save_weights passes
    ``[filepath]``). A prefix named ``checkpoint`` would be overwritten by the state file, so
    it is not recorded."""
    prefix = os.fspath(prefix)
    name = os.path.basename(prefix)
    if not name or name == STATE_FILE:
        return
    directory = os.path.dirname(prefix) or "."
    text = f'model_checkpoint_path: "{name}"\nall_model_checkpoint_paths: "{name}"\n'
    tmp = os.path.join(directory, f".{STATE_FILE}.tmp{os.getpid()}")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, os.path.join(directory, STATE_FILE))


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The state file's entries as a dict (``model_checkpoint_path``,
    ``all_model_checkpoint_paths``, ``all_model_checkpoint_timestamps``,
    ``last_preserved_timestamp``), relative paths joined to ``checkpoint_dir``; None when the
    directory has no state file."""
    path = os.path.join(os.fspath(checkpoint_dir), latest_filename or STATE_FILE)
    if not os.path.isfile(path):
        return None
    state = {"model_checkpoint_path": None, "all_model_checkpoint_paths": [],
             "all_model_checkpoint_timestamps": [], "last_preserved_timestamp": 0.0}
    with open(path) as f:
        for line in f:
            n = _NUMBER.match(line)
            if n:
                if n.group(1) == "last_preserved_timestamp":
                    state["last_preserved_timestamp"] = float(n.group(2))
                else:
                    state["all_model_checkpoint_timestamps"].append(float(n.group(2)))
                continue
            m = _LINE.match(line)
            if not m:
                continue
            p = m.group(2)
            if not os.path.isabs(p):
                p = os.path.join(os.fspath(checkpoint_dir), p)
            if m.group(1) == "model_checkpoint_path":
                state["model_checkpoint_path"] = p
            else:
                state["all_model_checkpoint_paths"].append(p)
    return state


def _exists(prefix):
    # tensorforge's weights file is the prefix itself; a TensorFlow V2 checkpoint is
    # prefix.index + prefix.data-*, which TensorFlow reports as existing too
    return os.path.isfile(prefix) or os.path.isfile(prefix + ".index")


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """``tf.train.latest_checkpoint``: the path of the directory's latest checkpoint (the state
    file's ``model_checkpoint_path``, joined to ``checkpoint_dir``), or None when there is no
    state file or the checkpoint it names is gone."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not state["model_checkpoint_path"]:
        return None
    prefix = state["model_checkpoint_path"]
    return prefix if _exists(prefix) else None


__all__ = ["latest_checkpoint", "get_checkpoint_state", "update_checkpoint_state"]
