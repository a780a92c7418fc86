// Bindings for the embedding lookup (kernels in csrc/cpu/embedding.cpp, contract in
// tf/embedding.h). Same names, signatures and semantics as python/tensorforge/reference/embedding.py:
//
//   embedding_forward(table, ids) -> y            table (V, D), ids any shape, y ids.shape + (D,)
//   embedding_backward(dy, ids, V) -> dtable      dy ids.shape + (D,), dtable (V, D)
//
// ids are int32 or int64, C-contiguous; every id is checked against [0, V) here, once, before
// the kernel runs (the first bad one is named with its index), so the kernels never read or
// write out of bounds.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "tf/bind_util.h"
#include "tf/embedding.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

struct Ids {
  py::array keep;
  const int32_t* i32 = nullptr;
  const int64_t* i64 = nullptr;
};

std::string index_str(const py::array& a, index_t flat) {
  std::vector<index_t> idx((size_t)a.ndim());
  for (py::ssize_t d = a.ndim() - 1; d >= 0; --d) {
    idx[(size_t)d] = flat % a.shape(d);
    flat /= a.shape(d);
  }
  std::ostringstream s;
  s << "[";
  for (size_t d = 0; d < idx.size(); ++d) s << (d ? ", " : "") << idx[d];
  s << "]";
  return s.str();
}

template <typename I>
void check_range(const char* op, const py::array& a, const I* p, index_t V) {
  const index_t n = a.size();
  for (index_t i = 0; i < n; ++i)
    if (p[i] < 0 || (index_t)p[i] >= V)
      value_error(op, "ids must lie in [0, ", V, ") (the table's rows), got ids", index_str(a, i),
                  " = ", (long long)p[i]);
}

Ids get_ids(const char* op, const py::handle& h, index_t V) {
  if (!py::isinstance<py::array>(h))
    type_error(op, "ids must be a numpy.ndarray, got ", py::str(py::type::of(h)).cast<std::string>());
  py::array a = py::reinterpret_borrow<py::array>(h);
  const bool i32 = a.dtype().equal(py::dtype::of<int32_t>()), i64 = a.dtype().equal(py::dtype::of<int64_t>());
  if (!i32 && !i64)
    type_error(op, "ids must be int32 or int64, got ", dtype_str(a), " with shape ", shape_str(a));
  require_c_contiguous(op, "ids", a);
  if (misaligned(a)) a = aligned_copy(a);  // Note [aligned buffers]
  Ids r;
  r.keep = a;
  if (i32) {
    r.i32 = static_cast<const int32_t*>(a.data());
    check_range(op, a, r.i32, V);
  } else {
    r.i64 = static_cast<const int64_t*>(a.data());
    check_range(op, a, r.i64, V);
  }
  return r;
}

py::array forward(const py::object& table_o, const py::object& ids_o) {
  const char* op = "embedding_forward";
  py::array table = as_array<float>(op, "table", table_o);
  require_ndim(op, "table", table, 2, "(V, D)");
  require_nonempty(op, "table", table);
  require_c_contiguous(op, "table", table);
  const index_t V = table.shape(0), D = table.shape(1);
  Ids ids = get_ids(op, ids_o, V);
  std::vector<py::ssize_t> shape(ids.keep.shape(), ids.keep.shape() + ids.keep.ndim());
  shape.push_back((py::ssize_t)D);
  check_output_size(op, "y", shape, sizeof(float));
  auto y = empty<float>(shape);
  const index_t n = ids.keep.size();
  if (n == 0) return y;
  const float* T = static_cast<const float*>(table.data());
  float* Y = y.mutable_data();
  {
    py::gil_scoped_release nogil;
    if (ids.i32)
      embedding_forward(V, D, n, T, ids.i32, Y);
    else
      embedding_forward(V, D, n, T, ids.i64, Y);
  }
  return y;
}

py::array backward(const py::object& dy_o, const py::object& ids_o, index_t V) {
  const char* op = "embedding_backward";
  if (V < 1) value_error(op, "V (the table's rows) must be >= 1, got ", V);
  py::array dy = as_array<float>(op, "dy", dy_o);
  require_c_contiguous(op, "dy", dy);
  Ids ids = get_ids(op, ids_o, V);
  const py::array& a = ids.keep;
  bool ok = dy.ndim() == a.ndim() + 1;
  for (py::ssize_t d = 0; ok && d < a.ndim(); ++d) ok = dy.shape(d) == a.shape(d);
  if (!ok || dy.shape(dy.ndim() - 1) < 1)
    value_error(op, "dy must have shape ids.shape + (D,) with D >= 1, got dy ", shape_str(dy),
                " for ids ", shape_str(a));
  const index_t D = dy.shape(dy.ndim() - 1), n = a.size();
  checked_mul(op, "V*D", V, D);
  check_output_size(op, "dtable", {(py::ssize_t)V, (py::ssize_t)D}, sizeof(float));
  auto dt = empty<float>({(py::ssize_t)V, (py::ssize_t)D});
  const float* DY = static_cast<const float*>(dy.data());
  float* DT = dt.mutable_data();
  {
    py::gil_scoped_release nogil;
    if (ids.i32)
      embedding_backward(V, D, n, DY, ids.i32, DT);
    else
      embedding_backward(V, D, n, DY, ids.i64, DT);
  }
  return dt;
}

}  // namespace

void bind_embedding(pybind11::module_& m) {
  namespace py = pybind11;
  m.def("embedding_forward", &forward, py::arg("table"), py::arg("ids"),
        "y = table[ids] (ids int32/int64 in [0, V))");
  m.def("embedding_backward", &backward, py::arg("dy"), py::arg("ids"), py::arg("V"),
        "dtable (V, D): dy rows summed per id, deterministic");
}

}  // namespace tf
