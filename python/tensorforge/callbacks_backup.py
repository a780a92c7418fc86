"""BackupAndRestore (Keras 2's keras.callbacks.BackupAndRestore): fault tolerance for fit.

    BackupAndRestore(backup_dir, save_freq="epoch", delete_checkpoint=True,
                     save_before_preemption=False)

At the end of every epoch (save_freq="epoch") or every ``save_freq`` training batches (an int)
the model's weights, its optimizer's state and iteration count, and the (epoch, batch) reached
are written to ``backup_dir``/chief/backup.tfm, atomically (a temporary file renamed over the
old one: Note [atomic save] in _fileio.py), so a crash while writing keeps the previous backup
whole. When fit starts (on_train_begin) with a backup present, the weights and the optimizer
state are restored and fit continues where the backup was made, as Keras 2's
``_maybe_load_initial_counters_from_ckpt`` decides: with save_freq="epoch" at the epoch after
the one backed up; with an int save_freq at the batch after the one backed up (the next epoch
if that was the epoch's last batch). The returned History holds the epochs run in this fit.
A fit that ends normally deletes the backup (delete_checkpoint=True), so the next fit starts
afresh; an exception leaves it for the next run.

Keras 2 writes a TensorFlow checkpoint; the file here is tensorforge's own .npz container
(not readable by TensorFlow). save_before_preemption (a TPU / cluster preemption signal) has no
meaning on one host: it is accepted and does nothing more.
"""
import os
import shutil

import numpy as np

from . import _fileio
from .callbacks_base import Callback

__all__ = ["BackupAndRestore", "resume_counters"]

_FORMAT, _VERSION = "tensorforge-backup", 1


def resume_counters(model, initial_epoch):
    """(epoch, step) a fit loop starts at, after its callbacks' on_train_begin: a
    BackupAndRestore's restored counters, else (initial_epoch, 0)."""
    state = model.__dict__.get("_training_state")
    return (initial_epoch, 0) if state is None else state.initial_counters(initial_epoch)


class _TrainingState:
    """The backup file of one fit and the counters restored from it."""

    def __init__(self, model, backup_dir, save_freq, steps=None):
        self.model, self.save_freq, self.steps = model, save_freq, steps
        self.path = os.path.join(os.fspath(backup_dir), "chief", "backup.tfm")
        self.epoch, self.batch = -1, -1  # restored counters (-1: nothing restored)

    def _params(self):
        return list(self.model.weights)

    def back_up(self, epoch, batch):
        params = self._params()
        arrays = {f"w/{i}": np.asarray(p.numpy()) for i, p in enumerate(params)}
        opt = getattr(self.model, "optimizer", None)
        counts = []
        if opt is not None and hasattr(opt, "get_state"):
            for i, st in enumerate(opt.get_state(params)):
                counts.append(len(st))
                for j, a in enumerate(st):
                    arrays[f"opt/{i}/{j}"] = np.asarray(a.get() if hasattr(a, "get") else a)
        meta = {"format": _FORMAT, "version": _VERSION, "epoch": int(epoch), "batch": int(batch),
                "shapes": [list(p.shape) for p in params], "optimizer_state": counts,
                "iterations": int(getattr(opt, "iterations", 0) or 0)}
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        _fileio.atomic_savez(self.path, meta, arrays)

    def restore(self):
        if not os.path.exists(self.path):
            return
        meta, arrays = _fileio.read(self.path, _FORMAT, _VERSION)
        with arrays:
            params = self._params()
            shapes = [list(p.shape) for p in params]
            if meta.get("shapes") != shapes:
                raise ValueError(f"BackupAndRestore: the backup {self.path!r} holds weights of "
                                 f"shapes {meta.get('shapes')}, the model has {shapes}: a "
                                 "backup of another model (remove it or use another backup_dir)")
            self.model.set_weights([arrays[f"w/{i}"] for i in range(len(params))])
            opt = getattr(self.model, "optimizer", None)
            counts = meta.get("optimizer_state") or []
            if opt is not None and counts:
                opt.set_state(params, [[arrays[f"opt/{i}/{j}"] for j in range(c)]
                                       for i, c in enumerate(counts)])
            if opt is not None:
                opt.iterations = int(meta.get("iterations", 0))
        self.epoch, self.batch = int(meta["epoch"]), int(meta["batch"])

    def initial_counters(self, initial_epoch):
        """Keras 2's maybe_load_initial_counters_from_ckpt (See the module doc)."""
        if self.epoch < 0:
            return initial_epoch, 0
        if isinstance(self.save_freq, int) and self.batch >= 0:
            if self.steps and self.batch == self.steps - 1:
                return self.epoch + 1, 0
            return self.epoch, self.batch + 1
        return self.epoch + 1, 0

    def delete_backup(self):
        shutil.rmtree(os.path.dirname(self.path), ignore_errors=True)


class BackupAndRestore(Callback):
    """Keras 2's BackupAndRestore (See the module doc)."""

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True,
                 save_before_preemption=False):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: backup_dir must be a directory path, got "
                             f"{backup_dir!r}")
        if save_freq != "epoch" and save_freq is not False and save_freq is not None and (
                isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"BackupAndRestore: save_freq must be 'epoch', a positive int or "
                             f"False, got {save_freq!r}")
        if not save_freq and not save_before_preemption:
            raise ValueError("Either `save_freq` or `save_before_preemption` must be set.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = bool(delete_checkpoint)
        self.save_before_preemption = bool(save_before_preemption)
        self._batches_count = 0
        self._current_epoch = 0
        self._training_state = None

    def on_train_begin(self, logs=None):
        p = self.params or {}
        steps = p.get("steps") or (-(-p["samples"] // p["batch_size"])
                                   if p.get("samples") and p.get("batch_size") else None)
        self._training_state = _TrainingState(self.model, self.backup_dir, self.save_freq, steps)
        self._training_state.restore()
        self.model.__dict__["_training_state"] = self._training_state

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq and self.save_freq != "epoch":
            self._batches_count += 1
            if self._batches_count >= self.save_freq:
                self._batches_count = 0
                self._training_state.back_up(self._current_epoch, batch)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._training_state.back_up(epoch, 0)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint:
            self._training_state.delete_backup()
        self.model.__dict__.pop("_training_state", None)
        self._training_state = None
