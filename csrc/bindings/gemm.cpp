// Bindings for GEMM (kernels in csrc/cpu/gemm.cpp, contract in tf/gemm.h).
//
// gemm(a, b, c=None, alpha=1.0, beta=0.0, trans_a=False, trans_b=False, bias=None,
//      activation=None) -> array
// Same signature and semantics as tensorforge.reference.gemm. a and b may be any strided views
// (the kernel packs through their strides, no copy); c, when given, is updated in place and
// returned. float32 runs sgemm, float64 runs dgemm.
#include <string>

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
}

}  // namespace tf
