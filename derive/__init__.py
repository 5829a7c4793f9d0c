"""derive: a sourced knowledge graph for compute-policy estimates.

The library never prints. The command line (``derive.cli``) is a thin layer
over the functions exported here and in the submodules.
"""

__version__ = "0.1.0"
