// Bindings for batch and layer normalization (kernels in csrc/cpu/norm.cpp, contract in
// tf/norm.h). Same names, signatures and semantics as python/tensorforge/reference/norm.py:
//
//   batch_norm_forward_train(x, gamma, beta, moving_mean, moving_variance, axis, momentum,
//                            epsilon, bessel=True) -> (y, mean, inv_std)
//                            (moving_* updated in place; bessel: the variance's n/(n-1))
//   batch_norm_forward_infer(x, gamma, beta, moving_mean, moving_variance, axis, epsilon) -> y
//   batch_norm_backward(dy, x, mean, inv_std, gamma, axis) -> (dx, dgamma, dbeta)
//   layer_norm_forward(x, gamma, beta, epsilon) -> (y, mean, inv_std)   (rows of x's last axis)
//   layer_norm_backward(dy, x, mean, inv_std, gamma) -> (dx, dgamma, dbeta)
//   group_norm_forward(x, gamma, beta, groups, axis, epsilon) -> (y, mean, inv_std)  ((N, G))
//   group_norm_backward(dy, x, mean, inv_std, gamma, groups, axis) -> (dx, dgamma, dbeta)
//
// x: float32, C-contiguous, any rank >= 1, normalized per channel of `axis`; every per-channel
// array is float32 (C,) (gamma/beta may be None). The moving statistics are written in place,
// so they must be writable, aligned, contiguous and must not share memory with any other argument.
#include <cmath>
#include <vector>

#include "tf/bind_util.h"
#include "tf/norm.h"
#include "tf/norm_group.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

std::vector<py::ssize_t> shape_of(const py::array& a) {
  return std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim());
}

py::array dense_x(const char* op, const char* arg, const py::handle& h, bool allow_empty = false) {
  py::array a = as_array<float>(op, arg, h);
  if (a.ndim() < 1) value_error(op, arg, " must have at least one axis, got a 0-D array");
  if (!allow_empty) require_nonempty(op, arg, a);
  require_c_contiguous(op, arg, a);
  return a;
}

void require_shape_of_x(const char* op, const py::array& dy, const py::array& x) {
  bool same = dy.ndim() == x.ndim();
  for (py::ssize_t d = 0; same && d < x.ndim(); ++d) same = dy.shape(d) == x.shape(d);
  if (!same) value_error(op, "dy must have the shape of x ", shape_str(x), ", got ", shape_str(dy));
}

// The (dx, dgamma, dbeta) arrays of a backward: dx like x, the others (C,).
struct BackwardOut {
  py::array_t<float> dx, dgamma, dbeta;
  BackwardOut(const py::array& x, index_t C)
      : dx(empty<float>(shape_of(x))), dgamma(empty<float>({(py::ssize_t)C})),
        dbeta(empty<float>({(py::ssize_t)C})) {}
  py::tuple tuple() const { return py::make_tuple(dx, dgamma, dbeta); }
};

// x viewed as (A, C, B) around `axis` (negative counts from the end).
BnShape view(const char* op, const py::array& x, index_t axis) {
  const index_t nd = x.ndim();
  if (axis < -nd || axis >= nd)
    value_error(op, "axis must be in [", -nd, ", ", nd, ") for x of shape ", shape_str(x), ", got ", axis);
  if (axis < 0) axis += nd;
  BnShape s{1, (index_t)x.shape(axis), 1};
  for (index_t d = 0; d < axis; ++d) s.A *= x.shape(d);
  for (index_t d = axis + 1; d < nd; ++d) s.B *= x.shape(d);
  return s;
}

// A per-channel float32 (C,) vector; None -> an empty array (ptr() gives nullptr for it).
py::array channel_vec(const char* op, const char* arg, const py::handle& h, index_t C,
                      const py::array& x, bool optional) {
  if (optional && h.is_none()) return py::array();
  py::array a = as_array<float>(op, arg, h);
  if (a.ndim() != 1 || a.shape(0) != C)
    value_error(op, arg, " must have shape (", C, ",) (one value per channel of x ", shape_str(x),
                "), got ", shape_str(a));
  require_c_contiguous(op, arg, a);
  return a;
}

