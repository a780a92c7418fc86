// Bindings for GEMM (kernels in csrc/cpu/gemm*.cpp, contract in tf/gemm.h).
//
// gemm(a, b, c=None, alpha=1.0, beta=0.0, trans_a=False, trans_b=False, bias=None,
//      activation=None) -> array
// Same signature and semantics as tensorforge.reference.gemm. a and b may be any strided views
// (the kernel packs through their strides, no copy); c, when given, is updated in place and
// returned. float32 runs sgemm, float64 runs dgemm.
//
// gemm_batched(a, b) -> array
// np.matmul for a and b of rank >= 2: (..., M, K) @ (..., K, N) -> (batch..., M, N) with the
// batch dimensions broadcast as NumPy does, as tensorforge.reference.gemm_batched. a and b may be
// any strided views (swapaxes for a transpose, the attention layers' per-head transposes): the
// kernel reads through their strides (Note [batch levels] in tf/gemm_batch.h). Only a batch
// layout that needs three levels is copied first. float32 runs sgemm_batched, float64
// dgemm_batched.
#include <string>
#include <vector>

#include "tf/bind_util.h"
#include "tf/gemm.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

Act parse_act(const char* op, const py::object& activation) {
  if (activation.is_none()) return Act::none;
  std::string s = py::str(activation);
  if (s == "relu") return Act::relu;
  if (s == "linear" || s == "none") return Act::none;
  value_error(op, "activation must be None or 'relu', got '", s, "'");
}

template <typename T>
py::array gemm_impl(py::array a, py::array b, const py::object& c_obj, double alpha,
                    double beta, bool trans_a, bool trans_b, const py::object& bias_obj,
                    Act act) {
  const char* op = "gemm";
  require_ndim(op, "a", a, 2, "(M, K)");
  require_ndim(op, "b", b, 2, "(K, N)");
  require_nonempty(op, "a", a);
  require_nonempty(op, "b", b);
  index_t M = trans_a ? a.shape(1) : a.shape(0);
  index_t Ka = trans_a ? a.shape(0) : a.shape(1);
  index_t Kb = trans_b ? b.shape(1) : b.shape(0);
  index_t N = trans_b ? b.shape(0) : b.shape(1);
  if (Ka != Kb)
    value_error(op, "inner dimensions differ: op(a) is (", M, ", ", Ka, ") from a ", shape_str(a),
                ", op(b) is (", Kb, ", ", N, ") from b ", shape_str(b));
  index_t K = Ka;

  py::array bias_arr;  // (a default py::array is an empty array, not null: test has_bias)
  const bool has_bias = !bias_obj.is_none();
  if (has_bias) {
    bias_arr = as_array<T>(op, "bias", bias_obj);
    if (bias_arr.ndim() != 1 || bias_arr.shape(0) != N)
      value_error(op, "bias must have shape (", N, ",) for N = ", N, ", got ", shape_str(bias_arr));
    require_c_contiguous(op, "bias", bias_arr);
  }

  py::array c;
  if (c_obj.is_none()) {
    if (beta != 0.0) value_error(op, "beta = ", beta, " needs c, but c is None");
    check_output_size(op, "c", {(py::ssize_t)M, (py::ssize_t)N}, sizeof(T));
    c = empty<T>({(py::ssize_t)M, (py::ssize_t)N});
  } else {
    c = as_inplace_array<T>(op, "c", c_obj);
    require_ndim(op, "c", c, 2, "(M, N)");
    if (c.shape(0) != M || c.shape(1) != N)
      value_error(op, "c must have shape (", M, ", ", N, "), got ", shape_str(c));
    require_writable(op, "c", c);
    if (c.strides(1) != (py::ssize_t)sizeof(T) || c.strides(0) < (py::ssize_t)(N * sizeof(T)) ||
        c.strides(0) % (py::ssize_t)sizeof(T) != 0)
      value_error(op, "c must have unit column stride and non-overlapping rows, got strides (",
                  c.strides(0), ", ", c.strides(1), ") bytes for shape ", shape_str(c));
  }
  if (!c_obj.is_none()) {
    // c is written while a, b and bias are read: an input sharing c's memory is read from a
    // copy (the kernel would otherwise read values it has already overwritten).
    if (overlaps(c, a)) a = aligned_copy(a);
    if (overlaps(c, b)) b = aligned_copy(b);
    if (has_bias && overlaps(c, bias_arr)) bias_arr = aligned_copy(bias_arr);
  }
  const T* bias = has_bias ? static_cast<const T*>(bias_arr.data()) : nullptr;
  index_t rsA = elem_stride(op, "a", a, 0), csA = elem_stride(op, "a", a, 1);
  if (trans_a) std::swap(rsA, csA);
  index_t rsB = elem_stride(op, "b", b, 0), csB = elem_stride(op, "b", b, 1);
  if (trans_b) std::swap(rsB, csB);
  index_t ldc = c.strides(0) / (py::ssize_t)sizeof(T);
  const T* A = static_cast<const T*>(a.data());
  const T* B = static_cast<const T*>(b.data());
  T* C = static_cast<T*>(c.mutable_data());
  {
    py::gil_scoped_release nogil;
    if constexpr (std::is_same_v<T, float>)
      sgemm(M, N, K, (float)alpha, A, rsA, csA, B, rsB, csB, (float)beta, C, ldc, bias, act);
    else
      dgemm(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, act);
  }
  return c;
}

