// Binding for the Dense layer's backward (python/tensorforge/ops/gemm.py, Note [dense op]):
//
//   dense_backward(g, x, w, y, need_dx, need_dw, need_db, dw_out=None, db_out=None)
//       -> (dx | None, dw | None, db | None)
//
// for y = act(x @ w + b) with x (M, K), w (K, N) and g = dL/dy (M, N), float32. y is the forward
// output when the activation was the fused relu (g is then masked where y <= 0 first, by the
// act_backward kernel) and None otherwise. One call replaces act_backward, gemm(g, w, trans_b),
// gemm(x, g, trans_a) and g.sum(axis=0), with the same kernels called with the same arguments
// (sgemm with the strides the gemm binding forms for those calls) and the bias gradient summed
// row after row into a copy of row 0 (what NumPy's add.reduce over axis 0 of a C-contiguous
// array does), so the values are bit-identical to the unfused calls -- except dx at M <= 16
// rows with w of 64K+ weights (unit column stride), computed by W's rows in the register tile
// (Note [dX of a few rows] in tf/dense.h: rounds differently, within the GEMM's float32
// tolerance). x and w may be strided
// views; g and y must be C-contiguous (else a ValueError: the Python side then runs the
// unfused calls, which convert or explain). dw_out / db_out: write dw / db there (a parameter's
// gradient-bucket view, See Note [gradient outputs] in autograd/backward.py): float32, exactly (K, N) /
// (N,), C-contiguous, writable, sharing no memory with g, x, w or y, else a ValueError.
#include <cstring>

#include "tf/bind_util.h"
#include "tf/dense.h"
#include "tf/gemm.h"
#include "tf/pointwise.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

// dx of a few rows where it pays: at most 16 rows, w beyond half of a Zen core's L2 (256 KiB);
// smaller layers keep the GEMM's dx bit for bit
constexpr index_t kFewRowsMaxM = 16, kFewRowsMinWeights = 1 << 16;

py::array f32_2d(const char* op, const char* arg, const py::handle& h, const char* layout) {
  py::array a = as_array<float>(op, arg, h);
  require_ndim(op, arg, a, 2, layout);
  require_nonempty(op, arg, a);
  return a;
}

py::tuple dense_backward(const py::object& g_obj, const py::object& x_obj, const py::object& w_obj,
                         const py::object& y_obj, bool need_dx, bool need_dw, bool need_db,
                         const py::object& dw_out, const py::object& db_out) {
  const char* op = "dense_backward";
  py::array g = f32_2d(op, "g", g_obj, "(M, N)");
  require_c_contiguous(op, "g", g);
  py::array x = f32_2d(op, "x", x_obj, "(M, K)");
  py::array w = f32_2d(op, "w", w_obj, "(K, N)");
  const index_t M = g.shape(0), N = g.shape(1), K = x.shape(1);
  if (x.shape(0) != M)
    value_error(op, "x must have ", M, " rows as g ", shape_str(g), ", got ", shape_str(x));
  if (w.shape(0) != K || w.shape(1) != N)
    value_error(op, "w must have shape (", K, ", ", N, ") for x ", shape_str(x), " and g ",
                shape_str(g), ", got ", shape_str(w));
  py::array y;
  const bool relu = !y_obj.is_none();
  if (relu) {
    y = as_array<float>(op, "y", y_obj);
    require_c_contiguous(op, "y", y);
    if (y.ndim() != 2 || y.shape(0) != M || y.shape(1) != N)
      value_error(op, "y must have the shape of g ", shape_str(g), ", got ", shape_str(y));
  }
  const index_t xs0 = elem_stride(op, "x", x, 0), xs1 = elem_stride(op, "x", x, 1);
  const index_t ws0 = elem_stride(op, "w", w, 0), ws1 = elem_stride(op, "w", w, 1);
  py::array gm = g;
  if (relu) gm = empty<float>({(py::ssize_t)M, (py::ssize_t)N});
  py::object dx = py::none(), dw = py::none(), db = py::none();
  py::array dxa, dwa, dba;
  if (need_dx) dx = dxa = empty<float>({(py::ssize_t)M, (py::ssize_t)K});
  if (need_dw)
    dw = dwa = dw_out.is_none() ? py::array(empty<float>({(py::ssize_t)K, (py::ssize_t)N}))
                                : out_array(op, "dw_out", dw_out, {(py::ssize_t)K, (py::ssize_t)N},
                                            {g, x, w, y});
  if (need_db)
    db = dba = db_out.is_none() ? py::array(empty<float>({(py::ssize_t)N}))
                                : out_array(op, "db_out", db_out, {(py::ssize_t)N}, {g, x, w, y});
  if (need_dw && need_db && overlaps(dwa, dba))
    value_error(op, "dw_out and db_out share memory (shapes ", shape_str(dwa), " and ",
                shape_str(dba), ")");
  const float* G = static_cast<const float*>(g.data());
  float* GM = static_cast<float*>(gm.mutable_data());
  const float* Y = relu ? static_cast<const float*>(y.data()) : nullptr;
  const float* X = static_cast<const float*>(x.data());
  const float* W = static_cast<const float*>(w.data());
  float* DX = need_dx ? static_cast<float*>(dxa.mutable_data()) : nullptr;
  float* DW = need_dw ? static_cast<float*>(dwa.mutable_data()) : nullptr;
  float* DB = need_db ? static_cast<float*>(dba.mutable_data()) : nullptr;
  {
    py::gil_scoped_release nogil;
    if (relu) act_backward(M * N, G, Y, Y, GM, ActKind::relu, 0.0f);
    const float* D = relu ? GM : G;
    // dx = g @ w^T: gemm(g, w, trans_b=True); a few rows and w beyond L2: W's rows into the
    // register tile (Note [dX of a few rows] in tf/dense.h)
    if (need_dx && !(M <= kFewRowsMaxM && ws1 == 1 && K * N >= kFewRowsMinWeights &&
                     dense_backward_dx(M, K, N, D, W, ws0, DX, K)))
      sgemm(M, K, N, 1.0f, D, N, 1, W, ws1, ws0, 0.0f, DX, K, nullptr, Act::none);
    // dw = x^T @ g: gemm(x, g, trans_a=True)
    if (need_dw)
      sgemm(K, N, M, 1.0f, X, xs1, xs0, D, N, 1, 0.0f, DW, N, nullptr, Act::none);
    if (need_db) {
      std::memcpy(DB, D, sizeof(float) * (size_t)N);
      for (index_t i = 1; i < M; ++i) {
        const float* row = D + i * N;
        for (index_t j = 0; j < N; ++j) DB[j] += row[j];
      }
    }
  }
  return py::make_tuple(dx, dw, db);
}

}  // namespace

void bind_dense(pybind11::module_& m) {
  m.def("dense_backward", &dense_backward, py::arg("g"), py::arg("x"), py::arg("w"), py::arg("y"),
        py::arg("need_dx"), py::arg("need_dw"), py::arg("need_db"), py::arg("dw_out") = py::none(),
        py::arg("db_out") = py::none(),
        "(dx, dw, db) of y = act(x @ w + b), act relu (y given) or none (y None); None where "
        "not needed; dw_out / db_out: arrays to write dw / db into");
}

}  // namespace tf
