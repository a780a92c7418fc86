// Bindings for the rnn op family (kernels in csrc/cpu/rnn_*.cpp, contract in tf/rnn.h).
//
// Names, signatures and returned tuples are exactly those of tensorforge.reference.rnn (its
// docstring is the specification):
//   lstm_forward / lstm_backward, gru_forward / gru_backward, simple_rnn_forward /
//   simple_rnn_backward; and tensorforge.reference.rnn_dropout's lstm_dropout_forward /
//   lstm_dropout_backward, gru_dropout_forward / gru_dropout_backward (csrc/cpu/rnn_dropout.cpp).
// Every array is checked here (dtype float32, rank, shape against x and the recurrent kernel,
// C-contiguity, non-empty); optional arguments (bias, h0, c0, mask) may be None. Outputs are
// allocated here, then the GIL is released around the kernel.
#include <string>
#include <vector>

#include "tf/bind_util.h"
#include "tf/rnn.h"
#include "tf/rnn_dropout.h"
#include "tf/rnn_signatures.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

using Shape = std::vector<py::ssize_t>;

std::string shape_of(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  if (s.size() == 1) out += ",";
  return out + ")";
}

// A float32, C-contiguous array of exactly `shape` (what = layout words for the message).
py::array arg(const char* op, const char* name, const py::handle& h, const Shape& shape,
              const char* what) {
  py::array a = as_array<float>(op, name, h);
  bool ok = a.ndim() == (py::ssize_t)shape.size();
  for (size_t i = 0; ok && i < shape.size(); ++i) ok = a.shape(i) == shape[i];
  if (!ok) value_error(op, name, " must have shape ", what, " = ", shape_of(shape), ", got ", shape_str(a));
  require_c_contiguous(op, name, a);
  return a;
}

const float* opt(const char* op, const char* name, const py::object& h, const Shape& shape,
                 const char* what, py::array& keep) {
  if (h.is_none()) return nullptr;
  keep = arg(op, name, h, shape, what);
  return static_cast<const float*>(keep.data());
}

const float* ptr(const py::array& a) { return static_cast<const float*>(a.data()); }
float* mut(py::array& a) { return static_cast<float*>(a.mutable_data()); }

RnnAct parse_act(const char* op, const std::string& s) {
  if (s == "tanh") return RnnAct::tanh;
  if (s == "relu") return RnnAct::relu;
  value_error(op, "activation must be 'tanh' or 'relu', got '", s, "'");
}
RnnAct parse_rec_act(const char* op, const std::string& s) {
  if (s == "sigmoid") return RnnAct::sigmoid;
  if (s == "hard_sigmoid") return RnnAct::hard_sigmoid;
  value_error(op, "recurrent_activation must be 'sigmoid' or 'hard_sigmoid', got '", s, "'");
}

// x (B, T, F) and recurrent_kernel (U, G*U) fix the dimensions; kernel must be (F, G*U).
RnnDims dims(const char* op, const py::array& x, const py::object& kernel_o,
             const py::object& rk_o, index_t G, py::array& kernel, py::array& rk) {
  require_ndim(op, "x", x, 3, "(batch, time, features)");
  require_nonempty(op, "x", x);
  require_c_contiguous(op, "x", x);
  py::array r = as_array<float>(op, "recurrent_kernel", rk_o);
  require_ndim(op, "recurrent_kernel", r, 2, "(units, G*units)");
  const index_t U = r.shape(0);
  if (U == 0) value_error(op, "recurrent_kernel must not be empty, got shape ", shape_str(r));
  RnnDims d{x.shape(0), x.shape(1), x.shape(2), U};
  rk = arg(op, "recurrent_kernel", rk_o, {(py::ssize_t)U, (py::ssize_t)(G * U)}, "(units, G*units)");
  kernel = arg(op, "kernel", kernel_o, {(py::ssize_t)d.F, (py::ssize_t)(G * U)}, "(features, G*units)");
  return d;
}

