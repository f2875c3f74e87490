"""The numeric engine: numpy, sympy and numdifftools; no Qt."""
