// Argument checking for the pybind11 bindings. Every check raises a Python TypeError or
// ValueError whose message names the op, the argument and the shapes, e.g.
//   "conv2d_forward: w must be 4-D (KH, KW, C_in, C_out), got shape (5, 5, 20)".
// The bindings accept py::array (not py::array_t<float>, which would silently cast), check,
// allocate outputs, release the GIL and call the kernel.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "tf/common.h"

namespace tf {
namespace bind {
namespace py = pybind11;

inline std::string shape_str(const py::array& a) {
  std::ostringstream s;
  s << "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s << (i ? ", " : "") << a.shape(i);
  if (a.ndim() == 1) s << ",";
  s << ")";
  return s.str();
}

inline std::string dtype_str(const py::array& a) { return py::str(a.dtype()).cast<std::string>(); }

template <typename... Args>
[[noreturn]] void value_error(const char* op, Args&&... parts) {
  std::ostringstream s;
  s << op << ": ";
  (s << ... << parts);
  throw py::value_error(s.str());
}

template <typename... Args>
[[noreturn]] void type_error(const char* op, Args&&... parts) {
  std::ostringstream s;
  s << op << ": ";
  (s << ... << parts);
  throw py::type_error(s.str());
}

// Note [aligned buffers]: a NumPy view may start at any byte (np.frombuffer(buf, offset=1), a
// field of a packed record array). Kernels load floats and ints through typed pointers, which is
// undefined behaviour when the address is not a multiple of the item's alignment (UBSan reports
// it; x86 happens to tolerate it today, a compiler need not). Inputs that are misaligned are
// copied here into a fresh (aligned, C-contiguous) array: the kernels never see them. Arrays a
// binding writes in place are refused instead (writing into a copy would drop the update).
inline bool misaligned(const py::array& a) {
  return a.size() > 0 &&
         reinterpret_cast<std::uintptr_t>(a.data()) % (std::uintptr_t)a.dtype().alignment() != 0;
}

inline py::array aligned_copy(const py::array& a) {
  return py::module_::import("numpy").attr("array")(a, py::arg("copy") = true, py::arg("order") = "C");
}

// Accept only numpy ndarrays (not lists, not CuPy arrays), of exactly dtype T; a misaligned
// input comes back as an aligned copy (Note [aligned buffers]).
template <typename T>
inline py::array as_array(const char* op, const char* arg, const py::handle& h) {
  if (!py::isinstance<py::array>(h))
    type_error(op, arg, " must be a numpy.ndarray, got ", py::str(py::type::of(h)).cast<std::string>());
  py::array a = py::reinterpret_borrow<py::array>(h);
  if (!a.dtype().equal(py::dtype::of<T>()))
    type_error(op, arg, " must be ", py::str(py::dtype::of<T>()).cast<std::string>(), ", got ",
               dtype_str(a), " with shape ", shape_str(a));
  if (misaligned(a)) return aligned_copy(a);
  return a;
}

// As as_array, for an array the op updates IN PLACE: a misaligned one is a ValueError.
template <typename T>
inline py::array as_inplace_array(const char* op, const char* arg, const py::handle& h) {
  if (!py::isinstance<py::array>(h))
    type_error(op, arg, " must be a numpy.ndarray, got ", py::str(py::type::of(h)).cast<std::string>());
  py::array a = py::reinterpret_borrow<py::array>(h);
  if (!a.dtype().equal(py::dtype::of<T>()))
    type_error(op, arg, " must be ", py::str(py::dtype::of<T>()).cast<std::string>(), ", got ",
               dtype_str(a), " with shape ", shape_str(a));
  if (misaligned(a))
    value_error(op, arg, " is updated in place and must be aligned to its item size (",
                a.dtype().alignment(), " bytes), got a buffer at an odd address with shape ",
                shape_str(a), " (copy it first: numpy.array(", arg, "))");
  return a;
}

// [lo, hi) byte range an array's elements span (strides may be negative); empty for size 0.
inline void byte_span(const py::array& a, std::intptr_t& lo, std::intptr_t& hi) {
  lo = hi = reinterpret_cast<std::intptr_t>(a.data());
  if (a.size() == 0) return;
  for (py::ssize_t d = 0; d < a.ndim(); ++d) {
    const std::intptr_t ext = (std::intptr_t)(a.shape(d) - 1) * (std::intptr_t)a.strides(d);
    if (ext < 0) lo += ext; else hi += ext;
  }
  hi += a.itemsize();
}

// True when the memory of a and b may overlap (their byte ranges intersect): the conservative
// test numpy.may_share_memory makes, which is what an in-place kernel needs.
inline bool overlaps(const py::array& a, const py::array& b) {
  if (a.size() == 0 || b.size() == 0) return false;
  std::intptr_t alo, ahi, blo, bhi;
  byte_span(a, alo, ahi);
  byte_span(b, blo, bhi);
  return alo < bhi && blo < ahi;
}

// Note [geometry overflow]: integer geometry comes from Python ints (any int64). Every product
// and sum a binding forms from it is checked, so a huge stride, dilation or pad is a ValueError
// rather than a signed overflow (undefined behaviour) that skips a loop or sizes a buffer wrong.
// kGeomMax bounds every derived extent so the kernels' own index arithmetic (an extent times a
// small factor) stays far from overflow too.
constexpr index_t kGeomMax = (index_t)1 << 40;

inline index_t checked_mul(const char* op, const char* what, index_t a, index_t b) {
  index_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > kGeomMax || r < -kGeomMax)
    value_error(op, what, " = ", a, " * ", b, " is too large (the limit is 2**40)");
  return r;
}

inline index_t checked_add(const char* op, const char* what, index_t a, index_t b) {
  index_t r;
  if (__builtin_add_overflow(a, b, &r) || r > kGeomMax || r < -kGeomMax)
    value_error(op, what, " = ", a, " + ", b, " is too large (the limit is 2**40)");
  return r;
}

// An output of `count` elements of `itemsize` bytes must fit in this machine's memory; a
// bigger one is a ValueError naming it (not a MemoryError from deep inside NumPy).
void check_output_size(const char* op, const char* what, const std::vector<py::ssize_t>& shape,
                       py::ssize_t itemsize);

inline void require_ndim(const char* op, const char* arg, const py::array& a, int nd,
                         const char* layout) {
  if (a.ndim() != nd)
    value_error(op, arg, " must be ", nd, "-D ", layout, ", got shape ", shape_str(a));
}

inline void require_nonempty(const char* op, const char* arg, const py::array& a) {
  if (a.size() == 0) value_error(op, arg, " must not be empty, got shape ", shape_str(a));
}

inline void require_c_contiguous(const char* op, const char* arg, const py::array& a) {
  if (!(a.flags() & py::array::c_style))
    value_error(op, arg, " must be C-contiguous, got a strided view with shape ", shape_str(a));
}

inline void require_writable(const char* op, const char* arg, const py::array& a) {
  if (!a.writeable()) value_error(op, arg, " must be writable, got a read-only array with shape ", shape_str(a));
}

// Stride of dimension d in elements; a byte stride that is not a multiple of the item size
// (a view into a record array, say) is rejected.
inline index_t elem_stride(const char* op, const char* arg, const py::array& a, int d) {
  py::ssize_t s = a.strides(d), item = a.itemsize();
  if (s % item != 0)
    value_error(op, arg, " has a byte stride ", s, " that is not a multiple of its item size ",
                item, " (shape ", shape_str(a), ")");
  return (index_t)(s / item);
}

template <typename T>
inline py::array_t<T> empty(const std::vector<py::ssize_t>& shape) {
  return py::array_t<T>(shape);
}

// A caller's output array for a gradient: float32, exactly ``shape``, C-contiguous, writable, and
// sharing no memory with the inputs (the kernel writes it while it reads them).
inline py::array out_array(const char* op, const char* arg, const py::object& o,
                    const std::vector<py::ssize_t>& shape, std::initializer_list<py::array> inputs) {
  py::array a = as_inplace_array<float>(op, arg, o);
  bool same = a.ndim() == (py::ssize_t)shape.size();
  for (py::ssize_t d = 0; same && d < a.ndim(); ++d) same = a.shape(d) == shape[d];
  if (!same) {
    std::string want = "(";
    for (size_t d = 0; d < shape.size(); ++d)
      want += std::to_string(shape[d]) + (d + 1 < shape.size() ? ", " : shape.size() == 1 ? ",)" : ")");
    value_error(op, arg, " must have shape ", want, ", got ", shape_str(a));
  }
  require_c_contiguous(op, arg, a);
  require_writable(op, arg, a);
  for (const py::array& in : inputs)
    if (in && overlaps(a, in))
      value_error(op, arg, " shares memory with an input (shape ", shape_str(in), ")");
  return a;
}

inline bool is_none(const py::handle& h) { return h.is_none(); }

}  // namespace bind

// One registration function per op family (csrc/bindings/<family>.cpp).
void bind_core(pybind11::module_& m);
void bind_alloc_cache(pybind11::module_& m);  // bindings/alloc_cache.cpp
void bind_gemm(pybind11::module_& m);
void bind_conv(pybind11::module_& m);
void bind_conv_depthwise(pybind11::module_& m);
void bind_pool(pybind11::module_& m);
void bind_rnn(pybind11::module_& m);
void bind_pointwise(pybind11::module_& m);
void bind_optim(pybind11::module_& m);
void bind_norm(pybind11::module_& m);
void bind_embedding(pybind11::module_& m);

}  // namespace tf
