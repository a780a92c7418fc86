"""Keras 2's data enqueuers (keras/utils/data_utils.py there): worker threads that prepare
batches ahead of the training loop into a bounded queue.

    SequenceEnqueuer(sequence, use_multiprocessing=False)      the base: start / stop / get
    OrderedEnqueuer(sequence, use_multiprocessing=False, shuffle=False)
        a ``Sequence``'s batches, in order (shuffled each epoch with shuffle=True), epoch after
        epoch until stop(); ``sequence.on_epoch_end()`` runs between epochs.
    GeneratorEnqueuer(generator, use_multiprocessing=False, random_seed=None)
        the generator's items, drawn by the workers one at a time (under a lock: a Python
        generator cannot run in two threads at once); get() ends when the generator is
        exhausted, after yielding what was already drawn.

start(workers=1, max_queue_size=10): a producer thread keeps at most ``max_queue_size``
batches pending, computed by ``workers`` threads; get() yields them (a generator);
stop(timeout=None) ends the workers and empties the queue. An exception in a worker is raised
from get() (after stop()), as Keras 2 does. use_multiprocessing=True asks Keras 2 for worker
processes; threads are used here (a warning says so).
"""
import queue
import random
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as _FutureTimeout  # (builtins' only from 3.11)

__all__ = ["SequenceEnqueuer", "OrderedEnqueuer", "GeneratorEnqueuer"]


class SequenceEnqueuer:
    """Keras 2's base enqueuer (See the module doc): subclasses define ``_produce`` (run by the
    producer thread: submit tasks, put their futures on ``self.queue``) and ``get``."""

    def __init__(self, sequence, use_multiprocessing=False):
        self.sequence = sequence
        self.use_multiprocessing = bool(use_multiprocessing)
        if self.use_multiprocessing:
            warnings.warn(f"{type(self).__name__}: use_multiprocessing=True runs worker threads "
                          "here, not processes", RuntimeWarning, stacklevel=2)
        self.workers = 0
        self.queue = None
        self.run_thread = None
        self.stop_signal = None
        self._executor = None

    def is_running(self):
        return self.stop_signal is not None and not self.stop_signal.is_set()

    def start(self, workers=1, max_queue_size=10):
        """Start ``workers`` worker threads keeping up to ``max_queue_size`` batches ready."""
        workers, max_queue_size = int(workers), int(max_queue_size)
        if workers < 1:
            raise ValueError(f"{type(self).__name__}.start: workers must be >= 1, got {workers}")
        if max_queue_size < 1:
            raise ValueError(f"{type(self).__name__}.start: max_queue_size must be >= 1, got "
                             f"{max_queue_size}")
        if self.is_running():
            raise RuntimeError(f"{type(self).__name__}.start: already running")
        self.workers = workers
        self.queue = queue.Queue(max_queue_size)
        self.stop_signal = threading.Event()
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix=type(self).__name__)
        self.run_thread = threading.Thread(target=self._run, daemon=True)
        self.run_thread.start()

    def _put(self, future):
        """Put ``future`` on the queue unless stopped (waits while the queue is full); False
        once stopped."""
        while not self.stop_signal.is_set():
            try:
                self.queue.put(future, timeout=0.1)
                return True
            except queue.Full:
                continue
        future.cancel()
        return False

    def _run(self):
        try:
            self._produce()
        finally:
            self._put_end()

    def _put_end(self):
        """A None after the last task: get() stops there."""
        while not self.stop_signal.is_set():
            try:
                self.queue.put(None, timeout=0.1)
                return
            except queue.Full:
                continue

    def _produce(self):
        raise NotImplementedError

    def stop(self, timeout=None):
        """Stop the workers, empty the queue and wait (up to ``timeout`` seconds) for the
        producer thread."""
        if self.stop_signal is None:
            return
        self.stop_signal.set()
        while True:
            try:
                f = self.queue.get_nowait()
            except queue.Empty:
                break
            if f is not None:
                f.cancel()
        if self.run_thread is not None and self.run_thread is not threading.current_thread():
            self.run_thread.join(timeout)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        self.run_thread = None

    def get(self):
        raise NotImplementedError

    def _results(self, until_end):
        """Yield the queued futures' results in order; a worker's exception stops the enqueuer
        and is raised. ``until_end``: stop at the producer's end marker."""
        while self.is_running():
            try:
                f = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if f is None:
                if until_end:
                    self.stop()
                    return
                continue
            try:
                item = f.result()
            except StopIteration:  # a finite generator ran out: the rest is yielded first
                continue
            except BaseException:
                self.stop()
                raise
            if item is not None:
                yield item


class OrderedEnqueuer(SequenceEnqueuer):
    """Keras 2's OrderedEnqueuer (See the module doc)."""

    def __init__(self, sequence, use_multiprocessing=False, shuffle=False):
        super().__init__(sequence, use_multiprocessing)
        self.shuffle = bool(shuffle)

    def _produce(self):
        order = list(range(len(self.sequence)))
        while not self.stop_signal.is_set():
            if self.shuffle:
                random.shuffle(order)
            futures = []
            for i in order:
                f = self._executor.submit(self.sequence.__getitem__, i)
                if not self._put(f):
                    return
                futures.append(f)
            for f in futures:  # the epoch's batches are done before on_epoch_end runs
                while not self.stop_signal.is_set():
                    try:
                        f.exception(timeout=0.1)
                        break
                    except _FutureTimeout:
                        continue
                    except BaseException:  # cancelled
                        return
            if self.stop_signal.is_set():
                return
            self.sequence.on_epoch_end()

    def get(self):
        """The batches, in order, epoch after epoch, until stop()."""
        yield from self._results(until_end=False)


class GeneratorEnqueuer(SequenceEnqueuer):
    """Keras 2's GeneratorEnqueuer (See the module doc)."""

    def __init__(self, generator, use_multiprocessing=False, random_seed=None):
        super().__init__(generator, use_multiprocessing)
        self.random_seed = random_seed
        self._lock = threading.Lock()
        self._exhausted = False

    def _next(self):
        with self._lock:
            if self._exhausted:
                raise StopIteration
            try:
                return next(self.sequence)
            except StopIteration:
                self._exhausted = True
                raise
            except ValueError as e:
                if "generator already executing" in str(e):
                    raise RuntimeError("Your generator is NOT thread-safe. Keras requires a "
                                       "thread-safe generator when `use_multiprocessing=False, "
                                       "workers > 1`.") from e
                raise

    def _produce(self):
        if self.random_seed is not None:
            random.seed(self.random_seed)
        while not self.stop_signal.is_set() and not self._exhausted:
            if not self._put(self._executor.submit(self._next)):
                return
        # (the futures already queued may still hold items: get() yields them, then ends)

    def get(self):
        """The generator's items until it is exhausted (or stop())."""
        yield from self._results(until_end=True)
