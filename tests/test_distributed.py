"""tensorforge.distributed: N ranks under mpiexec train to the weights of one process.

The MPI tests launch tests/dist_worker.py under ``mpiexec -n 2`` and ``-n 3`` on this machine
(MPICH's hydra shares the cores without options; Open MPI gets --oversubscribe) and compare the
files each rank writes. They are skipped, with the reason, when mpi4py or mpiexec is missing
(``pip install 'tensorforge[mpi]'``; the test extra installs it).

Tolerance (See Note [reduction-order bound]): N ranks compute the same float32 sums in another
association, so the weights differ by at most about steps * lr_eff * K * u, with u = 2^-24 and K
the longest reduction (the conv kernel's gradient sums 15 samples x 16 positions = 240 terms).
"""
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from tensorforge.distributed.launch import find_mpiexec, mpiexec_command
from tensorforge.distributed.sampler import DistributedSampler, shard_bounds

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dist_worker.py")
U = 2.0 ** -24
K = 15 * 16          # longest float32 reduction of one gradient entry (batch 15 x 4x4 positions)
STEPS = 2 * 5        # 2 epochs of 61 samples in global batches of 15
LR = 0.5


def _mpi_missing():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return "mpi4py is not installed (pip install 'tensorforge[mpi]')"
    if find_mpiexec() is None:
        return "mpiexec not found (pip install mpich, or set TENSORFORGE_MPIEXEC)"
    return None


needs_mpi = pytest.mark.skipif(_mpi_missing() is not None, reason=str(_mpi_missing()))


def _env():
    # the ranks import the tensorforge this process imported (the installed one in CI, the
    # source tree with its in-place build in development), never the NumPy fallback
    from tfhelpers import subprocess_env
    # ranks share 2 cores: one kernel thread each
    return subprocess_env({"OMP_NUM_THREADS": "1", "TENSORFORGE_NUM_THREADS": "1"})


def _run(n, *args, timeout=120, check=True):
    cmd = ([sys.executable, WORKER] if n == 0 else
           mpiexec_command(n, [sys.executable, WORKER])) + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env())
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def _load(out, n):
    zs = [np.load(f"{out}.rank{r}.npz") for r in range(n)]
    for z in zs:
        assert int(z["size"]) == n, f"the job ran with {int(z['size'])} ranks, not {n} (wrong mpiexec?)"
    return zs


def _has_dev_shm():
    return os.path.isdir("/dev/shm") and os.statvfs("/dev/shm").f_bavail > 0


def _flat(z, prefix="w"):
    return np.concatenate([z[f"{prefix}{i}"].ravel() for i in range(4)])


# ---- no MPI needed -------------------------------------------------------------------------------

@pytest.mark.parametrize("n,batch,size", [(61, 15, 2), (61, 15, 3), (10, 4, 4), (7, 7, 3)])
def test_sampler_shards_are_disjoint_and_cover_each_global_batch(n, batch, size):
    for epoch in (0, 1):
        samplers = [DistributedSampler(n, batch, r, size, shuffle=True, seed=5) for r in range(size)]
        order = samplers[0].global_order(epoch)
        assert sorted(order) == list(range(n))
        per_rank = [list(s.local_batches(epoch)) for s in samplers]
        assert len({len(p) for p in per_rank}) == 1  # same number of steps on every rank
        for step, start in enumerate(range(0, n, batch)):
            M = min(batch, n - start)
            got, weights = [], 0.0
            for r in range(size):
                idx, m, MM = per_rank[r][step]
                assert MM == M
                if m:
                    got += list(idx)
                weights += size * m / M
            assert got == list(order[start:start + M])  # rank order = the one-process batch
            assert weights == pytest.approx(size)  # the weights average to 1
    assert not np.array_equal(samplers[0].global_order(0), samplers[0].global_order(1))


def test_shard_bounds_partition():
    for n in (0, 1, 5, 61):
        for size in (1, 2, 3, 4):
            b = [shard_bounds(n, r, size) for r in range(size)]
            assert b[0][0] == 0 and b[-1][1] == n
            assert all(b[i][1] == b[i + 1][0] for i in range(size - 1))


@pytest.mark.parametrize("total,n", [(80266, 2), (931080, 3), (10, 4), (0, 2), (33, 2)])
def test_sharded_update_bounds_cover_the_buffer_in_aligned_shards(total, n):
    from tensorforge.distributed.sharded import ALIGN, shard_bounds as sharded_bounds
    b = sharded_bounds(total, n)
    assert len(b) == n + 1 and b[0] == 0 and b[-1] == total
    assert all(lo <= hi for lo, hi in zip(b[:-1], b[1:]))
    assert all(x % ALIGN == 0 for x in b[1:-1])
    if total >= 64 * n:  # balanced within one alignment step
        sizes = np.diff(b)
        assert sizes.max() - sizes.min() <= ALIGN


