"""``tf.train.Coordinator``: stopping a group of Python threads together, as TF 1-era input
pipelines and TF 2 multi-threaded loops use it::

    coord = tf.train.Coordinator()
    threads = [threading.Thread(target=worker, args=(coord,)) for _ in range(4)]
    for t in threads: t.start()
    coord.join(threads)          # re-raises the first exception a worker reported

A worker loops ``while not coord.should_stop()``; any thread calls ``request_stop()`` (with an
exception to report it); ``stop_on_exception()`` is the ``with`` block that reports one.
``join`` waits for the threads, gives them ``stop_grace_period_secs`` after a stop request,
raises RuntimeError naming those still alive (unless ``ignore_live_threads``), then re-raises
the reported exception, as TensorFlow's. ``OutOfRangeError`` (the end of the input) stops the
threads without being re-raised, as TensorFlow's.
"""
import contextlib
import sys
import threading
import time

from .tf_debugging import OutOfRangeError

__all__ = ["Coordinator"]


class Coordinator:
    """See the module docstring."""

    def __init__(self, clean_stop_exception_types=None):
        self._clean = tuple(clean_stop_exception_types or (OutOfRangeError,))
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info = None
        self._registered = set()
        self._joined = False

    def request_stop(self, ex=None):
        """Ask every thread to stop; ``ex`` (an exception or an exc_info triple) is reported
        by ``join`` unless it is a clean-stop type or one was reported already."""
        with self._lock:
            if ex is not None and self._exc_info is None:
                info = ex if isinstance(ex, tuple) else (type(ex), ex, ex.__traceback__)
                if not issubclass(info[0], self._clean):
                    self._exc_info = info
            self._stop_event.set()

    def clear_stop(self):
        with self._lock:
            self._joined = False
            self._exc_info = None
            self._stop_event.clear()

    def should_stop(self):
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """Run the block; an exception in it requests a stop and is reported by ``join``."""
        try:
            yield
        except:  # noqa: E722 -- TensorFlow's: any exception, reported through join
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout=None):
        """True once a stop is requested, False when ``timeout`` seconds pass first."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread):
        with self._lock:
            self._registered.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        """Wait for ``threads`` (and the registered ones) to end, then re-raise a reported
        exception (see the module docstring)."""
        group = set(threads or []) | self._registered
        while any(t.is_alive() for t in group) and not self.wait_for_stop(0.05):
            pass
        deadline = time.time() + stop_grace_period_secs
        for t in group:
            t.join(max(0.0, deadline - time.time()))
        alive = [t.name for t in group if t.is_alive()]
        with self._lock:
            self._joined = True
            self._registered = set()
            info = self._exc_info
        if info is not None:
            raise info[1].with_traceback(info[2])
        if alive and not ignore_live_threads:
            raise RuntimeError(f"tf.train.Coordinator.join: coordinator stopped with threads "
                               f"still running: {' '.join(sorted(alive))}")

    @property
    def joined(self):
        return self._joined

    def raise_requested_exception(self):
        with self._lock:
            info = self._exc_info
        if info is not None:
            raise info[1].with_traceback(info[2])
