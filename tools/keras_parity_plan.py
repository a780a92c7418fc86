"""Per-program settings of the accuracy comparison (`tools/keras_parity.py --plan`).

For each corpus program (file name without .py; list and sources in tools/keras_corpus.md):
the cap on `fit` (epochs, samples; the same on both sides) and the figure compared, chosen so
that one side takes well under a minute at 1 thread and the figure means something (MNIST
programs: a few thousand of the 8,000 bundled training digits, 1-2 epochs).

A metric is written `KIND[INDEX]:NAME`:
  * KIND `fit` (the last epoch's logs of a `fit` / `fit_generator` call) or `evaluate` (the
    values `evaluate` returned, by `metrics_names`); INDEX counts those calls in program order,
    default -1 (the last); NAME a log key (`acc` and `accuracy` are the same name, as Keras
    2.2 and tf.keras 2 spell it);
  * `stdout:REGEX`: the last match of REGEX's first group in what the program printed.
Optional keys: `max_predict` / `max_steps` (the harness's stop for hand-written loops), `note`.

NOT_COMPARABLE lists the programs with no figure to compare, and why; they still run (the run
rate is the other half of the acceptance), only their figure is not put in the table.

The entries live in tools/parity_plans/, one module per group of corpora; this module merges
them (a new corpus adds its own module there).
"""
import importlib
import os
import pkgutil

import parity_plans


def _collect():
    """PLAN and NOT_COMPARABLE of every module of tools/parity_plans/, refusing a program
    named twice (two corpora's programs must not share a file name)."""
    plan, not_comparable = {}, {}
    path = os.path.dirname(parity_plans.__file__)
    for info in sorted(pkgutil.iter_modules([path]), key=lambda m: m.name):
        mod = importlib.import_module("parity_plans." + info.name)
        for src, dst in ((getattr(mod, "PLAN", {}), plan),
                         (getattr(mod, "NOT_COMPARABLE", {}), not_comparable)):
            twice = set(src) & set(dst)
            if twice:
                raise ValueError(f"parity_plans.{info.name}: programs already planned: "
                                 f"{sorted(twice)}")
            dst.update(src)
    both = set(plan) & set(not_comparable)
    if both:
        raise ValueError(f"parity_plans: programs both planned and not comparable: {sorted(both)}")
    return plan, not_comparable


PLAN, NOT_COMPARABLE = _collect()