Shape BTU(const RnnDims& d, index_t w = 1) { return {(py::ssize_t)d.B, (py::ssize_t)d.T, (py::ssize_t)(w * d.U)}; }
Shape BU(const RnnDims& d) { return {(py::ssize_t)d.B, (py::ssize_t)d.U}; }
Shape BT(const RnnDims& d) { return {(py::ssize_t)d.B, (py::ssize_t)d.T}; }

// ---- LSTM -------------------------------------------------------------------------------------
py::tuple lstm_fwd(const py::object& x_o, const py::object& kernel_o, const py::object& rk_o,
                   const py::object& bias_o, const py::object& h0_o, const py::object& c0_o,
                   const py::object& mask_o, bool go_backwards, const std::string& activation,
                   const std::string& rec_activation) {
  const char* op = "lstm_forward";
  RnnAct act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  py::array x = as_array<float>(op, "x", x_o), kernel, rk, bias, h0, c0, mask;
  RnnDims d = dims(op, x, kernel_o, rk_o, 4, kernel, rk);
  const float* b = opt(op, "bias", bias_o, {(py::ssize_t)(4 * d.U)}, "(4*units,)", bias);
  const float* h = opt(op, "h0", h0_o, BU(d), "(batch, units)", h0);
  const float* c = opt(op, "c0", c0_o, BU(d), "(batch, units)", c0);
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  py::array out = empty<float>(BTU(d)), hT = empty<float>(BU(d)), cT = empty<float>(BU(d));
  py::array gates = empty<float>(BTU(d, 4)), hp = empty<float>(BTU(d)), cp = empty<float>(BTU(d));
  {
    py::gil_scoped_release nogil;
    lstm_forward(d, ptr(x), ptr(kernel), ptr(rk), b, h, c, m, go_backwards, act, ract, mut(out),
                 mut(hT), mut(cT), mut(gates), mut(hp), mut(cp));
  }
  return py::make_tuple(out, hT, cT, gates, hp, cp);
}

py::tuple lstm_bwd(const py::object& dout_o, const py::object& dhT_o, const py::object& dcT_o,
                   const py::object& x_o, const py::object& kernel_o, const py::object& rk_o,
                   const py::object& mask_o, bool go_backwards, const std::string& activation,
                   const std::string& rec_activation, const py::object& gates_o,
                   const py::object& hp_o, const py::object& cp_o) {
  const char* op = "lstm_backward";
  RnnAct act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  py::array x = as_array<float>(op, "x", x_o), kernel, rk, mask;
  RnnDims d = dims(op, x, kernel_o, rk_o, 4, kernel, rk);
  py::array dout = arg(op, "d_outputs", dout_o, BTU(d), "(batch, time, units)");
  py::array dhT = arg(op, "d_h_T", dhT_o, BU(d), "(batch, units)");
  py::array dcT = arg(op, "d_c_T", dcT_o, BU(d), "(batch, units)");
  py::array gates = arg(op, "gates", gates_o, BTU(d, 4), "(batch, time, 4*units)");
  py::array hp = arg(op, "h_prev", hp_o, BTU(d), "(batch, time, units)");
  py::array cp = arg(op, "c_prev", cp_o, BTU(d), "(batch, time, units)");
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  py::array dx = empty<float>({(py::ssize_t)d.B, (py::ssize_t)d.T, (py::ssize_t)d.F});
  py::array dk = empty<float>({(py::ssize_t)d.F, (py::ssize_t)(4 * d.U)});
  py::array drk = empty<float>({(py::ssize_t)d.U, (py::ssize_t)(4 * d.U)});
  py::array db = empty<float>({(py::ssize_t)(4 * d.U)});
  py::array dh0 = empty<float>(BU(d)), dc0 = empty<float>(BU(d));
  {
    py::gil_scoped_release nogil;
    lstm_backward(d, ptr(dout), ptr(dhT), ptr(dcT), ptr(x), ptr(kernel), ptr(rk), m, go_backwards,
                  act, ract, ptr(gates), ptr(hp), ptr(cp), mut(dx), mut(dk), mut(drk), mut(db),
                  mut(dh0), mut(dc0));
  }
  return py::make_tuple(dx, dk, drk, db, dh0, dc0);
}

