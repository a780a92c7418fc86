"""``tf.queue.FIFOQueue``: TensorFlow's first-in first-out queue of tuples of tensors, eagerly.

Each element is a tuple of components, one per dtype in ``dtypes`` (with ``names``: a dict by
name), each of the fixed shape ``shapes`` gives (or any shape, without ``shapes``; then
``dequeue_many`` / ``dequeue_up_to`` raise, as TensorFlow's do). ``enqueue`` adds one element,
``enqueue_many`` the slices along the first dimension of its components, ``dequeue`` /
``dequeue_many(n)`` / ``dequeue_up_to(n)`` take them in order; one component comes back as a
Tensor, several as a list (a dict with ``names``), as TensorFlow returns them.

TensorFlow blocks an enqueue on a full queue and a dequeue on an empty one until another thread
acts on it. Eager code on one thread would then hang for ever: here those calls raise instead
(``tf.errors.OutOfRangeError`` for a dequeue, as TensorFlow raises once the queue is closed;
a RuntimeError for an enqueue past ``capacity``).
"""
import collections

import numpy as np

from ._text import as_bytes_array, dtype_of, is_text
from .autograd import Tensor
from .tf_debugging import InvalidArgumentError, OutOfRangeError

__all__ = ["FIFOQueue"]


class FIFOQueue:
    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None,
                 name="fifo_queue"):
        dts = list(dtypes) if isinstance(dtypes, (list, tuple)) else [dtypes]
        if not dts:
            raise ValueError("tf.queue.FIFOQueue: dtypes must name at least one component")
        self._dtypes = [dtype_of(d) for d in dts]
        if shapes is not None:
            shapes = list(shapes) if isinstance(shapes, (list, tuple)) and (
                not shapes or isinstance(shapes[0], (list, tuple)) or shapes[0] is None
                or hasattr(shapes[0], "as_list")) else [shapes]
            if len(shapes) != len(dts):
                raise ValueError(f"tf.queue.FIFOQueue: {len(dts)} dtypes but {len(shapes)} "
                                 "shapes: give one shape per component")
            shapes = [tuple(s.as_list() if hasattr(s, "as_list") else s) for s in shapes]
        if names is not None:
            names = list(names) if isinstance(names, (list, tuple)) else [names]
            if len(names) != len(dts):
                raise ValueError(f"tf.queue.FIFOQueue: {len(dts)} dtypes but {len(names)} names")
        self._shapes, self._names = shapes, names
        self._capacity = int(capacity)
        self._items = collections.deque()
        self._closed = False
        self.name = name

    @property
    def dtypes(self):
        return list(self._dtypes)

    @property
    def shapes(self):
        return list(self._shapes) if self._shapes is not None else None

    @property
    def names(self):
        return list(self._names) if self._names is not None else None

    def _components(self, op, vals):
        if self._names is not None:
            if not isinstance(vals, dict) or set(vals) != set(self._names):
                raise ValueError(f"tf.queue.FIFOQueue.{op}: a queue with names takes a dict "
                                 f"with the keys {self._names}, got {vals!r}")
            vals = [vals[n] for n in self._names]
        elif len(self._dtypes) == 1 and not (isinstance(vals, (list, tuple))
                                             and len(vals) == 1):
            vals = [vals]
        if not isinstance(vals, (list, tuple)) or len(vals) != len(self._dtypes):
            raise ValueError(f"tf.queue.FIFOQueue.{op}: expected {len(self._dtypes)} "
                             f"components, got {vals!r}")
        out = []
        for i, (v, dt) in enumerate(zip(vals, self._dtypes)):
            a = v.numpy() if hasattr(v, "numpy") else v
            a = np.asarray(a, dtype=object if dt == object else None)
            if dt == object:
                if a.size and not is_text(a):
                    raise TypeError(f"tf.queue.FIFOQueue.{op}: component {i} must be strings, "
                                    f"got {a.dtype}")
                a = as_bytes_array(a) if a.size else a
            else:
                if a.dtype == object or is_text(a):
                    raise TypeError(f"tf.queue.FIFOQueue.{op}: component {i} must be {dt}, got "
                                    "strings")
                a = a.astype(dt)
            out.append(a)
        return out

    def _check_shape(self, op, i, shape):
        want = self._shapes[i] if self._shapes is not None else None
        if want is not None and (len(want) != len(shape) or any(
                w is not None and w != s for w, s in zip(want, shape))):
            raise ValueError(f"tf.queue.FIFOQueue.{op}: component {i} has shape {list(shape)}, "
                             f"the queue's is {list(want)}")

    def _put(self, op, elements):
        if self._closed:
            raise RuntimeError(f"tf.queue.FIFOQueue.{op}: the queue '{self.name}' is closed")
        if len(self._items) + len(elements) > self._capacity:
            raise RuntimeError(f"tf.queue.FIFOQueue.{op}: {len(elements)} element(s) would "
                               f"pass the capacity {self._capacity} ({len(self._items)} queued); "
                               "TensorFlow would block until another thread dequeues")
        self._items.extend(elements)

    def enqueue(self, vals, name=None):
        comps = self._components("enqueue", vals)
        for i, a in enumerate(comps):
            self._check_shape("enqueue", i, a.shape)
        self._put("enqueue", [tuple(comps)])

    def enqueue_many(self, vals, name=None):
        comps = self._components("enqueue_many", vals)
        if any(a.ndim == 0 for a in comps):
            raise ValueError("tf.queue.FIFOQueue.enqueue_many: every component needs a first "
                             "(batch) dimension")
        n = {a.shape[0] for a in comps}
        if len(n) != 1:
            raise ValueError("tf.queue.FIFOQueue.enqueue_many: the components' first dimensions "
                             f"differ: {sorted(n)}")
        for i, a in enumerate(comps):
            self._check_shape("enqueue_many", i, a.shape[1:])
        self._put("enqueue_many", [tuple(np.asarray(a[j], dtype=a.dtype) for a in comps)
                                      for j in range(n.pop())])

    def _result(self, comps):
        ts = [Tensor(np.asarray(a, dtype=object)) if dt == object else Tensor(np.asarray(a, dt))
              for a, dt in zip(comps, self._dtypes)]
        if self._names is not None:
            return dict(zip(self._names, ts))
        return ts[0] if len(ts) == 1 else ts

    def _take(self, op, n, up_to=False):
        if n > len(self._items) and not (up_to and self._closed and self._items):
            state = "closed" if self._closed else "not closed: TensorFlow would block until " \
                "another thread enqueues"
            raise OutOfRangeError(None, None, f"tf.queue.FIFOQueue.{op}: the queue "
                                  f"'{self.name}' holds {len(self._items)} element(s), "
                                  f"{n} requested ({state})")
        return [self._items.popleft() for _ in range(min(n, len(self._items)))]

    def dequeue(self, name=None):
        (elem,) = self._take("dequeue", 1)
        return self._result(elem)

    def _stacked(self, op, n, up_to=False):
        if self._shapes is None:  # checked before any element is taken, as TensorFlow does
            raise InvalidArgumentError(None, None, f"tf.queue.FIFOQueue.{op}: FIFOQueue's "
                                       "DequeueMany and DequeueUpTo require the components to "
                                       "have specified shapes (give the queue shapes=)")
        elems = self._take(op, int(n), up_to)
        comps = []
        for i in range(len(self._dtypes)):
            parts = [e[i] for e in elems]
            comps.append(np.stack(parts) if parts else
                         np.zeros((0,) + tuple(self._shapes[i]), self._dtypes[i]))
        return self._result(comps)

    def dequeue_many(self, n, name=None):
        return self._stacked("dequeue_many", n)

    def dequeue_up_to(self, n, name=None):
        return self._stacked("dequeue_up_to", n, up_to=True)

    def size(self, name=None):
        return Tensor(np.int32(len(self._items)))

    def close(self, cancel_pending_enqueues=False, name=None):
        self._closed = True

    def is_closed(self, name=None):
        return Tensor(np.bool_(self._closed))
