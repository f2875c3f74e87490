"""Optimisation in n dimensions: problems, methods, measured runs and sweeps over n."""
