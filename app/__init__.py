"""nnviz: build, train and look inside small fully-connected networks."""

__version__ = "0.2.0"
