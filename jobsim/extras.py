"""The optional extras: one place that says which one a module needs and how to get it."""

from __future__ import annotations

__all__ = ["need_hypothesis"]


def need_hypothesis(module: str) -> None:
    """Raise an :class:`ImportError` saying how to install the ``hypothesis`` extra, if
    Hypothesis is missing; ``module`` is the module that needs it."""
    try:
        import hypothesis  # noqa: F401
    except ImportError as error:
        raise ImportError(
            f"{module} needs Hypothesis; install the extra with: pip install 'jobsim[hypothesis]'"
        ) from error