// ---- GRU --------------------------------------------------------------------------------------
Shape gru_bias_shape(const RnnDims& d, bool reset_after) {
  if (reset_after) return {2, (py::ssize_t)(3 * d.U)};
  return {(py::ssize_t)(3 * d.U)};
}

py::tuple gru_fwd(const py::object& x_o, const py::object& kernel_o, const py::object& rk_o,
                  const py::object& bias_o, const py::object& h0_o, const py::object& mask_o,
                  bool go_backwards, bool reset_after, const std::string& activation,
                  const std::string& rec_activation) {
  const char* op = "gru_forward";
  RnnAct act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  py::array x = as_array<float>(op, "x", x_o), kernel, rk, bias, h0, mask;
  RnnDims d = dims(op, x, kernel_o, rk_o, 3, kernel, rk);
  const float* b = opt(op, "bias", bias_o, gru_bias_shape(d, reset_after),
                       reset_after ? "(2, 3*units) for reset_after=True" : "(3*units,) for reset_after=False", bias);
  const float* h = opt(op, "h0", h0_o, BU(d), "(batch, units)", h0);
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  py::array out = empty<float>(BTU(d)), hT = empty<float>(BU(d));
  py::array gates = empty<float>(BTU(d, 3)), hp = empty<float>(BTU(d)), rh = empty<float>(BTU(d));
  {
    py::gil_scoped_release nogil;
    gru_forward(d, ptr(x), ptr(kernel), ptr(rk), b, h, m, go_backwards, reset_after, act, ract,
                mut(out), mut(hT), mut(gates), mut(hp), mut(rh));
  }
  return py::make_tuple(out, hT, gates, hp, rh);
}

py::tuple gru_bwd(const py::object& dout_o, const py::object& dhT_o, const py::object& x_o,
                  const py::object& kernel_o, const py::object& rk_o, const py::object& mask_o,
                  bool go_backwards, bool reset_after, const std::string& activation,
                  const std::string& rec_activation, const py::object& gates_o,
                  const py::object& hp_o, const py::object& rh_o) {
  const char* op = "gru_backward";
  RnnAct act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  py::array x = as_array<float>(op, "x", x_o), kernel, rk, mask;
  RnnDims d = dims(op, x, kernel_o, rk_o, 3, kernel, rk);
  py::array dout = arg(op, "d_outputs", dout_o, BTU(d), "(batch, time, units)");
  py::array dhT = arg(op, "d_h_T", dhT_o, BU(d), "(batch, units)");
  py::array gates = arg(op, "gates", gates_o, BTU(d, 3), "(batch, time, 3*units)");
  py::array hp = arg(op, "h_prev", hp_o, BTU(d), "(batch, time, units)");
  py::array rh = arg(op, "rec_h", rh_o, BTU(d), "(batch, time, units)");
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  py::array dx = empty<float>({(py::ssize_t)d.B, (py::ssize_t)d.T, (py::ssize_t)d.F});
  py::array dk = empty<float>({(py::ssize_t)d.F, (py::ssize_t)(3 * d.U)});
  py::array drk = empty<float>({(py::ssize_t)d.U, (py::ssize_t)(3 * d.U)});
  py::array db = empty<float>(gru_bias_shape(d, reset_after));
  py::array dh0 = empty<float>(BU(d));
  {
    py::gil_scoped_release nogil;
    gru_backward(d, ptr(dout), ptr(dhT), ptr(x), ptr(kernel), ptr(rk), m, go_backwards,
                 reset_after, act, ract, ptr(gates), ptr(hp), ptr(rh), mut(dx), mut(dk), mut(drk),
                 mut(db), mut(dh0));
  }
  return py::make_tuple(dx, dk, drk, db, dh0);
}