// nullptr for an omitted (None) vector: channel_vec returns py::array(), an empty array, for it.
const float* ptr(const py::array& a) {
  return a && a.size() > 0 ? static_cast<const float*>(a.data()) : nullptr;
}

float finite(const char* op, const char* arg, double v) {
  if (!std::isfinite(v)) value_error(op, arg, " must be finite, got ", v);
  return (float)v;
}

py::tuple forward_train(const py::object& x_o, const py::object& gamma_o, const py::object& beta_o,
                        const py::object& mm_o, const py::object& mv_o, index_t axis,
                        double momentum, double epsilon, bool bessel) {
  const char* op = "batch_norm_forward_train";
  py::array x = dense_x(op, "x", x_o);
  const BnShape s = view(op, x, axis);
  const float m = finite(op, "momentum", momentum), eps = finite(op, "epsilon", epsilon);
  if (eps < 0) value_error(op, "epsilon must be >= 0, got ", epsilon);
  py::array gamma = channel_vec(op, "gamma", gamma_o, s.C, x, true);
  py::array beta = channel_vec(op, "beta", beta_o, s.C, x, true);
  py::array mm = as_inplace_array<float>(op, "moving_mean", mm_o);
  py::array mv = as_inplace_array<float>(op, "moving_variance", mv_o);
  for (auto [name, a] : {std::pair<const char*, py::array*>{"moving_mean", &mm}, {"moving_variance", &mv}}) {
    if (a->ndim() != 1 || a->shape(0) != s.C)
      value_error(op, name, " must have shape (", s.C, ",) (one value per channel of x ",
                  shape_str(x), "), got ", shape_str(*a));
    require_c_contiguous(op, name, *a);
    require_writable(op, name, *a);
    // The kernel reads x, gamma and beta after it has written the moving statistics.
    for (auto [other, b] : {std::pair<const char*, const py::array*>{"x", &x}, {"gamma", &gamma}, {"beta", &beta}})
      if (*b && overlaps(*a, *b))
        value_error(op, name, " is updated in place and must not share memory with ", other);
  }
  if (overlaps(mm, mv)) value_error(op, "moving_mean and moving_variance must not share memory");
  check_output_size(op, "y", shape_of(x), sizeof(float));
  auto y = empty<float>(shape_of(x));
  auto mean = empty<float>({(py::ssize_t)s.C});
  auto inv_std = empty<float>({(py::ssize_t)s.C});
  const float *X = ptr(x), *G = ptr(gamma), *Bt = ptr(beta);
  float *MM = static_cast<float*>(mm.mutable_data()), *MV = static_cast<float*>(mv.mutable_data());
  float *Y = y.mutable_data(), *Mu = mean.mutable_data(), *Inv = inv_std.mutable_data();
  {
    py::gil_scoped_release nogil;
    batch_norm_forward_train(s, X, G, Bt, eps, m, bessel, Y, Mu, Inv, MM, MV);
  }
  return py::make_tuple(y, mean, inv_std);
}

py::array forward_infer(const py::object& x_o, const py::object& gamma_o, const py::object& beta_o,
                        const py::object& mm_o, const py::object& mv_o, index_t axis, double epsilon) {
  const char* op = "batch_norm_forward_infer";
  py::array x = dense_x(op, "x", x_o, true);
  const BnShape s = view(op, x, axis);
  const float eps = finite(op, "epsilon", epsilon);
  if (eps < 0) value_error(op, "epsilon must be >= 0, got ", epsilon);
  py::array gamma = channel_vec(op, "gamma", gamma_o, s.C, x, true);
  py::array beta = channel_vec(op, "beta", beta_o, s.C, x, true);
  py::array mm = channel_vec(op, "moving_mean", mm_o, s.C, x, false);
  py::array mv = channel_vec(op, "moving_variance", mv_o, s.C, x, false);
  auto y = empty<float>(shape_of(x));
  if (x.size() == 0) return y;
  const float *X = ptr(x), *G = ptr(gamma), *Bt = ptr(beta), *MM = ptr(mm), *MV = ptr(mv);
  float* Y = y.mutable_data();
  {
    py::gil_scoped_release nogil;
    batch_norm_forward_infer(s, X, G, Bt, MM, MV, eps, Y);
  }
  return y;
}

