"""Benchmarks: ``python -m tensorforge.bench {gemm,conv,pool,rnn,train,contention,overhead,layers,conv3d,all,distributed}``
or ``tensorforge bench``.

Each suite is a module here with ``add_arguments(parser)`` (optional) and ``run(args) -> rows``;
it checks its result against the reference before timing, warms up, then times both sides in
the same process with the same thread count. NumPy peers run at their best: the process
re-executes itself once with ``OPENBLAS_CORETYPE`` unset (it must be unset before NumPy loads)
and the thread-count variables pinned.
"""
SUITES = ("gemm", "conv", "pool", "rnn", "train", "contention", "overhead", "layers", "conv3d")
# Suites that launch their own processes (mpiexec); named explicitly, not part of "all".
PROCESS_SUITES = ("distributed",)
