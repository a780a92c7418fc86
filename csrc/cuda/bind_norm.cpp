// Bindings for batch normalization on the GPU (kernels in norm.cu). Names, signatures and
// semantics are those of tensorforge.reference.norm (its docstring), on CuPy float32 arrays:
//   batch_norm_forward_train(x, gamma, beta, moving_mean, moving_variance, axis, momentum,
//                            epsilon, bessel=True) -> (y, mean, inv_std)
//                            (moving_* updated in place; bessel: the variance's n/(n-1))
//   batch_norm_forward_infer(x, gamma, beta, moving_mean, moving_variance, axis, epsilon) -> y
//   batch_norm_backward(dy, x, mean, inv_std, gamma, axis) -> (dx, dgamma, dbeta)
#include <cmath>
#include <cstdint>

#include "tf/cuda_array.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace cuda;

struct View {
  int64_t A = 1, C = 1, B = 1;
};

CudaArray dense(const char* op, const char* arg, const py::handle& h, bool allow_empty = false) {
  CudaArray a = cuda_array(op, arg, h);
  if (a.ndim() < 1) value_error(op, arg, " must have at least one axis, got a 0-D array");
  if (!allow_empty) require_nonempty(op, arg, a);
  require_c_contiguous(op, arg, a);
  return a;
}

View view(const char* op, const CudaArray& x, int64_t axis) {
  const int64_t nd = x.ndim();
  if (axis < -nd || axis >= nd)
    value_error(op, "axis must be in [", -nd, ", ", nd, ") for x of shape ", x.shape_str(), ", got ", axis);
  if (axis < 0) axis += nd;
  View v;
  v.C = x.shape[axis];
  for (int64_t d = 0; d < axis; ++d) v.A *= x.shape[d];
  for (int64_t d = axis + 1; d < nd; ++d) v.B *= x.shape[d];
  return v;
}

// A per-channel (C,) float32 array, or None (-> nullptr) when optional.
const float* channel_vec(const char* op, const char* arg, const py::handle& h, int64_t C,
                         const CudaArray& x, bool optional, CudaArray& keep) {
  if (optional && h.is_none()) return nullptr;
  keep = cuda_array(op, arg, h);
  if (keep.ndim() != 1 || keep.shape[0] != C)
    value_error(op, arg, " must have shape (", C, ",) (one value per channel of x ", x.shape_str(),
                "), got ", keep.shape_str());
  require_c_contiguous(op, arg, keep);
  return keep.ptr<const float>();
}

bool overlaps(const CudaArray& a, const CudaArray& b) {
  if (a.size == 0 || b.size == 0 || !a.data || !b.data) return false;
  const uintptr_t a0 = (uintptr_t)a.data, a1 = a0 + (uintptr_t)(a.size * a.itemsize);
  const uintptr_t b0 = (uintptr_t)b.data, b1 = b0 + (uintptr_t)(b.size * b.itemsize);
  return a0 < b1 && b0 < a1;
}

float finite(const char* op, const char* arg, double v) {
  if (!std::isfinite(v)) value_error(op, arg, " must be finite, got ", v);
  return (float)v;
}

py::tuple forward_train(const py::object& x_o, const py::object& gamma_o, const py::object& beta_o,
                        const py::object& mm_o, const py::object& mv_o, int64_t axis,
                        double momentum, double epsilon, bool bessel) {
  const char* op = "batch_norm_forward_train";
  CudaArray x = dense(op, "x", x_o);
  const View v = view(op, x, axis);
  const float m = finite(op, "momentum", momentum), eps = finite(op, "epsilon", epsilon);
  if (eps < 0) value_error(op, "epsilon must be >= 0, got ", epsilon);
  CudaArray g, b, mm, mv;
  const float* G = channel_vec(op, "gamma", gamma_o, v.C, x, true, g);
  const float* Bt = channel_vec(op, "beta", beta_o, v.C, x, true, b);
  channel_vec(op, "moving_mean", mm_o, v.C, x, false, mm);
  channel_vec(op, "moving_variance", mv_o, v.C, x, false, mv);
  require_writable(op, "moving_mean", mm);
  require_writable(op, "moving_variance", mv);
  for (const CudaArray* o : {&x, &g, &b})
    if (overlaps(mm, *o) || overlaps(mv, *o))
      value_error(op, "the moving statistics are updated in place and must not share memory with "
                      "x, gamma or beta");
  if (overlaps(mm, mv)) value_error(op, "moving_mean and moving_variance must not share memory");
  int64_t P, per;
  batch_norm_parts(v.A, v.C, v.B, P, per);
  CudaArray y = cupy_empty(x.shape), mean = cupy_empty({v.C}), inv = cupy_empty({v.C});
  CudaArray part = cupy_empty({2 * P * v.C}, "float64"), scratch = cupy_empty({3 * v.C});
  batch_norm_forward_train(current_stream(), v.A, v.C, v.B, x.ptr<const float>(), G, Bt, eps, m,
                           bessel, y.ptr<float>(), mean.ptr<float>(), inv.ptr<float>(),
                           mm.ptr<float>(), mv.ptr<float>(), part.ptr<double>(),
                           scratch.ptr<float>());
  return py::make_tuple(y.obj, mean.obj, inv.obj);
}