// ---- SimpleRNN --------------------------------------------------------------------------------
py::tuple simple_fwd(const py::object& x_o, const py::object& kernel_o, const py::object& rk_o,
                     const py::object& bias_o, const py::object& h0_o, const py::object& mask_o,
                     bool go_backwards, const std::string& activation) {
  const char* op = "simple_rnn_forward";
  RnnAct act = parse_act(op, activation);
  py::array x = as_array<float>(op, "x", x_o), kernel, rk, bias, h0, mask;
  RnnDims d = dims(op, x, kernel_o, rk_o, 1, kernel, rk);
  const float* b = opt(op, "bias", bias_o, {(py::ssize_t)d.U}, "(units,)", bias);
  const float* h = opt(op, "h0", h0_o, BU(d), "(batch, units)", h0);
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  py::array out = empty<float>(BTU(d)), hT = empty<float>(BU(d));
  py::array cand = empty<float>(BTU(d)), hp = empty<float>(BTU(d));
  {
    py::gil_scoped_release nogil;
    simple_rnn_forward(d, ptr(x), ptr(kernel), ptr(rk), b, h, m, go_backwards, act, mut(out),
                       mut(hT), mut(cand), mut(hp));
  }
  return py::make_tuple(out, hT, cand, hp);
}

py::tuple simple_bwd(const py::object& dout_o, const py::object& dhT_o, const py::object& x_o,
                     const py::object& kernel_o, const py::object& rk_o, const py::object& mask_o,
                     bool go_backwards, const std::string& activation, const py::object& cand_o,
                     const py::object& hp_o) {
  const char* op = "simple_rnn_backward";
  RnnAct act = parse_act(op, activation);
  py::array x = as_array<float>(op, "x", x_o), kernel, rk, mask;
  RnnDims d = dims(op, x, kernel_o, rk_o, 1, kernel, rk);
  py::array dout = arg(op, "d_outputs", dout_o, BTU(d), "(batch, time, units)");
  py::array dhT = arg(op, "d_h_T", dhT_o, BU(d), "(batch, units)");
  py::array cand = arg(op, "cand", cand_o, BTU(d), "(batch, time, units)");
  py::array hp = arg(op, "h_prev", hp_o, BTU(d), "(batch, time, units)");
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  py::array dx = empty<float>({(py::ssize_t)d.B, (py::ssize_t)d.T, (py::ssize_t)d.F});
  py::array dk = empty<float>({(py::ssize_t)d.F, (py::ssize_t)d.U});
  py::array drk = empty<float>({(py::ssize_t)d.U, (py::ssize_t)d.U});
  py::array db = empty<float>({(py::ssize_t)d.U});
  py::array dh0 = empty<float>(BU(d));
  {
    py::gil_scoped_release nogil;
    simple_rnn_backward(d, ptr(dout), ptr(dhT), ptr(x), ptr(kernel), ptr(rk), m, go_backwards,
                        act, ptr(cand), ptr(hp), mut(dx), mut(dk), mut(drk), mut(db), mut(dh0));
  }
  return py::make_tuple(dx, dk, drk, db, dh0);
}

// ---- recurrent dropout (tf/rnn_dropout.h) ----------------------------------------------------
// (G, T, B, U) of proj / gates fixes the dimensions; recurrent_kernel must be (U, G*U) and
// h_keep (G, B, U).
RnnDims dropout_dims(const char* op, const char* name, const py::array& a, index_t G,
                     const py::object& rk_o, const py::object& keep_o, py::array& rk,
                     py::array& keep) {
  require_ndim(op, name, a, 4, "(gates, time, batch, units)");
  require_nonempty(op, name, a);
  require_c_contiguous(op, name, a);
  if (a.shape(0) != G)
    value_error(op, name, " must have ", G, " gates on axis 0 (gates, time, batch, units), got shape ",
                shape_str(a));
  RnnDims d{a.shape(2), a.shape(1), 0, a.shape(3)};
  const py::ssize_t U = d.U, B = d.B;
  rk = arg(op, "recurrent_kernel", rk_o, {U, (py::ssize_t)(G * U)}, "(units, G*units)");
  keep = arg(op, "h_keep", keep_o, {(py::ssize_t)G, B, U}, "(gates, batch, units)");
  return d;
}

