"""The pieces of tools/keras_parity_boot.py, the bootstrap each child run of tools/keras_parity.py
executes before the program: config.py (the run's side, program and caps), aliases.py (the
import swap), datasets.py (keras.datasets' offline stand-ins), paths.py (downloads and files
served offline), era.py (the Keras 2 era's pandas defaults) and caps.py (the capped, recording
fit / evaluate / predict). Each installs itself when the bootstrap calls its install(), in that
order."""