// The batch dimensions of x (all but its last two) as a (size, element stride) list aligned to the
// right of `nd` broadcast dimensions (already checked to broadcast): missing and size-1
// dimensions get stride 0.
void batch_strides(const char* op, const char* arg, const py::array& x, size_t nd,
                   std::vector<index_t>& n, std::vector<index_t>& s) {
  const size_t xb = (size_t)x.ndim() - 2, off = nd - xb;
  for (size_t d = 0; d < xb; ++d)
    if (x.shape(d) != 1) {
      n[off + d] = x.shape(d);
      s[off + d] = elem_stride(op, arg, x, (int)d);
    }
}

template <typename T>
py::array gemm_batched_impl(py::array a, py::array b) {
  const char* op = "gemm_batched";
  if (a.ndim() < 2 || b.ndim() < 2)
    value_error(op, "a and b must be at least 2-D (..., M, K) and (..., K, N), got shapes ",
                shape_str(a), " and ", shape_str(b));
  require_nonempty(op, "a", a);
  require_nonempty(op, "b", b);
  const int ra = (int)a.ndim(), rbk = (int)b.ndim();
  const index_t M = a.shape(ra - 2), K = a.shape(ra - 1), Kb = b.shape(rbk - 2), N = b.shape(rbk - 1);
  if (K != Kb)
    value_error(op, "inner dimensions differ: a is ", shape_str(a), " (K = ", K, "), b is ",
                shape_str(b), " (K = ", Kb, ")");
  const size_t nd = (size_t)std::max(ra, rbk) - 2;
  std::vector<py::ssize_t> out_shape(nd + 2);
  for (size_t d = 0; d < nd; ++d) {  // np.matmul's broadcast of the batch dimensions
    const py::ssize_t da = d + (size_t)ra - 2 >= nd ? a.shape(d + ra - 2 - nd) : 1;
    const py::ssize_t db = d + (size_t)rbk - 2 >= nd ? b.shape(d + rbk - 2 - nd) : 1;
    if (da != db && da != 1 && db != 1)
      value_error(op, "batch dimensions do not broadcast: a ", shape_str(a), ", b ", shape_str(b));
    out_shape[d] = std::max(da, db);
  }
  out_shape[nd] = M;
  out_shape[nd + 1] = N;
  check_output_size(op, "the result", out_shape, sizeof(T));
  py::array c = empty<T>(out_shape);

  // Batch layout (Note [batch levels]); C is C-contiguous, so its batch strides are products.
  GemmBatch bt;
  for (int attempt = 0;; ++attempt) {
    std::vector<index_t> n(nd, 1), sa(nd, 0), sb(nd, 0), sc(nd, 0);
    batch_strides(op, "a", a, nd, n, sa);
    batch_strides(op, "b", b, nd, n, sb);
    index_t step = M * N;
    for (size_t d = nd; d-- > 0;) {
      sc[d] = out_shape[d] == 1 ? 0 : step;
      step *= out_shape[d];
    }
    if (plan_gemm_batch(n, sa, sb, sc, bt)) break;
    if (attempt > 0) value_error(op, "internal error: no batch layout for a ", shape_str(a), ", b ", shape_str(b));
    // three or more levels: a and b copied out to the full batch shape, which merges into one
    py::module_ np = py::module_::import("numpy");
    auto full = [&](const py::array& x) {
      py::tuple sh(nd + 2);
      for (size_t d = 0; d < nd; ++d) sh[d] = py::int_(out_shape[d]);
      sh[nd] = py::int_(x.shape(x.ndim() - 2));
      sh[nd + 1] = py::int_(x.shape(x.ndim() - 1));
      return py::array(np.attr("ascontiguousarray")(np.attr("broadcast_to")(x, sh)));
    };
    a = full(a);
    b = full(b);
  }
  const int la = (int)a.ndim(), lb = (int)b.ndim();  // (a and b may have been copied out)
  const index_t rsA = elem_stride(op, "a", a, la - 2), csA = elem_stride(op, "a", a, la - 1);
  const index_t rsB = elem_stride(op, "b", b, lb - 2), csB = elem_stride(op, "b", b, lb - 1);
  const T* A = static_cast<const T*>(a.data());
  const T* B = static_cast<const T*>(b.data());
  T* C = static_cast<T*>(c.mutable_data());
  // b shared by every slice and a's rows running on from slice to slice, as C's do: one GEMM of
  // count*M rows (e.g. (B, T, D) @ (D, U)), which packs b once.
  const bool rows_chain = bt.b[0] == 0 && bt.b[1] == 0 && (bt.inner == 1 || bt.a[1] == M * rsA) &&
                          (bt.outer == 1 || bt.a[0] == bt.inner * M * rsA);
  {
    py::gil_scoped_release nogil;
    if (rows_chain) {
      if constexpr (std::is_same_v<T, float>)
        sgemm(bt.count() * M, N, K, 1.0f, A, rsA, csA, B, rsB, csB, 0.0f, C, N, nullptr, Act::none);
      else
        dgemm(bt.count() * M, N, K, 1.0, A, rsA, csA, B, rsB, csB, 0.0, C, N, nullptr, Act::none);
    } else if constexpr (std::is_same_v<T, float>) {
      sgemm_batched(bt, M, N, K, A, rsA, csA, B, rsB, csB, C, N);
    } else {
      dgemm_batched(bt, M, N, K, A, rsA, csA, B, rsB, csB, C, N);
    }
  }
  return c;
}

}  // namespace

