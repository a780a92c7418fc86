"""The accuracy comparison's plan, one module per group of corpora (tools/keras_parity_plan.py).

A module defines PLAN and / or NOT_COMPARABLE dicts; a new corpus adds its own module
(corpusNN.py) rather than editing another's.
"""
