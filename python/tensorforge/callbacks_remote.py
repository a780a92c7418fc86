"""RemoteMonitor (Keras 2's keras.callbacks.RemoteMonitor): at each epoch's end, POSTs
{'epoch': epoch, **logs} to ``root + path``: as a form field ``field`` holding the JSON text
(the default), or as a JSON body (send_as_json=True), with ``headers``. A server that cannot be
reached logs Keras 2's warning "Warning: could not reach RemoteMonitor root server at <root>"
(logger 'tensorforge.callbacks') and training goes on; a server that answers, whatever its
status, is left alone, as Keras 2's requests.post does. Keras 2 posts with the `requests`
library; this uses the standard library's urllib, with a ``timeout`` (seconds, default 10) so a
server that accepts and never answers cannot stop training."""
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

from .callbacks_base import Callback

__all__ = ["RemoteMonitor"]

_log = logging.getLogger("tensorforge.callbacks")


class RemoteMonitor(Callback):
    """Keras 2's RemoteMonitor (See the module doc)."""

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data",
                 headers=None, send_as_json=False, timeout=10.0):
        super().__init__()
        self.root, self.path, self.field = root, path, field
        self.headers = headers
        self.send_as_json = bool(send_as_json)
        self.timeout = float(timeout)

    def on_epoch_end(self, epoch, logs=None):
        send = {"epoch": epoch}
        for k, v in (logs or {}).items():
            send[k] = v.item() if isinstance(v, (np.ndarray, np.generic)) else v
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(str(self.root) + str(self.path), data=body,
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError:
            pass  # the server answered (requests.post raises on no status either)
        except (urllib.error.URLError, OSError, ValueError):
            _log.warning("Warning: could not reach RemoteMonitor root server at %s", self.root)