def test_sharded_update_refuses_whole_tensor_clipping():
    from tensorforge.distributed import DistributedOptimizer
    from tensorforge.optimizers import SGD
    for kw in ({"clipnorm": 1.0}, {"global_clipnorm": 1.0}):
        with pytest.raises(ValueError, match=f"sharded=True.*{next(iter(kw))}"):
            DistributedOptimizer(SGD(0.1, **kw), sharded=True)
    with pytest.raises(TypeError, match="sharded must be True, False or 'auto'"):
        DistributedOptimizer(SGD(0.1), sharded="yes")


def test_window_shards_this_librarys_elementwise_optimizers_only(monkeypatch):
    """The window's sharded update takes the optimizers whose rules are elementwise (wherever
    their classes live in tensorforge.optimizers), not Ftrl / Lion / Adafactor or a subclass."""
    from tensorforge import optimizers as O
    from tensorforge.autograd import Tensor
    from tensorforge.distributed import _comm
    from tensorforge.distributed.optimizer import _shardable_on_the_window
    monkeypatch.setattr(_comm, "local_size", lambda: 1)
    monkeypatch.setattr(_comm, "size", lambda: 1)
    w = [Tensor(np.ones((3, 2), np.float32), requires_grad=True)]
    for cls in (O.SGD, O.RMSprop, O.Adam, O.AdamW, O.Adamax, O.Nadam, O.Adagrad, O.Adadelta,
                O.legacy.RMSprop, O.legacy.Nadam):
        assert _shardable_on_the_window(cls(), w), cls.__name__

    class MyAdam(O.Adam):
        pass
    for cls in (O.Ftrl, O.Lion, O.Adafactor, MyAdam):
        assert not _shardable_on_the_window(cls(), w), cls.__name__


def test_sharded_update_refuses_weight_constraints():
    from tensorforge.autograd import Tensor
    from tensorforge.constraints import MaxNorm
    from tensorforge.distributed.sharded import check_constraints
    w, b = Tensor(np.ones((3, 2), np.float32), requires_grad=True), Tensor(np.ones(2, np.float32))
    check_constraints([w, b])  # no constraint: fine
    w._constraint = MaxNorm(1.0)
    with pytest.raises(ValueError, match=r"sharded=True.*\(3, 2\).*constraint"):
        check_constraints([w, b])


def test_update_of_two_regions_applies_weight_constraints():
    # the 2-rank window update (raw2: each rank's gradient region) keeps Keras' constraint step
    from tensorforge.autograd import Tensor
    from tensorforge.constraints import NonNeg
    from tensorforge.optimizers.legacy import RMSprop  # the fused kernel's path
    w = Tensor(np.full((4, 3), 0.01, np.float32), requires_grad=True)
    w._constraint = NonNeg()
    g = np.ones((4, 3), np.float32)
    RMSprop(0.1)._apply_arrays([w], [g], checked=True, raw2=[g.copy()])
    assert (w.data >= 0).all() and (w.data == 0).any()


def test_import_without_mpi4py_and_clear_errors():
    code = ("import sys; sys.modules['mpi4py'] = None\n"
            "import tensorforge, tensorforge.distributed as d\n"
            "assert not d.is_initialized()\n"
            "try:\n    d.rank()\nexcept RuntimeError as e:\n    assert 'init()' in str(e), e\n"
            "else:\n    raise SystemExit('rank() before init() did not raise')\n"
            "try:\n    d.init()\nexcept ImportError as e:\n    print(e)\n"
            "else:\n    raise SystemExit('init() without mpi4py did not raise')\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env=_env())
    assert p.returncode == 0, p.stderr + p.stdout
    assert "pip install 'tensorforge[mpi]'" in p.stdout


def test_waiting_ranks_yield_their_core_only_on_an_oversubscribed_machine(monkeypatch):
    from tensorforge.distributed import _comm
    cores = os.cpu_count() or 1
    for k in ("TENSORFORGE_MPI_YIELD", "MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE"):
        monkeypatch.delenv(k, raising=False)
    assert not _comm._yield_when_idle()  # not launched by mpiexec
    monkeypatch.setenv("MPI_LOCALNRANKS", str(cores))
    assert not _comm._yield_when_idle()  # a core per rank: spinning is fastest
    monkeypatch.setenv("MPI_LOCALNRANKS", str(cores + 1))
    assert _comm._yield_when_idle()
    monkeypatch.setenv("TENSORFORGE_MPI_YIELD", "0")
    assert not _comm._yield_when_idle()
    monkeypatch.delenv("MPI_LOCALNRANKS")
    monkeypatch.setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "1")
    monkeypatch.setenv("TENSORFORGE_MPI_YIELD", "1")
    assert _comm._yield_when_idle()