py::tuple backward(const py::object& dy_o, const py::object& x_o, const py::object& mean_o,
                   const py::object& inv_o, const py::object& gamma_o, index_t axis) {
  const char* op = "batch_norm_backward";
  py::array dy = dense_x(op, "dy", dy_o);
  py::array x = dense_x(op, "x", x_o);
  require_shape_of_x(op, dy, x);
  const BnShape s = view(op, x, axis);
  py::array mean = channel_vec(op, "mean", mean_o, s.C, x, false);
  py::array inv = channel_vec(op, "inv_std", inv_o, s.C, x, false);
  py::array gamma = channel_vec(op, "gamma", gamma_o, s.C, x, true);
  BackwardOut out(x, s.C);
  const float *DY = ptr(dy), *X = ptr(x), *Mu = ptr(mean), *Inv = ptr(inv), *G = ptr(gamma);
  float *DX = out.dx.mutable_data(), *DG = out.dgamma.mutable_data(), *DB = out.dbeta.mutable_data();
  {
    py::gil_scoped_release nogil;
    batch_norm_backward(s, DY, X, Mu, Inv, G, DX, DG, DB);
  }
  return out.tuple();
}

// x as N rows of its last axis (C values): the layer-norm shape; mean / inv_std are x.shape[:-1].
LnShape ln_view(const py::array& x) {
  const index_t C = x.shape(x.ndim() - 1);
  return LnShape{C == 0 ? 0 : (index_t)x.size() / C, C};
}

py::array row_vec(const char* op, const char* arg, const py::handle& h, const py::array& x) {
  py::array a = as_array<float>(op, arg, h);
  bool same = a.ndim() == x.ndim() - 1;
  for (py::ssize_t d = 0; same && d < a.ndim(); ++d) same = a.shape(d) == x.shape(d);
  if (!same)
    value_error(op, arg, " must have x's shape without its last axis (one value per row of x ",
                shape_str(x), "), got ", shape_str(a));
  require_c_contiguous(op, arg, a);
  return a;
}

std::vector<py::ssize_t> rows_shape(const py::array& x) {
  return std::vector<py::ssize_t>(x.shape(), x.shape() + x.ndim() - 1);
}

py::tuple ln_forward(const py::object& x_o, const py::object& gamma_o, const py::object& beta_o,
                     double epsilon) {
  const char* op = "layer_norm_forward";
  py::array x = dense_x(op, "x", x_o);
  const LnShape s = ln_view(x);
  const float eps = finite(op, "epsilon", epsilon);
  if (eps < 0) value_error(op, "epsilon must be >= 0, got ", epsilon);
  py::array gamma = channel_vec(op, "gamma", gamma_o, s.C, x, true);
  py::array beta = channel_vec(op, "beta", beta_o, s.C, x, true);
  check_output_size(op, "y", shape_of(x), sizeof(float));
  auto y = empty<float>(shape_of(x));
  auto mean = empty<float>(rows_shape(x));
  auto inv_std = empty<float>(rows_shape(x));
  const float *X = ptr(x), *G = ptr(gamma), *Bt = ptr(beta);
  float *Y = y.mutable_data(), *Mu = mean.mutable_data(), *Inv = inv_std.mutable_data();
  {
    py::gil_scoped_release nogil;
    layer_norm_forward(s, X, G, Bt, eps, Y, Mu, Inv);
  }
  return py::make_tuple(y, mean, inv_std);
}