void bind_gemm(pybind11::module_& m) {
  m.def(
      "gemm",
      [](const py::object& a_obj, const py::object& b_obj, const py::object& c, double alpha,
         double beta, bool trans_a, bool trans_b, const py::object& bias,
         const py::object& activation) -> py::array {
        const char* op = "gemm";
        Act act = parse_act(op, activation);
        if (!py::isinstance<py::array>(a_obj))
          type_error(op, "a must be a numpy.ndarray, got ", py::str(py::type::of(a_obj)).cast<std::string>());
        py::array a0 = py::reinterpret_borrow<py::array>(a_obj);
        if (a0.dtype().is(py::dtype::of<double>()))
          return gemm_impl<double>(as_array<double>(op, "a", a_obj), as_array<double>(op, "b", b_obj),
                                   c, alpha, beta, trans_a, trans_b, bias, act);
        return gemm_impl<float>(as_array<float>(op, "a", a_obj), as_array<float>(op, "b", b_obj), c,
                                alpha, beta, trans_a, trans_b, bias, act);
      },
      py::arg("a"), py::arg("b"), py::arg("c") = py::none(), py::arg("alpha") = 1.0,
      py::arg("beta") = 0.0, py::arg("trans_a") = false, py::arg("trans_b") = false,
      py::arg("bias") = py::none(), py::arg("activation") = py::none(),
      "C = alpha * op(a) @ op(b) + beta * c (+ bias) (relu); c updated in place when given");
  m.def(
      "gemm_batched",
      [](const py::object& a_obj, const py::object& b_obj) -> py::array {
        const char* op = "gemm_batched";
        if (!py::isinstance<py::array>(a_obj))
          type_error(op, "a must be a numpy.ndarray, got ", py::str(py::type::of(a_obj)).cast<std::string>());
        py::array a0 = py::reinterpret_borrow<py::array>(a_obj);
        if (a0.dtype().is(py::dtype::of<double>()))
          return gemm_batched_impl<double>(as_array<double>(op, "a", a_obj), as_array<double>(op, "b", b_obj));
        return gemm_batched_impl<float>(as_array<float>(op, "a", a_obj), as_array<float>(op, "b", b_obj));
      },
      py::arg("a"), py::arg("b"),
      "np.matmul(a, b) for a, b of rank >= 2 (batch dimensions broadcast): one batched GEMM "
      "reading both through their strides");
}

}  // namespace tf