def test_the_nccl_path_imports_without_cupy():
    # GPU ranks (run on a GPU by tools/gpu_dist_check.py) must not make the CPU package need CuPy
    code = ("import sys; sys.modules['cupy'] = None\n"
            "import tensorforge.distributed._nccl as n, tensorforge.distributed.fusion\n"
            "try:\n    n.select_device(0)\nexcept ImportError:\n    print('needs cupy')\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env=_env())
    assert p.returncode == 0 and p.stdout.strip() == "needs cupy", p.stderr + p.stdout


class _FakeNccl:
    available, NCCL_SUM, NCCL_FLOAT32 = True, "sum", "f32"

    @staticmethod
    def get_unique_id():
        return b"uid"

    class NcclCommunicator:
        def __init__(self, n, uid, rank):
            self.args = (n, uid, rank)


class _FakeComm:
    """Rank 0's view of an N-rank communicator whose ranks hold the given facts."""
    def __init__(self, facts):
        self.facts = facts

    def Get_rank(self):
        return 0

    def Get_size(self):
        return len(self.facts)

    def allgather(self, mine):
        return [mine] + self.facts[1:]

    def bcast(self, v, root=0):
        return v


@pytest.mark.parametrize("others,nccl", [
    ([], True),                                     # one rank
    ([(True, "host", "0000:00:07.0")], True),       # two GPUs of one machine
    ([(True, "host", "0000:00:06.0")], False),      # two ranks on one GPU: NCCL refuses them
    ([(True, "other", "0000:00:06.0")], True),      # the same bus id on another machine
    ([(False, "other", "0000:00:07.0")], False)])   # a rank whose CuPy has no NCCL
def test_gpu_ranks_use_nccl_only_where_every_rank_can(monkeypatch, others, nccl):
    """Every rank takes the same decision from the allgathered (NCCL usable, host, GPU bus id):
    a rank that alone tried NCCL would wait forever for the others."""
    import types

    from tensorforge.distributed import _nccl
    fake_cuda = types.SimpleNamespace(nccl=_FakeNccl, Device=lambda: types.SimpleNamespace(
        pci_bus_id="0000:00:06.0", id=0))
    monkeypatch.setitem(sys.modules, "cupy", types.SimpleNamespace(cuda=fake_cuda))
    monkeypatch.setitem(sys.modules, "cupy.cuda", fake_cuda)
    monkeypatch.setattr(_nccl.socket, "gethostname", lambda: "host")
    monkeypatch.setattr(_nccl, "_state", {"nccl": None, "tried": False})
    comm = _FakeComm([None] + others)
    assert _nccl.uses_nccl(comm) is nccl
    if nccl:
        assert _nccl._state["nccl"][1].args == (1 + len(others), b"uid", 0)


def test_fit_plan_keeps_printing_and_writing_callbacks_on_rank_0_only(monkeypatch):
    from tensorforge import callbacks as cb
    from tensorforge.distributed import _comm
    from tensorforge.distributed._fit import FitPlan
    from tensorforge.distributed.callbacks import (BroadcastGlobalVariablesCallback,
                                                   GlobalBatchLogs)
    user = [cb.EarlyStopping(monitor="loss"), cb.ModelCheckpoint("never-written.tf"),
            cb.CSVLogger("never-written.csv"), cb.History(), cb.ProgbarLogger()]
    plan = object.__new__(FitPlan)  # callbacks() needs only the rank
    for r, kept in ((0, user), (1, [user[0], user[3]])):
        monkeypatch.setattr(_comm, "rank", lambda r=r: r)
        got = plan.callbacks(list(user))
        assert isinstance(got[0], BroadcastGlobalVariablesCallback)
        assert isinstance(got[1], GlobalBatchLogs)
        assert got[2:] == kept
    own = BroadcastGlobalVariablesCallback(0)  # the caller's own broadcast is not doubled
    got = plan.callbacks([own])
    assert [type(c) for c in got] == [GlobalBatchLogs, BroadcastGlobalVariablesCallback]


# ---- under mpiexec -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    d = tmp_path_factory.mktemp("dist")
    _run(0, "train", d / "plain", "--plain")
    _run(1, "train", d / "sh1", "--shuffle")
    return d


@needs_mpi
@pytest.mark.parametrize("n", [2, 3])
def test_n_ranks_reach_the_weights_of_one_process(one_process, n):
    """Same global batch (15), seed and order: no shuffle against plain fit() without MPI, and
    the seeded per-epoch shuffle against the same job on one rank. Ranks > 0 start from other
    initial weights (the broadcast must fix that); shares are uneven (7/8, 5/5/5) and the last
    global batch (1 sample) leaves ranks without a sample."""
    d = one_process
    tol = STEPS * LR * K * U  # See Note [reduction-order bound]: 7.2e-5
    for tag, ref_name, extra in (("s", "plain", []), ("sh", "sh1", ["--shuffle"])):
        _run(n, "train", d / f"{tag}{n}", *extra)
        ref = np.load(d / f"{ref_name}.rank0.npz")
        zs = _load(d / f"{tag}{n}", n)
        w_ref, w0 = _flat(ref), _flat(ref, "init")
        assert np.abs(w_ref - w0).max() > 1000 * tol  # training moved the weights: not vacuous
        for z in zs:  # every rank holds bit-identical weights
            np.testing.assert_array_equal(_flat(z), _flat(zs[0]))
        np.testing.assert_allclose(_flat(zs[0]), w_ref, rtol=0, atol=tol)
        for z in zs:  # logs are the whole job's, identical on every rank
            # the batch logs hold what one process's do, as tf_keras': no 'size'
            assert list(z["batch_keys"]) == list(ref["batch_keys"]) == ["accuracy", "loss"]
            np.testing.assert_allclose(z["h_loss"], ref["h_loss"], rtol=1e-5)
            np.testing.assert_allclose(z["h_accuracy"], ref["h_accuracy"], rtol=1e-6)
            np.testing.assert_allclose(z["evaluate"], ref["evaluate"], rtol=1e-5)
            # the conv and Dense kernels wrote every gradient into its bucket view: no copy
            assert int(z["copies"]) == 0
            # ranks sharing a machine reduce through a shared-memory window (shm.py), where
            # the machine has /dev/shm (a few KB here)
            assert str(z["transport"]) == ("SharedMemoryBuckets" if _has_dev_shm() else
                                           "GradientBuckets")


@needs_mpi
@pytest.mark.parametrize("n,args,reducer", [
    (2, ["--transport", "mpi"], "GradientBuckets"),      # MPI's Allreduce of fused buckets
    (3, ["--machines", "2"], "SharedMemoryBuckets"),     # stand-in machines {0, 2} and {1}
    (2, ["--machines", "2"], "SharedMemoryBuckets")])    # one rank per stand-in machine
def test_every_gradient_transport_reaches_the_weights_of_one_process(one_process, n, args,
                                                                     reducer):
    """The reducer 'auto' does not pick here, and the hierarchical shared-memory reduction
    (local sums, then an Allreduce between one rank per machine), on ranks split into stand-in
    machines of uneven size."""
    d = one_process
    tag = f"t{n}" + "".join(args).replace("-", "")
    _run(n, "train", d / tag, *args)
    ref = np.load(d / "plain.rank0.npz")
    zs = _load(d / tag, n)
    for z in zs:
        assert str(z["transport"]) == reducer or not _has_dev_shm()
        np.testing.assert_array_equal(_flat(z), _flat(zs[0]))
        np.testing.assert_allclose(z["h_loss"], ref["h_loss"], rtol=1e-5)
    np.testing.assert_allclose(_flat(zs[0]), _flat(ref), rtol=0, atol=STEPS * LR * K * U)


@needs_mpi
def test_buckets_started_inside_backward_reach_the_weights_of_one_process(one_process):
    """Small buckets: the Dense bias, the Dense kernel (reduced in place) and the conv
    parameters are three reductions, the first two started by backward's grad-ready hook while
    it still runs the conv layer (See Note [one step] in fusion.py)."""
    d = one_process
    _run(2, "train", d / "b2", "--bucket-bytes", 200, "--direct-bytes", 500)
    ref = np.load(d / "plain.rank0.npz")
    zs = _load(d / "b2", 2)
    np.testing.assert_array_equal(_flat(zs[0]), _flat(zs[1]))
    np.testing.assert_allclose(_flat(zs[0]), _flat(ref), rtol=0, atol=STEPS * LR * K * U)
    np.testing.assert_allclose(zs[0]["h_loss"], ref["h_loss"], rtol=1e-5)
    assert [int(v) for v in zs[0]["layout"]] == [0, 1, 0]  # packed, in place, packed
    assert int(zs[0]["started_in_backward"]) == 2 * STEPS  # the first two of each step


@needs_mpi
def test_checkpoint_of_2_ranks_resumes_on_3_ranks(tmp_path):
    ckpt = tmp_path / "ckpt.tf"
    _run(2, "checkpoint", ckpt, tmp_path / "c2")
    assert ckpt.exists()
    _run(3, "resume", ckpt, tmp_path / "r3", "--epochs", 3)
    _run(1, "resume", ckpt, tmp_path / "r1", "--epochs", 3)
    r3, (r1,) = _load(tmp_path / "r3", 3), _load(tmp_path / "r1", 1)
    c2 = _load(tmp_path / "c2", 2)[0]
    tol = STEPS * (LR / (1 - 0.9)) * K * U  # momentum 0.9: lr_eff = lr / (1 - momentum)
    assert np.abs(_flat(r1) - _flat(c2)).max() > 1000 * tol
    for z in r3:
        np.testing.assert_array_equal(_flat(z), _flat(r3[0]))
        assert int(z["iterations"]) == int(r1["iterations"]) == 15  # 5 steps/epoch x 3 epochs
    np.testing.assert_allclose(_flat(r3[0]), _flat(r1), rtol=0, atol=tol)


@needs_mpi
@pytest.mark.parametrize("n,args,reducer", [
    (2, [], "SharedMemoryBuckets"), (3, [], "SharedMemoryBuckets"),  # shared values, chunks
    (2, ["--transport", "mpi"], "ShardedBuckets"),                  # reduce-scatter, allgather
    (3, ["--transport", "mpi"], "ShardedBuckets"),
    (3, ["--machines", "2"], "SharedMemoryBuckets")])  # stand-in machines {0, 2} and {1}
def test_sharded_update_reaches_the_weights_of_one_process(one_process, n, args, reducer):
    """DistributedOptimizer(sharded=True): each rank updates its shard of the summed gradient,
    then the ranks allgather (MPI) or read the machine's shared values (shm.py, Note [sharded
    on the window]); the same bound as the allreduce path (the update is elementwise)."""
    d = one_process
    tag = f"z{n}" + "".join(args).replace("-", "")
    _run(n, "train", d / tag, "--sharded", *args)
    ref = np.load(d / "plain.rank0.npz")
    zs = _load(d / tag, n)
    for z in zs:
        assert str(z["transport"]) == reducer or not _has_dev_shm()
        np.testing.assert_array_equal(_flat(z), _flat(zs[0]))
    np.testing.assert_allclose(_flat(zs[0]), _flat(ref), rtol=0, atol=STEPS * LR * K * U)
    np.testing.assert_allclose(zs[0]["h_loss"], ref["h_loss"], rtol=1e-5)
    np.testing.assert_allclose(zs[0]["evaluate"], ref["evaluate"], rtol=1e-5)
    assert int(zs[0]["copies"]) == 0  # the kernels wrote into the one flat gradient buffer


@needs_mpi
@pytest.mark.parametrize("n,opt,sharded", [(2, "rmsprop", True), (3, "rmsprop", True),
                                           (2, "adam", True), (2, "rmsprop", False),
                                           (2, "adam", False), (3, "rmsprop", False)])
def test_window_update_of_two_regions_equals_the_sum_written(tmp_path, n, opt, sharded):
    """RMSprop / Adam on the shared window, sharded or not: the kernels read two gradient
    regions (Notes [sum read by the update], [whole update of two regions] in shm.py: once per
    step sharded, once per parameter (4) per step otherwise; not at all on 3 unsharded ranks,
    which keep the chunked sum), and the weights are bit for bit those of the same job whose
    update reads the sum written first; both are within the allreduce path's bound of one
    process with lr_eff = 0.01 / sqrt(1 - 0.9) (RMSprop's largest step; Adam's, lr (1 -
    beta_1) / sqrt(1 - beta_2), is the same here)."""
    how = ["--sharded"] if sharded else ["--unsharded"]
    _run(0, "train", tmp_path / "plain", "--plain", "--opt", opt)
    _run(n, "train", tmp_path / "fused", "--opt", opt, *how)
    _run(n, "train", tmp_path / "written", "--opt", opt, "--sum-written", *how)
    ref = np.load(tmp_path / "plain.rank0.npz")
    fused, written = _load(tmp_path / "fused", n), _load(tmp_path / "written", n)
    calls = STEPS if sharded else 4 * STEPS if n == 2 else 0
    for z, w in zip(fused, written):
        assert str(z["transport"]) == "SharedMemoryBuckets" or not _has_dev_shm()
        if _has_dev_shm():
            assert int(z["fused"]) == calls and int(w["fused"]) == 0
        np.testing.assert_array_equal(_flat(z), _flat(w))
        np.testing.assert_array_equal(_flat(z), _flat(fused[0]))
    assert np.abs(_flat(fused[0]) - _flat(fused[0], "init")).max() > 0.01  # it trained
    lr_eff = 0.01 / np.sqrt(1 - 0.9)
    np.testing.assert_allclose(_flat(fused[0]), _flat(ref), rtol=0, atol=STEPS * lr_eff * K * U)
    np.testing.assert_allclose(fused[0]["h_loss"], ref["h_loss"], rtol=1e-5)


@needs_mpi
@pytest.mark.parametrize("n,opt", [(2, "rmsprop"), (3, "sgd")])
def test_fit_shards_the_update_on_one_machine_with_the_bits_of_the_whole_update(tmp_path, n, opt):
    """fit(distributed=True) wraps the optimizer with sharded='auto' (Note [sharded by default
    on one machine] in distributed/optimizer.py): on one machine's window each rank updates its
    chunk, and the weights, losses and evaluation are bit for bit those of the same job with
    DistributedOptimizer(sharded=False) (RMSprop: the two regions read by the kernel; SGD on 3
    ranks: the chunked sum written first, on both sides)."""
    _run(n, "train", tmp_path / "auto", "--opt", opt)
    _run(n, "train", tmp_path / "whole", "--opt", opt, "--unsharded")
    auto, whole = _load(tmp_path / "auto", n), _load(tmp_path / "whole", n)
    for a, w in zip(auto, whole):
        assert bool(a["sharded"]) == _has_dev_shm() and not bool(w["sharded"])
        # each step's update barrier was the logs' allgather (Note [update barrier in the
        # logs' allgather] in shm.py): 2 epochs of 5 global batches
        assert int(a["deferred"]) == (10 if _has_dev_shm() else 0) and int(w["deferred"]) == 0
        assert str(a["transport"]) == str(w["transport"])
        np.testing.assert_array_equal(_flat(a), _flat(w))
        np.testing.assert_array_equal(a["h_loss"], w["h_loss"])
        np.testing.assert_array_equal(a["evaluate"], w["evaluate"])
    assert np.abs(_flat(auto[0]) - _flat(auto[0], "init")).max() > 0.01  # it trained


@needs_mpi
@pytest.mark.parametrize("n,args", [
    (2, []),                                  # fit's default: the window, sharded update
    (3, []),                                  # 3 ranks: the chunked sum written first
    (2, ["--opt", "rmsprop"]),                # the kernel reading the two ranks' regions
    (2, ["--opt", "rmsprop", "--unsharded"]),  # every rank's whole update of two regions
    (2, ["--transport", "mpi"]),              # MPI's fused buckets, started as backward goes
    (2, ["--bucket-bytes", 200, "--direct-bytes", 500])])  # several buckets, one in place
def test_compiled_step_of_the_ranks_has_the_bits_of_the_general_step(tmp_path, n, args):
    """One-hot targets and categorical cross-entropy: the ranks train through the compiled
    step (Note [compiled step, distributed] in engine/compiled_step.py), whose gradients the
    kernels write into the buckets / window regions and whose reduction and update are the
    general step's; weights, losses and the evaluation equal bit for bit those of the same job
    forced onto the general step, and (SGD) one process's within the reduction-order bound.
    Uneven shares (7/8, 5/5/5) and a last global batch leaving ranks without a sample."""
    _run(n, "train", tmp_path / "c", "--onehot", *args)
    _run(n, "train", tmp_path / "g", "--onehot", "--general", *args)
    comp, gen = _load(tmp_path / "c", n), _load(tmp_path / "g", n)
    for c, g in zip(comp, gen):
        # every step with a sample on this rank (4 of 5 batches of 15 per epoch at least)
        assert int(c["compiled"]) >= 2 * 4 and int(g["compiled"]) == 0
        assert int(c["copies"]) == 0 and str(c["transport"]) == str(g["transport"])
        np.testing.assert_array_equal(_flat(c), _flat(comp[0]))
        np.testing.assert_array_equal(_flat(c), _flat(g))
        np.testing.assert_array_equal(c["h_loss"], g["h_loss"])
        np.testing.assert_array_equal(c["evaluate"], g["evaluate"])
    assert np.abs(_flat(comp[0]) - _flat(comp[0], "init")).max() > 0.01  # it trained
    if "--opt" not in args:  # SGD(0.5): the bound of Note [reduction-order bound]
        _run(0, "train", tmp_path / "p", "--onehot", "--plain")
        ref = np.load(tmp_path / "p.rank0.npz")
        np.testing.assert_allclose(_flat(comp[0]), _flat(ref), rtol=0, atol=STEPS * LR * K * U)
        np.testing.assert_allclose(comp[0]["h_loss"], ref["h_loss"], rtol=1e-5)


@needs_mpi
@pytest.mark.parametrize("transport", ["mpi"])
def test_fit_keeps_the_whole_update_where_sharding_is_not_the_default(tmp_path, transport):
    """DistributedOptimizer(sharded='auto', transport='mpi'): MPI's fused allreduce, unsharded
    (an optimizer wrapped by the caller keeps its own choice: the test above's --unsharded)."""
    _run(2, "train", tmp_path / "m", "--transport", transport)
    for z in _load(tmp_path / "m", 2):
        assert not bool(z["sharded"]) and str(z["transport"]) == "GradientBuckets"


@needs_mpi
def test_sharded_window_laid_out_again_keeps_frozen_weights(tmp_path):
    """A parameter list that changes (a layer frozen) frees the shared values' window: the
    parameters leaving it get their own copies, with their values; training goes on."""
    _run(2, "refreeze", tmp_path / "f")
    zs = _load(tmp_path / "f", 2)
    for z in zs:
        assert str(z["transport"]) == "SharedMemoryBuckets" or not _has_dev_shm()
        np.testing.assert_array_equal(_flat(z), _flat(zs[0]))
        for i in (0, 1):  # the frozen conv layer: its values of the first fit, own memory
            np.testing.assert_array_equal(z[f"w{i}"], z[f"first{i}"])
        assert bool(z["owns"].all())
        assert np.abs(z["w2"] - z["first2"]).max() > 1e-4  # the Dense layer trained on
        assert np.isfinite(z["h_loss"]).all()


@needs_mpi
def test_fits_in_a_row_skip_the_broadcast_of_shared_weights_only(tmp_path):
    """fit(distributed=True) again on the window's shared weights and state: the initial
    broadcast copies nothing (Note [no broadcast of shared weights]); after one rank replaced a
    weight's array or its optimizer state, it copies again. The weights and state equal, bit
    for bit, those of the same job whose every broadcast copies."""
    _run(2, "refit", tmp_path / "s")
    _run(2, "refit", tmp_path / "c", "--always-copy")
    skip, copy = _load(tmp_path / "s", 2), _load(tmp_path / "c", 2)
    if str(skip[0]["transport"]) != "SharedMemoryBuckets":
        assert not _has_dev_shm()  # (no window: every fit copies)
        return
    for z, c in zip(skip, copy):
        assert z["copied"].tolist() == [True, False, True, True]
        assert c["copied"].tolist() == [True, True, True, True]
        np.testing.assert_array_equal(_flat(z), _flat(c))
        np.testing.assert_array_equal(z["state"], c["state"])
        np.testing.assert_array_equal(_flat(z), _flat(skip[0]))
        assert np.isfinite(z["h_loss"]).all()


@needs_mpi
@pytest.mark.parametrize("transport", ["auto", "mpi"])
def test_sharded_checkpoint_holds_the_whole_optimizer_state(tmp_path, transport):
    """Momentum state sharded over 2 ranks (MPI: consolidated at the epoch end; auto: the
    machine's shared state, whole at any time), written by rank 0, resumed sharded over 3
    ranks: the weights of the same resume, unsharded, on 1 rank."""
    ckpt = tmp_path / "ckpt.tf"
    t = ["--sharded", "--transport", transport]
    _run(2, "checkpoint", ckpt, tmp_path / "c2", *t)
    _run(3, "resume", ckpt, tmp_path / "r3", "--epochs", 3, *t)
    _run(1, "resume", ckpt, tmp_path / "r1", "--epochs", 3)
    r3, (r1,) = _load(tmp_path / "r3", 3), _load(tmp_path / "r1", 1)
    tol = STEPS * (LR / (1 - 0.9)) * K * U
    for z in r3:
        np.testing.assert_array_equal(_flat(z), _flat(r3[0]))
    np.testing.assert_allclose(_flat(r3[0]), _flat(r1), rtol=0, atol=tol)


@needs_mpi
@pytest.mark.parametrize("n", [2, 3])
def test_stateful_metrics_are_computed_from_the_state_summed_over_the_ranks(tmp_path, n):
    """AUC, Precision, Recall and the confusion counts of fit's logs and of
    evaluate(distributed=True) are the one-process figures on the whole data, not the mean of
    the ranks' figures; MetricAverageCallback likewise (training and validation state)."""
    _run(0, "metrics", tmp_path / "one", "--plain")
    _run(n, "metrics", tmp_path / "m")
    one = np.load(tmp_path / "one.rank0.npz")
    zs = _load(tmp_path / "m", n)
    names = [str(k) for k in zs[0]["names"]]
    assert {"auc", "precision", "recall", "true_positives", "false_negatives"} <= set(names)
    for z in zs:
        # evaluate: every rank reports the figures of the whole data on the same weights
        np.testing.assert_allclose(z["dist"], z["whole"], rtol=1e-6, atol=1e-12)
        # fit's epoch logs: those of one process (weights equal up to reduction order)
        for k in ("auc", "precision", "recall", "true_positives", "false_negatives", "loss"):
            np.testing.assert_allclose(z["h_" + k], one["h_" + k], rtol=1e-4, atol=1e-3,
                                       err_msg=k)
        np.testing.assert_allclose(z["cb_vals"], z["cb_want"], rtol=1e-12, atol=1e-12)
    # not vacuous: the mean of the ranks' own figures (what averaging would report) differs
    keys = [str(k) for k in zs[0]["cb_keys"]]
    for k in ("auc", "val_auc", "val_precision"):
        i = keys.index(k)
        assert abs(np.mean([z["cb_local"][i] for z in zs]) - zs[0]["cb_want"][i]) > 1e-3, k


@needs_mpi
def test_collectives_and_horovod_style_fit(tmp_path):
    _run(2, "horovod", tmp_path / "hv")  # the collectives assert inside every rank
    zs = _load(tmp_path / "hv", 2)
    np.testing.assert_array_equal(_flat(zs[0]), _flat(zs[1]))  # broadcast + averaged gradients
    np.testing.assert_array_equal(zs[0]["h_loss"], zs[1]["h_loss"])  # MetricAverageCallback
    # warm-up from 0.5 / 2 to 0.5 over one epoch of 4 steps, then constant
    np.testing.assert_allclose(zs[0]["lrs"][:5], [0.3125, 0.375, 0.4375, 0.5, 0.5])


@needs_mpi
def test_a_rank_that_raises_ends_the_job_naming_it(tmp_path):
    p = _run(2, "fault", "raise", tmp_path / "f", timeout=60, check=False)
    assert p.returncode != 0
    assert "rank 1 of 2: failed with ValueError: bad batch on purpose" in p.stderr


@needs_mpi
def test_a_rank_failing_inside_backward_with_a_reduction_in_flight_ends_the_job(tmp_path):
    t0 = time.monotonic()
    p = _run(2, "fault", "backward", tmp_path / "f", timeout=60, check=False)  # init(timeout=60)
    assert p.returncode != 0
    assert "rank 1 of 2: failed with MemoryError: out of memory on purpose" in p.stderr
    assert time.monotonic() - t0 < 45  # MPI_Abort, not the 60 s watchdog


@needs_mpi
def test_a_rank_that_stalls_ends_the_job_after_the_timeout(tmp_path):
    p = _run(2, "fault", "hang", tmp_path / "f", timeout=60, check=False)  # init(timeout=10)
    assert p.returncode != 0
    assert "rank 0 of 2: waited more than 10 s in gradient allreduce" in p.stderr


@needs_mpi
def test_nan_loss_on_one_rank_stops_every_rank_at_the_same_step(tmp_path):
    p = _run(2, "fault", "nan", tmp_path / "f", timeout=60)
    assert "non-finite loss on rank(s) 1; every rank stops training" in p.stderr
    zs = _load(tmp_path / "f", 2)
    assert len(zs[0]["h_loss"]) == len(zs[1]["h_loss"]) == 1  # both stopped in epoch 1

# Note [reduction-order bound]
# One float32 sum of K terms carries an error of at most about K * u * sum|terms| (u = 2^-24);
# the gradient entries here are O(1) per term after the 1/M mean, so one step's gradient may
# differ between the one-process and the N-rank association by ~K * u, and one SGD step moves
# that difference into the weights scaled by the learning rate (lr / (1 - momentum) with
# momentum). Over `steps` steps, to first order: |w_N - w_1| <= steps * lr_eff * K * u
# (7.2e-5 here; measured on this machine: ~2e-7 without momentum, ~2e-6 with momentum 0.9).


@needs_mpi
def test_cli_train_distributed_prints_once_and_reports_the_job(tmp_path):
    save = tmp_path / "mlp.tf"
    cmd = mpiexec_command(2, [sys.executable, "-m", "tensorforge.cli", "train", "mlp",
                              "--distributed", "--epochs", "1", "--limit", "300", "--save",
                              str(save)])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=_env())
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("[====") == 1 and p.stdout.count("test accuracy") == 1
    assert "3/3 [" in p.stdout  # the bar counts the whole job's steps (300 samples, batch 128)
    assert "2 ranks x 1 thread(s)" in p.stdout and "images/s" in p.stdout
    assert save.exists()
