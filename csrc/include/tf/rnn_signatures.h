// The Python signatures of the rnn family, shared by _C (csrc/bindings/rnn.cpp) and _C_cuda
// (csrc/cuda/bind_rnn.cpp), so that both modules expose exactly tensorforge.reference.rnn's names,
// argument names and docstrings (the dispatch table in backend.py relies on it).
#pragma once
#include <pybind11/pybind11.h>

namespace tf {

// m.def(name, f, py::arg(names)..., doc)
template <class F, class... Names>
void def_named(pybind11::module_& m, const char* name, F f, const char* doc, Names... names) {
  m.def(name, f, pybind11::arg(names)..., doc);
}

template <class LF, class LB, class GF, class GB, class SF, class SB>
void def_rnn_functions(pybind11::module_& m, LF lstm_fwd, LB lstm_bwd, GF gru_fwd, GB gru_bwd,
                       SF simple_fwd, SB simple_bwd) {
  const char* fwd_doc = "see tensorforge.reference.rnn (same arguments and returned tuple)";
  const char* bwd_doc = "-> (dx, dkernel, drecurrent_kernel, dbias, dh0[, dc0]); see tensorforge.reference.rnn";
  def_named(m, "lstm_forward", lstm_fwd, fwd_doc, "x", "kernel", "recurrent_kernel", "bias", "h0",
            "c0", "mask", "go_backwards", "activation", "recurrent_activation");
  def_named(m, "lstm_backward", lstm_bwd, bwd_doc, "d_outputs", "d_h_T", "d_c_T", "x", "kernel",
            "recurrent_kernel", "mask", "go_backwards", "activation", "recurrent_activation", "gates",
            "h_prev", "c_prev");
  def_named(m, "gru_forward", gru_fwd, fwd_doc, "x", "kernel", "recurrent_kernel", "bias", "h0",
            "mask", "go_backwards", "reset_after", "activation", "recurrent_activation");
  def_named(m, "gru_backward", gru_bwd, bwd_doc, "d_outputs", "d_h_T", "x", "kernel",
            "recurrent_kernel", "mask", "go_backwards", "reset_after", "activation",
            "recurrent_activation", "gates", "h_prev", "rec_h");
  def_named(m, "simple_rnn_forward", simple_fwd, fwd_doc, "x", "kernel", "recurrent_kernel", "bias",
            "h0", "mask", "go_backwards", "activation");
  def_named(m, "simple_rnn_backward", simple_bwd, bwd_doc, "d_outputs", "d_h_T", "x", "kernel",
            "recurrent_kernel", "mask", "go_backwards", "activation", "cand", "h_prev");
}

}  // namespace tf