Shape GTBU(const RnnDims& d, index_t G) {
  return {(py::ssize_t)G, (py::ssize_t)d.T, (py::ssize_t)d.B, (py::ssize_t)d.U};
}
Shape TBU(const RnnDims& d) { return {(py::ssize_t)d.T, (py::ssize_t)d.B, (py::ssize_t)d.U}; }

py::tuple lstm_dropout_fwd(const py::object& proj_o, const py::object& rk_o, const py::object& keep_o,
                           const py::object& h0_o, const py::object& c0_o, const py::object& mask_o,
                           bool go_backwards, const std::string& activation,
                           const std::string& rec_activation) {
  const char* op = "lstm_dropout_forward";
  RnnAct act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  py::array proj = as_array<float>(op, "proj", proj_o), rk, keep, h0, c0, mask;
  RnnDims d = dropout_dims(op, "proj", proj, 4, rk_o, keep_o, rk, keep);
  const float* h = opt(op, "h0", h0_o, BU(d), "(batch, units)", h0);
  const float* c = opt(op, "c0", c0_o, BU(d), "(batch, units)", c0);
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  py::array out = empty<float>(BTU(d)), hT = empty<float>(BU(d)), cT = empty<float>(BU(d));
  py::array gates = empty<float>(GTBU(d, 4)), hp = empty<float>(TBU(d)), cp = empty<float>(TBU(d));
  {
    py::gil_scoped_release nogil;
    lstm_dropout_forward(d, ptr(proj), ptr(rk), ptr(keep), h, c, m, go_backwards, act, ract,
                         mut(out), mut(hT), mut(cT), mut(gates), mut(hp), mut(cp));
  }
  return py::make_tuple(out, hT, cT, gates, hp, cp);
}

py::tuple lstm_dropout_bwd(const py::object& dout_o, const py::object& dhT_o, const py::object& dcT_o,
                           const py::object& rk_o, const py::object& keep_o, const py::object& mask_o,
                           bool go_backwards, const std::string& activation,
                           const std::string& rec_activation, const py::object& gates_o,
                           const py::object& cp_o) {
  const char* op = "lstm_dropout_backward";
  RnnAct act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  py::array gates = as_array<float>(op, "gates", gates_o), rk, keep, dout, mask;
  RnnDims d = dropout_dims(op, "gates", gates, 4, rk_o, keep_o, rk, keep);
  const float* g_out = opt(op, "d_outputs", dout_o, BTU(d), "(batch, time, units)", dout);
  py::array dhT = arg(op, "d_h_T", dhT_o, BU(d), "(batch, units)");
  py::array dcT = arg(op, "d_c_T", dcT_o, BU(d), "(batch, units)");
  py::array cp = arg(op, "c_prev", cp_o, TBU(d), "(time, batch, units)");
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  py::array dg = empty<float>(GTBU(d, 4)), dh0 = empty<float>(BU(d)), dc0 = empty<float>(BU(d));
  {
    py::gil_scoped_release nogil;
    lstm_dropout_backward(d, g_out, ptr(dhT), ptr(dcT), ptr(rk), ptr(keep), m, go_backwards, act,
                          ract, ptr(gates), ptr(cp), mut(dg), mut(dh0), mut(dc0));
  }
  return py::make_tuple(dg, dh0, dc0);
}

