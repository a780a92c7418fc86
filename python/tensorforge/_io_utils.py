"""Keras 2's interactive-logging switch (keras.utils.enable_interactive_logging /
disable_interactive_logging / is_interactive_logging_enabled, utils/io_utils.py there), kept
out of utils/ so the callbacks can import it: utils/ imports the callbacks.

Enabled (the default, per thread as Keras 2's threading.local flag): the progress bar and the
callbacks' messages go to stdout. Disabled: each finished line goes to the logger
'tensorforge' at INFO level instead (Keras 2 sends them to absl logging.info), so nothing
reaches stdout.
"""
import logging
import sys
import threading

__all__ = ["enable_interactive_logging", "disable_interactive_logging",
           "is_interactive_logging_enabled", "print_msg", "default_stream"]

_STATE = threading.local()
_log = logging.getLogger("tensorforge")


def enable_interactive_logging():
    """Progress bars and messages to stdout (the default)."""
    _STATE.enabled = True


def disable_interactive_logging():
    """Progress bars and messages to the 'tensorforge' logger (INFO) instead of stdout."""
    _STATE.enabled = False


def is_interactive_logging_enabled():
    return getattr(_STATE, "enabled", True)


class _LogStream:
    """A write-only text stream that hands each finished line to the logger; a progress bar
    redrawn with '\\r' logs only its last state of the line."""

    def __init__(self):
        self._line = ""

    def write(self, s):
        self._line += s
        *done, self._line = self._line.split("\n")
        for line in done:
            line = line.rsplit("\r", 1)[-1].rstrip()
            if line:
                _log.info(line)
        return len(s)

    def flush(self):
        pass

    def isatty(self):
        return False


def default_stream():
    """Where a progress bar without an explicit stream writes: stdout, or a stream into the
    logger when interactive logging is disabled."""
    return sys.stdout if is_interactive_logging_enabled() else _LogStream()


def print_msg(message, line_break=True):
    """Keras 2's io_utils.print_msg: to stdout, or to the logger (INFO) when disabled."""
    if is_interactive_logging_enabled():
        sys.stdout.write(message + ("\n" if line_break else ""))
        sys.stdout.flush()
    else:
        _log.info(message)
