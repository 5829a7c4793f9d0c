"""Validation: the SHACL shapes and the verbatim-quote check, incremental by
default. Front ends call ``validate``; the modules below it each do one job."""

from derive.validate.report import Problem, ValidationReport
from derive.validate.run import has_run, is_current, validate

__all__ = ["Problem", "ValidationReport", "has_run", "is_current", "validate"]
