"""Keras 2's keras.utils.TimedThread: ``on_interval()`` (defined by a subclass) called in a
daemon thread every ``interval`` seconds, first at start(), until stop(); a context manager
(start on enter, stop on exit). ``**kwargs`` go to threading.Thread (daemon=True unless
given). It can also be a Callback (subclass both), as Keras 2's docs show."""
import logging
import threading

__all__ = ["TimedThread"]


class TimedThread:
    def __init__(self, interval, **kwargs):
        self.interval = interval
        self.daemon = kwargs.pop("daemon", True)
        self.thread_kwargs = kwargs
        self.thread = None
        self.thread_stop_event = None

    def _call_on_interval(self):
        while not self.thread_stop_event.is_set():
            self.on_interval()
            self.thread_stop_event.wait(self.interval)

    def start(self):
        """Create and start the thread (a warning, and nothing more, if it runs already)."""
        if self.thread and self.thread.is_alive():
            logging.getLogger("tensorforge").warning("Thread is already running.")
            return
        self.thread = threading.Thread(target=self._call_on_interval, daemon=self.daemon,
                                       **self.thread_kwargs)
        self.thread_stop_event = threading.Event()
        self.thread.start()

    def stop(self):
        """Ask the thread to stop (it ends after its current on_interval call)."""
        if self.thread_stop_event:
            self.thread_stop_event.set()

    def is_alive(self):
        return bool(self.thread and self.thread.is_alive())

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *args, **kwargs):
        self.stop()

    def on_interval(self):
        """User-defined behaviour, called in the thread every ``interval`` seconds."""
        raise NotImplementedError("Runs every x interval seconds. Needs to be implemented in "
                                  "subclasses of `TimedThread`")
