"""The cuda backend's dispatch entries: each _C_cuda kernel behind one small adapter.

Note [host arrays on the cuda backend]
The CUDA bindings take CuPy arrays only. On the 'cuda' backend an op may still be handed NumPy
arrays: a layer called eagerly on a NumPy batch, weights built on the host, an op test's inputs.
The rule is the one TensorFlow follows for eager ops, with NumPy's types kept: **the kernel runs on
the GPU, and the result lives where the inputs lived.** When every array argument is already on
the device the kernel is called directly (one scan of the arguments' types is the whole cost:
Model.fit / evaluate / predict place weights and data on the device, Note [data on the device]
in _device.py, so training never takes the other branch). When some are NumPy arrays, they are
copied to the device, the kernel runs, and its results are copied back to the host (unless some
inputs were already on the device: then the results stay there too); an in-place
kernel (the optimizer updates, batch norm's moving statistics) also has each host array it was
given written back. Two copies per host array make this path slow, never wrong.

Beyond that, the adapters below close the places where a CUDA binding's signature differs from
the CPU one's or where it checks less:
- conv2d_backward: the CPU binding fuses the relu backward (``y``, dy * (y > 0)) and writes into
  gradient buffers (``dw_out``, ``db_out``); on the GPU the mask is one CuPy kernel before the
  call and the caller copies into the buffers (kernels/conv.py's ``into_output``).
- embedding_forward / embedding_backward: ids outside [0, V) make the CUDA kernel write a zero row
  and drop the gradient; a silent wrong answer, so the adapter checks the range with one fused
  device reduction (one device->host sync) and raises the reference's error.
"""
import numpy as np

INPLACE = frozenset({"sgd_update", "rmsprop_update", "adam_update", "adagrad_update",
                     "batch_norm_forward_train"})


def _cupy():
    import cupy
    return cupy


def _to_host(out):
    if type(out).__module__.split(".")[0] == "cupy":
        return out.get()
    if type(out) is tuple or type(out) is list:
        return type(out)(_to_host(o) for o in out)
    return out


def _on_host(name, fn, args, kwargs):
    """Run ``fn`` with every NumPy argument copied to the device; results back on the host."""
    cp = _cupy()
    dev_args = [cp.asarray(a) if type(a) is np.ndarray else a for a in args]
    dev_kwargs = {k: cp.asarray(v) if type(v) is np.ndarray else v for k, v in kwargs.items()}
    out = fn(*dev_args, **dev_kwargs)
    if name in INPLACE:
        for h, d in zip(list(args) + list(kwargs.values()),
                        dev_args + list(dev_kwargs.values())):
            if type(h) is np.ndarray and h.flags.writeable:
                np.copyto(h, d.get())
    if any(type(a).__module__.split(".")[0] == "cupy"
           for a in list(args) + list(kwargs.values())):
        return out  # some inputs lived on the GPU: so do the results (Note [mixed host and
        #             device operands] in _xp.py)
    return _to_host(out)


def wrap(name, fn):
    """The dispatch-table entry for the CUDA kernel ``fn`` named ``name``."""
    adapter = _ADAPTERS.get(name)
    kernel = fn if adapter is None else adapter(fn)

    def cuda_kernel(*args, **kwargs):
        for a in args:
            if type(a) is np.ndarray:
                return _on_host(name, kernel, args, kwargs)
        for a in kwargs.values():
            if type(a) is np.ndarray:
                return _on_host(name, kernel, args, kwargs)
        return kernel(*args, **kwargs)

    cuda_kernel.__name__ = cuda_kernel.__qualname__ = name
    cuda_kernel.__doc__ = fn.__doc__
    cuda_kernel.__wrapped__ = fn
    return cuda_kernel


def _conv2d_backward(fn):
    def conv2d_backward(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, need_dx, need_dw, need_db,
                        y=None, dw_out=None, db_out=None):
        if y is not None:  # the fused relu backward of the CPU binding
            dy = dy * (y > 0)
        return fn(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, need_dx, need_dw, need_db)
    return conv2d_backward


def _check_ids(op, ids, V):
    cp = _cupy()
    if ids.size and bool(cp.any((ids < 0) | (ids >= V))):
        from .reference.embedding import check_ids_range
        check_ids_range(op, ids.get(), V)


def _embedding_forward(fn):
    def embedding_forward(table, ids):
        _check_ids("embedding_forward", ids, table.shape[0])
        return fn(table, ids)
    return embedding_forward


def _embedding_backward(fn):
    def embedding_backward(dy, ids, V):
        _check_ids("embedding_backward", ids, V)
        return fn(dy, ids, V)
    return embedding_backward


_ADAPTERS = {"conv2d_backward": _conv2d_backward,
             "embedding_forward": _embedding_forward,
             "embedding_backward": _embedding_backward}
