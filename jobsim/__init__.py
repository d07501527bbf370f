"""jobsim: a deterministic, in-memory simulator of a job-runtime platform's Jobs API.

>>> from jobsim import Simulator
>>> sim = Simulator(seed=0)
"""

from jobsim.errors import ERROR_CODES, ToolError
from jobsim.simulator import Simulator

__all__ = ["ERROR_CODES", "Simulator", "ToolError", "__version__"]

__version__ = "0.1.0"
