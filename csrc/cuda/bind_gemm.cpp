// Binding for the CUDA GEMM (kernel in gemm.cu / gemm_kernel.cuh).
//
// gemm(a, b, c=None, alpha=1.0, beta=0.0, trans_a=False, trans_b=False, bias=None,
//      activation=None) -> cupy.ndarray
// Same signature and semantics as tensorforge.reference.gemm and _C.gemm, on CuPy float32 arrays:
// a and b may be any strided views (the kernel reads through their strides, no copy); c, when
// given, is updated in place and returned; otherwise a new (M, N) array comes from CuPy's pool.
// float64 (a is '<f8') runs the reference on CuPy (cuBLAS DGEMM): an explicit fp64 path, never a
// silent cast; mixed dtypes are a TypeError (b must then be float64 too, checked by CuPy's matmul
// and by kernels/gemm.py before this).
#include <string>
#include <utility>

#include "tf/cuda_array.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace cuda;

bool parse_relu(const char* op, const py::object& activation) {
  if (activation.is_none()) return false;
  std::string s = py::str(activation);
  if (s == "relu") return true;
  if (s == "linear" || s == "none") return false;
  value_error(op, "activation must be None or 'relu', got '", s, "'");
}

py::object gemm_cuda(const py::object& a_obj, const py::object& b_obj, const py::object& c_obj,
                     double alpha, double beta, bool trans_a, bool trans_b,
                     const py::object& bias_obj, const py::object& activation) {
  const char* op = "gemm";
  const bool relu = parse_relu(op, activation);
  // float64: no fp64 kernel here; the reference runs it on CuPy (cuBLAS DGEMM), in float64.
  if (has_cai(a_obj) && a_obj.attr("__cuda_array_interface__")["typestr"].cast<std::string>() == "<f8") {
    py::object ref = py::module_::import("tensorforge.reference").attr("gemm");
    return ref(a_obj, b_obj, c_obj, alpha, beta, trans_a, trans_b, bias_obj, activation);
  }
  CudaArray a = cuda_array(op, "a", a_obj), b = cuda_array(op, "b", b_obj);
  require_ndim(op, "a", a, 2, "(M, K)");
  require_ndim(op, "b", b, 2, "(K, N)");
  require_nonempty(op, "a", a);
  require_nonempty(op, "b", b);
  const int64_t M = trans_a ? a.shape[1] : a.shape[0], Ka = trans_a ? a.shape[0] : a.shape[1];
  const int64_t Kb = trans_b ? b.shape[1] : b.shape[0], N = trans_b ? b.shape[0] : b.shape[1];
  if (Ka != Kb)
    value_error(op, "inner dimensions differ: op(a) is (", M, ", ", Ka, ") from a ", a.shape_str(),
                ", op(b) is (", Kb, ", ", N, ") from b ", b.shape_str());
  int64_t rsA = a.strides[0], csA = a.strides[1], rsB = b.strides[0], csB = b.strides[1];
  if (trans_a) std::swap(rsA, csA);
  if (trans_b) std::swap(rsB, csB);

  const float* bias = nullptr;
  CudaArray bias_arr;
  if (cuda_array_opt(op, "bias", bias_obj, bias_arr)) {
    if (bias_arr.ndim() != 1 || bias_arr.shape[0] != N)
      value_error(op, "bias must have shape (", N, ",) for N = ", N, ", got ", bias_arr.shape_str());
    require_c_contiguous(op, "bias", bias_arr);
    bias = bias_arr.ptr<const float>();
  }

  CudaArray c;
  if (c_obj.is_none()) {
    if (beta != 0.0) value_error(op, "beta = ", beta, " needs c, but c is None");
    c = cupy_empty({M, N});
  } else {
    c = cuda_array(op, "c", c_obj);
    require_ndim(op, "c", c, 2, "(M, N)");
    if (c.shape[0] != M || c.shape[1] != N)
      value_error(op, "c must have shape (", M, ", ", N, "), got ", c.shape_str());
    require_writable(op, "c", c);
    if ((N > 1 && c.strides[1] != 1) || (M > 1 && c.strides[0] < N))
      value_error(op, "c must have unit column stride and non-overlapping rows, got strides (",
                  c.strides[0] * 4, ", ", c.strides[1] * 4, ") bytes for shape ", c.shape_str());
  }
  const int64_t ldc = M > 1 ? c.strides[0] : N;
  // split-K workspace from CuPy's pool (released when `ws` goes out of scope: CuPy's pool orders
  // the reuse of freed blocks on the stream, so the kernels still in flight keep their memory)
  const int64_t wsize = sgemm_workspace_floats(M, N, Ka);
  CudaArray ws;
  if (wsize > 0) ws = cupy_empty({wsize});
  sgemm(current_stream(), M, N, Ka, (float)alpha, a.ptr<const float>(), rsA, csA,
        b.ptr<const float>(), rsB, csB, (float)beta, c.ptr<float>(), ldc, bias, relu,
        wsize > 0 ? ws.ptr<float>() : nullptr);
  return c.obj;
}

}  // namespace

void bind_gemm_cuda(pybind11::module_& m) {
  m.def("gemm", &gemm_cuda, py::arg("a"), py::arg("b"), py::arg("c") = py::none(),
        py::arg("alpha") = 1.0, py::arg("beta") = 0.0, py::arg("trans_a") = false,
        py::arg("trans_b") = false, py::arg("bias") = py::none(),
        py::arg("activation") = py::none(),
        "C = alpha * op(a) @ op(b) + beta * c (+ bias) (relu) on CuPy float32 arrays; c updated "
        "in place when given");
}

}  // namespace tf
