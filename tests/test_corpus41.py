"""The forty-first corpus (tools/keras_corpus.md, "Forty-first corpus"): James Loy's Neural
Network Projects with Python and the Keras Deep Learning Cookbook. What they needed of the
harness (tools/parity_boot/): the book's programs call ``matplotlib.use("TkAgg")`` before
pyplot, which a headless run cannot load (display.py keeps Agg); the cookbook opens its GloVe
file at its author's absolute path (paths.py serves data/downloads/<name>, as read_csv of such
a path already did)."""
import os
import sys
import textwrap

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools")
sys.path.insert(0, TOOLS)
import keras_parity as kp  # noqa: E402


def _run(tmp_path, prog):
    args = kp.argparse.Namespace(timeout=120, threads=1, nice=0)
    st = dict(epochs=1, samples=10, max_steps=20, max_predict=300, metric=None, note="")
    (tmp_path / "root").mkdir()
    root = str(tmp_path / "root")
    kp.install_boot(root)
    return kp.run_side("ours", str(prog), sys.executable, args, st, None, root)


def test_interactive_backend_request_keeps_agg(tmp_path):
    prog = tmp_path / "plots.py"
    prog.write_text(textwrap.dedent("""
        import matplotlib
        matplotlib.use("TkAgg")
        import matplotlib.pyplot as plt
        plt.plot([0, 1], [1, 0])
        plt.show()
        print("backend", matplotlib.get_backend().lower())
        matplotlib.use("pdf")  # a non-interactive backend is honoured
        print("then", matplotlib.get_backend().lower())
    """))
    r = _run(tmp_path, prog)
    assert r["ok"], r.get("error")
    assert "backend agg" in r["stdout"]
    assert "then pdf" in r["stdout"]


def test_absolute_path_read_is_served_from_data_downloads(tmp_path):
    chapter = tmp_path / "ch08"
    (chapter / "data" / "downloads").mkdir(parents=True)
    (chapter / "data" / "downloads" / "glove.6B.100d.txt").write_text("good 0.5 -0.25\n")
    prog = chapter / "glove.py"
    prog.write_text(textwrap.dedent("""
        f = open('/Users/someone/git/ch08/embeddings/glove.6B.100d.txt')
        print("line", f.read().split())
        f.close()
        try:
            open('/Users/someone/git/ch08/embeddings/missing.txt')
        except FileNotFoundError:
            print("missing stays missing")
    """))
    r = _run(tmp_path, prog)
    assert r["ok"], r.get("error")
    assert "line ['good', '0.5', '-0.25']" in r["stdout"]
    assert "missing stays missing" in r["stdout"]
