"""A small ONNX graph builder: unique names, initializers, nodes (opset-aware helpers)."""
import numpy as np

__all__ = ["GraphBuilder"]


class GraphBuilder:
    def __init__(self, onnx, opset):
        self.onnx = onnx
        self.helper = onnx.helper
        self.opset = opset
        self.nodes = []
        self.initializers = []
        self._names = set()

    def name(self, base):
        base = "".join(c if c.isalnum() or c in "_./" else "_" for c in base)
        n, i = base, 0
        while n in self._names:
            i += 1
            n = f"{base}_{i}"
        self._names.add(n)
        return n

    def const(self, array, base="const"):
        n = self.name(base)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), n))
        return n

    def i64(self, values, base="shape"):
        return self.const(np.asarray(values, dtype=np.int64), base)

    def node(self, op, inputs, base=None, n_out=1, **attrs):
        stem = base or op
        outs = [self.name(stem + (f"_out{i}" if n_out > 1 else "")) for i in range(n_out)]
        self.nodes.append(self.helper.make_node(op, list(inputs), outs,
                                                name=self.name(f"{base or op}_node"), **attrs))
        return outs[0] if n_out == 1 else outs

    # ---- helpers whose spelling changed between opsets --------------------------------------
    def reduce_mean(self, x, axes, keepdims=0, base="mean"):
        if self.opset >= 18:
            return self.node("ReduceMean", [x, self.i64(axes, "axes")], base, keepdims=keepdims)
        return self.node("ReduceMean", [x], base, axes=list(axes), keepdims=keepdims)

    def slice(self, x, starts, ends, axes, steps=None, base="slice"):
        ins = [x, self.i64(starts, "starts"), self.i64(ends, "ends"), self.i64(axes, "axes")]
        if steps is not None:
            ins.append(self.i64(steps, "steps"))
        return self.node("Slice", ins, base)

    def reverse_time(self, x, axis, base="reverse"):
        """x reversed along ``axis`` (a Slice with step -1)."""
        return self.slice(x, [-1], [-(2 ** 62)], [axis], [-1], base)

    def unsqueeze(self, x, axes, base="unsqueeze"):
        return self.node("Unsqueeze", [x, self.i64(axes, "axes")], base)

    def squeeze(self, x, axes, base="squeeze"):
        return self.node("Squeeze", [x, self.i64(axes, "axes")], base)
