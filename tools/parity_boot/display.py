"""Plots in a run: the harness runs programs headless (MPLBACKEND=Agg: a figure is drawn, never
shown). A program that asks for an interactive backend by name before importing pyplot
(Neural Network Projects with Python's ``matplotlib.use("TkAgg")``, the forty-first corpus)
would make pyplot fail on either side ("Cannot load backend 'TkAgg' which requires the 'tk'
interactive framework, as 'headless' is currently running"), where the user's desktop opened a
window. Such a request keeps the Agg backend; a non-interactive one (pdf, svg, agg) is honoured."""
import functools


def install():
    try:
        import matplotlib
    except ImportError:
        return
    if getattr(matplotlib.use, "_kp_headless", False):
        return
    orig = matplotlib.use
    try:
        from matplotlib.backends import BackendFilter, backend_registry
        interactive = {b.lower() for b in backend_registry.list_builtin(BackendFilter.INTERACTIVE)}
    except ImportError:  # matplotlib < 3.9
        from matplotlib import rcsetup
        interactive = {b.lower() for b in rcsetup.interactive_bk}

    @functools.wraps(orig)
    def use(backend, *a, **kw):
        if isinstance(backend, str) and backend.lower() in interactive:
            return None
        return orig(backend, *a, **kw)
    use._kp_headless = True
    matplotlib.use = use
