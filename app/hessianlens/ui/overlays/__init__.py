"""The overlays of the plane: one module each, named by its record in overlay_specs.py."""
