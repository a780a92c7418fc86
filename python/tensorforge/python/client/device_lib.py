"""``tensorflow.python.client.device_lib.list_local_devices()``, the GPU check of programs of
the TensorFlow 1.x - 2.x years: the host CPU, then each GPU the cuda backend sees, as TensorFlow's
DeviceAttributes (``name`` "/device:CPU:0", ``device_type``, ``memory_limit``,
``physical_device_desc``)."""


class DeviceAttributes:
    def __init__(self, name, device_type, memory_limit, physical_device_desc=""):
        self.name, self.device_type = name, device_type
        self.memory_limit, self.physical_device_desc = memory_limit, physical_device_desc
        self.incarnation = 0
        self.locality = {}

    def __repr__(self):
        return (f'name: "{self.name}"\ndevice_type: "{self.device_type}"\n'
                f"memory_limit: {self.memory_limit}\n"
                f'physical_device_desc: "{self.physical_device_desc}"\n')


def list_local_devices(session_config=None):
    from ... import tf_config
    out = [DeviceAttributes("/device:CPU:0", "CPU", 268435456)]
    for i, dev in enumerate(tf_config.list_physical_devices("GPU")):
        details = tf_config.get_device_details(dev)
        out.append(DeviceAttributes(f"/device:GPU:{i}", "GPU", 0,
                                    f"device: {i}, name: {details.get('device_name', 'GPU')}"))
    return out
