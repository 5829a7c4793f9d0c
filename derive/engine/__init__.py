"""Estimates: plans compiled over a DAG with units checked (``compile``), the
methods and formulas they use, evaluation with Monte Carlo draws, the trail of
citations (``report``) and PROV-O write-back (``provenance``)."""