py::tuple ln_backward(const py::object& dy_o, const py::object& x_o, const py::object& mean_o,
                      const py::object& inv_o, const py::object& gamma_o) {
  const char* op = "layer_norm_backward";
  py::array dy = dense_x(op, "dy", dy_o);
  py::array x = dense_x(op, "x", x_o);
  require_shape_of_x(op, dy, x);
  const LnShape s = ln_view(x);
  py::array mean = row_vec(op, "mean", mean_o, x);
  py::array inv = row_vec(op, "inv_std", inv_o, x);
  py::array gamma = channel_vec(op, "gamma", gamma_o, s.C, x, true);
  BackwardOut out(x, s.C);
  const float *DY = ptr(dy), *X = ptr(x), *Mu = ptr(mean), *Inv = ptr(inv), *G = ptr(gamma);
  float *DX = out.dx.mutable_data(), *DG = out.dgamma.mutable_data(), *DB = out.dbeta.mutable_data();
  {
    py::gil_scoped_release nogil;
    layer_norm_backward(s, DY, X, Mu, Inv, G, DX, DG, DB);
  }
  return out.tuple();
}

// x viewed as (N, A, G, Cg, B) around the channel `axis` (not the batch axis 0; negative
// counts from the end), `groups` dividing its C channels: tf/norm_group.h.
GnShape gn_view(const char* op, const py::array& x, index_t groups, index_t axis) {
  const index_t nd = x.ndim();
  if (nd < 2) value_error(op, "x must have a batch axis and a channel axis, got shape ", shape_str(x));
  if (axis < -nd || axis >= nd || axis % nd == 0)
    value_error(op, "axis must be in [", -nd, ", ", nd, ") and not the batch axis 0 for x of shape ",
                shape_str(x), ", got ", axis);
  if (axis < 0) axis += nd;
  const index_t C = x.shape(axis);
  if (groups < 1 || groups > C || C % groups)
    value_error(op, "groups must divide the ", C, " channels of axis ", axis, " of x ", shape_str(x),
                ", got ", groups);
  GnShape s{(index_t)x.shape(0), 1, groups, C / groups, 1};
  for (index_t d = 1; d < axis; ++d) s.A *= x.shape(d);
  for (index_t d = axis + 1; d < nd; ++d) s.B *= x.shape(d);
  return s;
}

// A (N, G) float32 array of per-group statistics.
py::array group_stat(const char* op, const char* arg, const py::handle& h, const GnShape& s,
                     const py::array& x) {
  py::array a = as_array<float>(op, arg, h);
  if (a.ndim() != 2 || a.shape(0) != s.N || a.shape(1) != s.G)
    value_error(op, arg, " must have shape (", s.N, ", ", s.G, ") (one value per sample and group of x ",
                shape_str(x), "), got ", shape_str(a));
  require_c_contiguous(op, arg, a);
  return a;
}

py::tuple gn_forward(const py::object& x_o, const py::object& gamma_o, const py::object& beta_o,
                     index_t groups, index_t axis, double epsilon) {
  const char* op = "group_norm_forward";
  py::array x = dense_x(op, "x", x_o);
  const GnShape s = gn_view(op, x, groups, axis);
  const float eps = finite(op, "epsilon", epsilon);
  if (eps < 0) value_error(op, "epsilon must be >= 0, got ", epsilon);
  py::array gamma = channel_vec(op, "gamma", gamma_o, s.G * s.Cg, x, true);
  py::array beta = channel_vec(op, "beta", beta_o, s.G * s.Cg, x, true);
  check_output_size(op, "y", shape_of(x), sizeof(float));
  auto y = empty<float>(shape_of(x));
  auto mean = empty<float>({(py::ssize_t)s.N, (py::ssize_t)s.G});
  auto inv_std = empty<float>({(py::ssize_t)s.N, (py::ssize_t)s.G});
  const float *X = ptr(x), *G = ptr(gamma), *Bt = ptr(beta);
  float *Y = y.mutable_data(), *Mu = mean.mutable_data(), *Inv = inv_std.mutable_data();
  {
    py::gil_scoped_release nogil;
    group_norm_forward(s, X, G, Bt, eps, Y, Mu, Inv);
  }
  return py::make_tuple(y, mean, inv_std);
}