py::object forward_infer(const py::object& x_o, const py::object& gamma_o, const py::object& beta_o,
                         const py::object& mm_o, const py::object& mv_o, int64_t axis, double epsilon) {
  const char* op = "batch_norm_forward_infer";
  CudaArray x = dense(op, "x", x_o, true);
  const View v = view(op, x, axis);
  const float eps = finite(op, "epsilon", epsilon);
  if (eps < 0) value_error(op, "epsilon must be >= 0, got ", epsilon);
  CudaArray g, b, mm, mv;
  const float* G = channel_vec(op, "gamma", gamma_o, v.C, x, true, g);
  const float* Bt = channel_vec(op, "beta", beta_o, v.C, x, true, b);
  const float* MM = channel_vec(op, "moving_mean", mm_o, v.C, x, false, mm);
  const float* MV = channel_vec(op, "moving_variance", mv_o, v.C, x, false, mv);
  CudaArray y = cupy_empty(x.shape);
  if (x.size == 0) return y.obj;
  CudaArray scratch = cupy_empty({2 * v.C});
  batch_norm_forward_infer(current_stream(), v.A, v.C, v.B, x.ptr<const float>(), G, Bt, MM, MV, eps,
                           y.ptr<float>(), scratch.ptr<float>());
  return y.obj;
}

py::tuple backward(const py::object& dy_o, const py::object& x_o, const py::object& mean_o,
                   const py::object& inv_o, const py::object& gamma_o, int64_t axis) {
  const char* op = "batch_norm_backward";
  CudaArray dy = dense(op, "dy", dy_o), x = dense(op, "x", x_o);
  require_same_shape(op, "dy", dy, "x", x);
  const View v = view(op, x, axis);
  CudaArray mu, inv, g;
  const float* Mu = channel_vec(op, "mean", mean_o, v.C, x, false, mu);
  const float* Inv = channel_vec(op, "inv_std", inv_o, v.C, x, false, inv);
  const float* G = channel_vec(op, "gamma", gamma_o, v.C, x, true, g);
  int64_t P, per;
  batch_norm_parts(v.A, v.C, v.B, P, per);
  CudaArray dx = cupy_empty(x.shape), dgamma = cupy_empty({v.C}), dbeta = cupy_empty({v.C});
  CudaArray part = cupy_empty({2 * P * v.C}, "float64"), scratch = cupy_empty({3 * v.C});
  batch_norm_backward(current_stream(), v.A, v.C, v.B, dy.ptr<const float>(), x.ptr<const float>(),
                      Mu, Inv, G, dx.ptr<float>(), dgamma.ptr<float>(), dbeta.ptr<float>(),
                      part.ptr<double>(), scratch.ptr<float>());
  return py::make_tuple(dx.obj, dgamma.obj, dbeta.obj);
}

}  // namespace

void bind_norm_cuda(pybind11::module_& m) {
  m.def("batch_norm_forward_train", &forward_train, py::arg("x"), py::arg("gamma"), py::arg("beta"),
        py::arg("moving_mean"), py::arg("moving_variance"), py::arg("axis"), py::arg("momentum"),
        py::arg("epsilon"), py::arg("bessel").noconvert() = true);
  m.def("batch_norm_forward_infer", &forward_infer, py::arg("x"), py::arg("gamma"), py::arg("beta"),
        py::arg("moving_mean"), py::arg("moving_variance"), py::arg("axis"), py::arg("epsilon"));
  m.def("batch_norm_backward", &backward, py::arg("dy"), py::arg("x"), py::arg("mean"),
        py::arg("inv_std"), py::arg("gamma"), py::arg("axis"));
}

}  // namespace tf
