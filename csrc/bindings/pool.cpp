// Bindings for the pool op family (kernels in csrc/cpu/pool.cpp). Filled in by its issue.
#include "tf/bind_util.h"

namespace tf {
void bind_pool(pybind11::module_& m) { (void)m; }
}  // namespace tf
