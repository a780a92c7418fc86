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
//
// gemm_batched(a, b) -> cupy.ndarray
// np.matmul for CuPy float32 arrays of rank >= 2, batch dimensions broadcast: the twin of
// _C.gemm_batched (csrc/bindings/gemm.cpp), same checks and messages, same batch layout (Note
// [batch levels] in tf/gemm_batch.h: a layout needing three levels is copied with CuPy first);
// a b shared by every slice with a's rows running on from slice to slice is one GEMM of
// count*M rows. float64 runs the reference (cupy.matmul).
#include <string>
#include <utility>
#include <vector>

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

py::object gemm_batched_cuda(const py::object& a_obj, const py::object& b_obj) {
  const char* op = "gemm_batched";
  if (has_cai(a_obj) && a_obj.attr("__cuda_array_interface__")["typestr"].cast<std::string>() == "<f8") {
    py::object ref = py::module_::import("tensorforge.reference").attr("gemm_batched");
    return ref(a_obj, b_obj);
  }
  CudaArray a = cuda_array(op, "a", a_obj), b = cuda_array(op, "b", b_obj);
  if (a.ndim() < 2 || b.ndim() < 2)
    value_error(op, "a and b must be at least 2-D (..., M, K) and (..., K, N), got shapes ",
                a.shape_str(), " and ", b.shape_str());
  require_nonempty(op, "a", a);
  require_nonempty(op, "b", b);
  const int ra = a.ndim(), rb = b.ndim();
  const int64_t M = a.shape[ra - 2], K = a.shape[ra - 1], Kb = b.shape[rb - 2], N = b.shape[rb - 1];
  if (K != Kb)
    value_error(op, "inner dimensions differ: a is ", a.shape_str(), " (K = ", K, "), b is ",
                b.shape_str(), " (K = ", Kb, ")");
  const int nd = std::max(ra, rb) - 2;
  std::vector<int64_t> out_shape(nd + 2);
  for (int d = 0; d < nd; ++d) {  // np.matmul's broadcast of the batch dimensions
    const int64_t da = d + ra - 2 >= nd ? a.shape[d + ra - 2 - nd] : 1;
    const int64_t db = d + rb - 2 >= nd ? b.shape[d + rb - 2 - nd] : 1;
    if (da != db && da != 1 && db != 1)
      value_error(op, "batch dimensions do not broadcast: a ", a.shape_str(), ", b ", b.shape_str());
    out_shape[d] = std::max(da, db);
  }
  out_shape[nd] = M;
  out_shape[nd + 1] = N;
  CudaArray c = cupy_empty(out_shape);
  GemmBatch bt;
  for (int attempt = 0;; ++attempt) {
    std::vector<int64_t> n(nd, 1), sa(nd, 0), sb(nd, 0), sc(nd, 0);
    for (const CudaArray* x : {&a, &b}) {
      const int xb = x->ndim() - 2, off = nd - xb;
      std::vector<int64_t>& s = x == &a ? sa : sb;
      for (int d = 0; d < xb; ++d)
        if (x->shape[d] != 1) {
          n[off + d] = x->shape[d];
          s[off + d] = x->strides[d];
        }
    }
    int64_t step = M * N;
    for (int d = nd - 1; d >= 0; --d) {
      sc[d] = out_shape[d] == 1 ? 0 : step;
      step *= out_shape[d];
    }
    if (plan_gemm_batch(n, sa, sb, sc, bt)) break;
    if (attempt > 0) value_error(op, "internal error: no batch layout for a ", a.shape_str(), ", b ", b.shape_str());
    // three or more levels: a and b copied out to the full batch shape (one level)
    py::module_& cp = cupy_module();
    auto full = [&](const CudaArray& x, const char* arg) {
      py::tuple sh(nd + 2);
      for (int d = 0; d < nd; ++d) sh[d] = py::int_(out_shape[d]);
      sh[nd] = py::int_(x.shape[x.ndim() - 2]);
      sh[nd + 1] = py::int_(x.shape[x.ndim() - 1]);
      return cuda_array(op, arg, cp.attr("ascontiguousarray")(cp.attr("broadcast_to")(x.obj, sh)));
    };
    a = full(a, "a");
    b = full(b, "b");
  }
  if (bt.count() >= ((int64_t)1 << 31))  // the kernel numbers slices in 32 bits
    value_error(op, "at most 2**31 - 1 slices, got ", bt.count(), " from a ", a.shape_str(), ", b ",
                b.shape_str());
  const int la = a.ndim(), lb = b.ndim();
  const int64_t rsA = a.strides[la - 2], csA = a.strides[la - 1];
  const int64_t rsB = b.strides[lb - 2], csB = b.strides[lb - 1];
  const bool rows_chain = bt.b[0] == 0 && bt.b[1] == 0 && (bt.inner == 1 || bt.a[1] == M * rsA) &&
                          (bt.outer == 1 || bt.a[0] == bt.inner * M * rsA);
  if (rows_chain) {  // one GEMM of count*M rows (its split-K workspace from CuPy's pool)
    const int64_t rows = bt.count() * M;
    const int64_t wsize = sgemm_workspace_floats(rows, N, K);
    CudaArray ws;
    if (wsize > 0) ws = cupy_empty({wsize});
    sgemm(current_stream(), rows, N, K, 1.0f, a.ptr<const float>(), rsA, csA, b.ptr<const float>(),
          rsB, csB, 0.0f, c.ptr<float>(), N, nullptr, false, wsize > 0 ? ws.ptr<float>() : nullptr);
  } else {
    sgemm_batched(current_stream(), bt, M, N, K, a.ptr<const float>(), rsA, csA,
                  b.ptr<const float>(), rsB, csB, c.ptr<float>(), N);
  }
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
  m.def("gemm_batched", &gemm_batched_cuda, py::arg("a"), py::arg("b"),
        "np.matmul(a, b) for CuPy float32 arrays of rank >= 2 (batch dimensions broadcast): one "
        "batched GEMM reading both through their strides");
}

}  // namespace tf
