// Bindings for the pointwise family on the GPU (kernels in pointwise.cu). Names, signatures and
// semantics are those of tensorforge.reference.pointwise (see its docstring), on CuPy arrays:
//   act_forward(x, kind, alpha) -> y            act_backward(dy, x, y, kind, alpha) -> dx
//   softmax_forward(x) -> y                     softmax_backward(dy, y) -> dx
//   softmax_xent_forward(logits, targets, sparse) -> (loss (N,), probs (N, C))
//   softmax_xent_backward(probs, targets, sparse, scale) -> dlogits
//   dropout_forward(x, rate, seed) -> (y, mask uint8)   dropout_backward(dy, mask, rate) -> dx
// Inputs must be C-contiguous float32 (the kernels layer makes them so); outputs come from CuPy's
// pool; kernels run on CuPy's current stream. Softmax runs over the last axis of any rank >= 1.
#include <cmath>
#include <string>

#include "tf/cuda_array.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace cuda;

CudaArray dense_input(const char* op, const char* arg, const py::handle& h) {
  CudaArray a = cuda_array(op, arg, h);
  require_nonempty(op, arg, a);
  require_c_contiguous(op, arg, a);
  return a;
}

int parse_kind(const char* op, const std::string& k) {
  static const char* names[] = {"relu", "leaky_relu", "elu", "selu", "softplus", "sigmoid",
                                "hard_sigmoid", "tanh", "linear", "relu6", "relu_max", "swish",
                                "gelu", "gelu_tanh"};
  for (int i = 0; i < 14; ++i)
    if (k == names[i]) return i;
  value_error(op, "unknown kind '", k, "' (expected relu, leaky_relu, elu, selu, softplus, "
              "sigmoid, hard_sigmoid, tanh, relu6, relu_max, swish, gelu, gelu_tanh or "
              "linear)");
}

bool kind_needs_y(int kind) {
  return kind == kActElu || kind == kActSelu || kind == kActSigmoid || kind == kActTanh;
}

py::object act_forward_cuda(const py::object& x_obj, const std::string& kind, double alpha) {
  const char* op = "act_forward";
  const int k = parse_kind(op, kind);
  CudaArray x = dense_input(op, "x", x_obj);
  CudaArray y = cupy_empty(x.shape);
  act_forward(current_stream(), x.size, x.ptr<const float>(), y.ptr<float>(), k, (float)alpha);
  return y.obj;
}

py::object act_backward_cuda(const py::object& dy_obj, const py::object& x_obj,
                             const py::object& y_obj, const std::string& kind, double alpha) {
  const char* op = "act_backward";
  const int k = parse_kind(op, kind);
  CudaArray dy = dense_input(op, "dy", dy_obj), x = dense_input(op, "x", x_obj);
  require_same_shape(op, "x", x, "dy", dy);
  const float* yp = x.ptr<const float>();  // unused by kinds that do not need y
  CudaArray y;
  if (!y_obj.is_none()) {
    y = dense_input(op, "y", y_obj);
    require_same_shape(op, "y", y, "dy", dy);
    yp = y.ptr<const float>();
  } else if (kind_needs_y(k)) {
    value_error(op, "kind '", kind, "' needs y = act_forward(x), got None");
  }
  CudaArray dx = cupy_empty(dy.shape);
  act_backward(current_stream(), dy.size, dy.ptr<const float>(), x.ptr<const float>(), yp,
               dx.ptr<float>(), k, (float)alpha);
  return dx.obj;
}

void rows_cols(const CudaArray& a, int64_t& N, int64_t& C) {
  C = a.shape.back();
  N = a.size / C;
}

py::object softmax_forward_cuda(const py::object& x_obj) {
  const char* op = "softmax_forward";
  CudaArray x = dense_input(op, "x", x_obj);
  if (x.ndim() < 1) value_error(op, "x must be at least 1-D, got shape ", x.shape_str());
  int64_t N, C;
  rows_cols(x, N, C);
  CudaArray y = cupy_empty(x.shape);
  softmax_forward(current_stream(), N, C, x.ptr<const float>(), y.ptr<float>());
  return y.obj;
}

py::object softmax_backward_cuda(const py::object& dy_obj, const py::object& y_obj) {
  const char* op = "softmax_backward";
  CudaArray dy = dense_input(op, "dy", dy_obj), y = dense_input(op, "y", y_obj);
  if (dy.ndim() < 1) value_error(op, "dy must be at least 1-D, got shape ", dy.shape_str());
  require_same_shape(op, "y", y, "dy", dy);
  int64_t N, C;
  rows_cols(dy, N, C);
  CudaArray dx = cupy_empty(dy.shape);
  softmax_backward(current_stream(), N, C, dy.ptr<const float>(), y.ptr<const float>(), dx.ptr<float>());
  return dx.obj;
}

// targets: dense float32 (N, C), or sparse int64/int32 labels (N,).
struct Targets {
  CudaArray arr;
  const float* dense = nullptr;
  const void* labels = nullptr;
  bool labels64 = false;
};