py::tuple gn_backward(const py::object& dy_o, const py::object& x_o, const py::object& mean_o,
                      const py::object& inv_o, const py::object& gamma_o, index_t groups,
                      index_t axis) {
  const char* op = "group_norm_backward";
  py::array dy = dense_x(op, "dy", dy_o);
  py::array x = dense_x(op, "x", x_o);
  require_shape_of_x(op, dy, x);
  const GnShape s = gn_view(op, x, groups, axis);
  py::array mean = group_stat(op, "mean", mean_o, s, x);
  py::array inv = group_stat(op, "inv_std", inv_o, s, x);
  py::array gamma = channel_vec(op, "gamma", gamma_o, s.G * s.Cg, x, true);
  BackwardOut out(x, s.G * s.Cg);
  const float *DY = ptr(dy), *X = ptr(x), *Mu = ptr(mean), *Inv = ptr(inv), *G = ptr(gamma);
  float *DX = out.dx.mutable_data(), *DG = out.dgamma.mutable_data(), *DB = out.dbeta.mutable_data();
  {
    py::gil_scoped_release nogil;
    group_norm_backward(s, DY, X, Mu, Inv, G, DX, DG, DB);
  }
  return out.tuple();
}

}  // namespace

void bind_norm(pybind11::module_& m) {
  namespace py = pybind11;
  m.def("batch_norm_forward_train", &forward_train, py::arg("x"), py::arg("gamma"), py::arg("beta"),
        py::arg("moving_mean"), py::arg("moving_variance"), py::arg("axis"), py::arg("momentum"),
        py::arg("epsilon"), py::arg("bessel").noconvert() = true,
        "(y, mean, inv_std) with batch statistics; updates the moving statistics in place (the "
        "variance with Bessel's correction n/(n-1) when bessel, the biased one otherwise)");
  m.def("batch_norm_forward_infer", &forward_infer, py::arg("x"), py::arg("gamma"), py::arg("beta"),
        py::arg("moving_mean"), py::arg("moving_variance"), py::arg("axis"), py::arg("epsilon"),
        "y normalized with the moving statistics");
  m.def("batch_norm_backward", &backward, py::arg("dy"), py::arg("x"), py::arg("mean"),
        py::arg("inv_std"), py::arg("gamma"), py::arg("axis"), "(dx, dgamma, dbeta)");
  m.def("layer_norm_forward", &ln_forward, py::arg("x"), py::arg("gamma"), py::arg("beta"),
        py::arg("epsilon"), "(y, mean, inv_std), each row of x's last axis normalized on its own");
  m.def("layer_norm_backward", &ln_backward, py::arg("dy"), py::arg("x"), py::arg("mean"),
        py::arg("inv_std"), py::arg("gamma"), "(dx, dgamma, dbeta)");
  m.def("group_norm_forward", &gn_forward, py::arg("x"), py::arg("gamma"), py::arg("beta"),
        py::arg("groups"), py::arg("axis"), py::arg("epsilon"),
        "(y, mean, inv_std): each sample's channel groups normalized on their own; stats (N, G)");
  m.def("group_norm_backward", &gn_backward, py::arg("dy"), py::arg("x"), py::arg("mean"),
        py::arg("inv_std"), py::arg("gamma"), py::arg("groups"), py::arg("axis"),
        "(dx, dgamma, dbeta)");
}

}  // namespace tf
