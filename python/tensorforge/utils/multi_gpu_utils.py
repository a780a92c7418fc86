"""Keras 2.0.9-2.3's ``keras.utils.multi_gpu_model`` (removed in TensorFlow 2.4).

It replicated a model on ``gpus`` GPUs, splitting each batch between them; Keras refused it for
fewer than two GPUs or more than the machine has. tensorforge trains on one device, so a request
it cannot serve is refused as Keras refused it on such a machine (programs of that time wrap the
call in ``try``/``except ValueError`` and go on with the model itself). Where the GPUs are
there, the model itself is returned: it trains on one device, on the whole batch."""
import warnings


def multi_gpu_model(model, gpus=None, cpu_merge=True, cpu_relocation=False):
    from .. import tf_config
    available = [f"/gpu:{i}" for i, _ in enumerate(tf_config.list_physical_devices("GPU"))]
    if isinstance(gpus, (list, tuple)):
        if len(gpus) <= 1:
            raise ValueError("For multi-gpu usage to be effective, call `multi_gpu_model` with "
                             "`len(gpus) >= 2`. Received: `gpus=%s`" % (gpus,))
        n = len(gpus)
        wanted = [f"/gpu:{g}" for g in gpus]
    else:
        n = len(available) if gpus is None else int(gpus)
        if n <= 1:
            raise ValueError("For multi-gpu usage to be effective, call `multi_gpu_model` with "
                             f"`gpus >= 2`. Received: `gpus={n}`")
        wanted = [f"/gpu:{i}" for i in range(n)]
    devices = ["/cpu:0"] + available
    missing = [d for d in wanted if d not in available]
    if missing:
        raise ValueError(f"To call `multi_gpu_model` with `gpus={gpus}`, we expect the following "
                         f"devices to be available: {['/cpu:0'] + wanted}. However this machine "
                         f"only has: {devices}. Try reducing `gpus`.")
    warnings.warn(f"multi_gpu_model: tensorforge trains a model on one device; the model itself "
                  f"is returned (its batches are not split between the {n} GPUs)", stacklevel=2)
    return model
