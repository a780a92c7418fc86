// Bindings for the conv op family (kernels in csrc/cpu/conv.cpp). Filled in by its issue.
#include "tf/bind_util.h"

namespace tf {
void bind_conv(pybind11::module_& m) { (void)m; }
}  // namespace tf