Targets read_targets(const char* op, const py::object& t_obj, bool sparse, int64_t N, int64_t C) {
  Targets t;
  if (sparse) {
    t.arr = cuda_array(op, "targets", t_obj, nullptr);
    if (t.arr.typestr != "<i8" && t.arr.typestr != "<i4")
      type_error(op, "targets must be int64 or int32 labels when sparse=True, got ",
                 dtype_name(t.arr.typestr), " with shape ", t.arr.shape_str());
    if (t.arr.ndim() != 1 || t.arr.shape[0] != N)
      value_error(op, "targets must have shape (", N, ",) when sparse=True, got ", t.arr.shape_str());
    require_c_contiguous(op, "targets", t.arr);
    t.labels = t.arr.data;
    t.labels64 = t.arr.typestr == "<i8";
  } else {
    t.arr = dense_input(op, "targets", t_obj);
    if (t.arr.ndim() != 2 || t.arr.shape[0] != N || t.arr.shape[1] != C)
      value_error(op, "targets must have shape (", N, ", ", C, ") when sparse=False, got ",
                  t.arr.shape_str());
    t.dense = t.arr.ptr<const float>();
  }
  return t;
}

py::tuple softmax_xent_forward_cuda(const py::object& logits_obj, const py::object& targets_obj,
                                    bool sparse) {
  const char* op = "softmax_xent_forward";
  CudaArray x = dense_input(op, "logits", logits_obj);
  require_ndim(op, "logits", x, 2, "(N, C)");
  const int64_t N = x.shape[0], C = x.shape[1];
  Targets t = read_targets(op, targets_obj, sparse, N, C);
  CudaArray loss = cupy_empty({N}), probs = cupy_empty({N, C});
  softmax_xent_forward(current_stream(), N, C, x.ptr<const float>(), t.dense, t.labels, t.labels64,
                       loss.ptr<float>(), probs.ptr<float>());
  return py::make_tuple(loss.obj, probs.obj);
}

py::object softmax_xent_backward_cuda(const py::object& probs_obj, const py::object& targets_obj,
                                      bool sparse, double scale) {
  const char* op = "softmax_xent_backward";
  CudaArray p = dense_input(op, "probs", probs_obj);
  require_ndim(op, "probs", p, 2, "(N, C)");
  const int64_t N = p.shape[0], C = p.shape[1];
  Targets t = read_targets(op, targets_obj, sparse, N, C);
  CudaArray d = cupy_empty({N, C});
  softmax_xent_backward(current_stream(), N, C, p.ptr<const float>(), t.dense, t.labels,
                        t.labels64, (float)scale, d.ptr<float>());
  return d.obj;
}

void check_rate(const char* op, double rate) {
  if (!(rate >= 0.0 && rate < 1.0)) value_error(op, "rate must be in [0, 1), got ", rate);
}

// The seed as an unsigned 64-bit integer, Python int taken mod 2**64 (as the reference does).
uint64_t seed_u64(const char* op, const py::object& seed) {
  if (!py::isinstance<py::int_>(seed))
    type_error(op, "seed must be an int, got ", py::str(py::type::of(seed)).cast<std::string>());
  py::object masked = seed & py::int_(py::reinterpret_steal<py::object>(PyLong_FromUnsignedLongLong(~0ULL)));
  return masked.cast<uint64_t>();
}

py::tuple dropout_forward_cuda(const py::object& x_obj, double rate, const py::object& seed) {
  const char* op = "dropout_forward";
  check_rate(op, rate);
  const uint64_t s = seed_u64(op, seed);
  CudaArray x = dense_input(op, "x", x_obj);
  CudaArray y = cupy_empty(x.shape), mask = cupy_empty(x.shape, "uint8");
  dropout_forward(current_stream(), x.size, x.ptr<const float>(), rate, s, y.ptr<float>(),
                  mask.ptr<uint8_t>());
  return py::make_tuple(y.obj, mask.obj);
}

py::object dropout_backward_cuda(const py::object& dy_obj, const py::object& mask_obj, double rate) {
  const char* op = "dropout_backward";
  check_rate(op, rate);
  CudaArray dy = dense_input(op, "dy", dy_obj);
  CudaArray mask = cuda_array(op, "mask", mask_obj, nullptr);
  if (mask.typestr != "|u1" && mask.typestr != "|b1")
    type_error(op, "mask must be uint8, got ", dtype_name(mask.typestr), " with shape ", mask.shape_str());
  require_c_contiguous(op, "mask", mask);
  require_same_shape(op, "mask", mask, "dy", dy);
  CudaArray dx = cupy_empty(dy.shape);
  dropout_backward(current_stream(), dy.size, dy.ptr<const float>(), mask.ptr<const uint8_t>(), rate,
                   dx.ptr<float>());
  return dx.obj;
}

}  // namespace

void bind_pointwise_cuda(pybind11::module_& m) {
  m.def("act_forward", &act_forward_cuda, py::arg("x"), py::arg("kind"), py::arg("alpha") = 0.0);
  m.def("act_backward", &act_backward_cuda, py::arg("dy"), py::arg("x"), py::arg("y"),
        py::arg("kind"), py::arg("alpha") = 0.0);
  m.def("softmax_forward", &softmax_forward_cuda, py::arg("x"));
  m.def("softmax_backward", &softmax_backward_cuda, py::arg("dy"), py::arg("y"));
  m.def("softmax_xent_forward", &softmax_xent_forward_cuda, py::arg("logits"), py::arg("targets"),
        py::arg("sparse") = false);
  m.def("softmax_xent_backward", &softmax_xent_backward_cuda, py::arg("probs"), py::arg("targets"),
        py::arg("sparse") = false, py::arg("scale") = 1.0);
  m.def("dropout_forward", &dropout_forward_cuda, py::arg("x"), py::arg("rate"), py::arg("seed"));
  m.def("dropout_backward", &dropout_backward_cuda, py::arg("dy"), py::arg("mask"), py::arg("rate"));
}

}  // namespace tf
