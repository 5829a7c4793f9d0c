"""Validation: the SHACL shapes and the verbatim-quote check, incremental by
default. Front ends call ``validate``; the modules below it each do one job."""

from derive.validate.report import Problem, ValidationReport
from derive.validate.run import current_report, has_run, validate

__all__ = ["Problem", "ValidationReport", "current_report", "has_run", "validate"]
