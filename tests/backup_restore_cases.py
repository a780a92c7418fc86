"""The callbacks of the BackupAndRestore scenarios in tests/test_keras14_callbacks.py, written
once for the test (tensorforge) and tools/keras14_refs.py (tf_keras 2.21)."""


def callbacks(keras):
    """(Crash, Seen): a callback raising at an (epoch, batch) -- or at an epoch's end when
    batch is None -- and one recording the [epoch, batch] pairs a fit runs."""
    class Crash(keras.callbacks.Callback):
        def __init__(self, epoch, batch=None):
            super().__init__()
            self.at = (epoch, batch)

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if (self.epoch, batch) == self.at:
                raise RuntimeError("crash")

        def on_epoch_end(self, epoch, logs=None):
            if self.at == (epoch, None):
                raise RuntimeError("crash")

    class Seen(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.batches = []

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_begin(self, batch, logs=None):
            self.batches.append([self.epoch, int(batch)])

    return Crash, Seen
