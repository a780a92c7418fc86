// Bindings for the optim op family (kernels in csrc/cpu/optim.cpp). Filled in by its issue.
#include "tf/bind_util.h"

namespace tf {
void bind_optim(pybind11::module_& m) { (void)m; }
}  // namespace tf
