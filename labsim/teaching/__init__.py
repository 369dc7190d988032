"""The course's teaching layer: exercises with checks, the notebook build, grading.

Notebooks import their exercises from ``labsim.teaching.nbNN`` (one module per notebook),
for example ``from labsim.teaching.nb02 import q1, q2, q3``.
"""

from .checks import Choose, Exercise, ExpectRefusal, Observe, Predict, Reproduce, Requirement, WritePolicy

__all__ = ["Exercise", "Predict", "WritePolicy", "Requirement", "Choose", "Reproduce", "ExpectRefusal", "Observe"]