py::tuple gru_dropout_fwd(const py::object& proj_o, const py::object& rk_o, const py::object& rbh_o,
                          const py::object& keep_o, const py::object& h0_o, const py::object& mask_o,
                          bool go_backwards, bool reset_after, const std::string& activation,
                          const std::string& rec_activation) {
  const char* op = "gru_dropout_forward";
  RnnAct act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  py::array proj = as_array<float>(op, "proj", proj_o), rk, keep, rbh, h0, mask;
  RnnDims d = dropout_dims(op, "proj", proj, 3, rk_o, keep_o, rk, keep);
  const float* bh = opt(op, "rec_bias_h", rbh_o, {(py::ssize_t)d.U}, "(units,)", rbh);
  if (bh && !reset_after) value_error(op, "rec_bias_h must be None for reset_after=False (the bias is in proj)");
  const float* h = opt(op, "h0", h0_o, BU(d), "(batch, units)", h0);
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  py::array out = empty<float>(BTU(d)), hT = empty<float>(BU(d));
  py::array gates = empty<float>(GTBU(d, 3)), hp = empty<float>(TBU(d)), rh = empty<float>(TBU(d));
  {
    py::gil_scoped_release nogil;
    gru_dropout_forward(d, ptr(proj), ptr(rk), bh, ptr(keep), h, m, go_backwards, reset_after, act,
                        ract, mut(out), mut(hT), mut(gates), mut(hp), mut(rh));
  }
  return py::make_tuple(out, hT, gates, hp, rh);
}

py::tuple gru_dropout_bwd(const py::object& dout_o, const py::object& dhT_o, const py::object& rk_o,
                          const py::object& keep_o, const py::object& mask_o, bool go_backwards,
                          bool reset_after, const std::string& activation,
                          const std::string& rec_activation, const py::object& gates_o,
                          const py::object& hp_o, const py::object& rh_o) {
  const char* op = "gru_dropout_backward";
  RnnAct act = parse_act(op, activation), ract = parse_rec_act(op, rec_activation);
  py::array gates = as_array<float>(op, "gates", gates_o), rk, keep, dout, mask;
  RnnDims d = dropout_dims(op, "gates", gates, 3, rk_o, keep_o, rk, keep);
  const float* g_out = opt(op, "d_outputs", dout_o, BTU(d), "(batch, time, units)", dout);
  py::array dhT = arg(op, "d_h_T", dhT_o, BU(d), "(batch, units)");
  py::array hp = arg(op, "h_prev", hp_o, TBU(d), "(time, batch, units)");
  py::array rh = arg(op, "rec_h", rh_o, TBU(d), "(time, batch, units)");
  const float* m = opt(op, "mask", mask_o, BT(d), "(batch, time)", mask);
  py::array dg = empty<float>(GTBU(d, 3)), dr = empty<float>(TBU(d)), dh0 = empty<float>(BU(d));
  {
    py::gil_scoped_release nogil;
    gru_dropout_backward(d, g_out, ptr(dhT), ptr(rk), ptr(keep), m, go_backwards, reset_after, act,
                         ract, ptr(gates), ptr(hp), ptr(rh), mut(dg), mut(dr), mut(dh0));
  }
  return py::make_tuple(dg, dr, dh0);
}

}  // namespace

void bind_rnn(pybind11::module_& m) {
  def_rnn_functions(m, &lstm_fwd, &lstm_bwd, &gru_fwd, &gru_bwd, &simple_fwd, &simple_bwd);
  const char* doc = "see tensorforge.reference.rnn_dropout (same arguments and returned tuple)";
  def_named(m, "lstm_dropout_forward", &lstm_dropout_fwd, doc, "proj", "recurrent_kernel", "h_keep",
            "h0", "c0", "mask", "go_backwards", "activation", "recurrent_activation");
  def_named(m, "lstm_dropout_backward", &lstm_dropout_bwd, doc, "d_outputs", "d_h_T", "d_c_T",
            "recurrent_kernel", "h_keep", "mask", "go_backwards", "activation",
            "recurrent_activation", "gates", "c_prev");
  def_named(m, "gru_dropout_forward", &gru_dropout_fwd, doc, "proj", "recurrent_kernel",
            "rec_bias_h", "h_keep", "h0", "mask", "go_backwards", "reset_after", "activation",
            "recurrent_activation");
  def_named(m, "gru_dropout_backward", &gru_dropout_bwd, doc, "d_outputs", "d_h_T",
            "recurrent_kernel", "h_keep", "mask", "go_backwards", "reset_after", "activation",
            "recurrent_activation", "gates", "h_prev", "rec_h");
}

}  // namespace tf
