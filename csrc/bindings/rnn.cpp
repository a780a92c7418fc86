// Bindings for the rnn op family (kernels in csrc/cpu/rnn.cpp). Filled in by its issue.
#include "tf/bind_util.h"

namespace tf {
void bind_rnn(pybind11::module_& m) { (void)m; }
}  // namespace tf
