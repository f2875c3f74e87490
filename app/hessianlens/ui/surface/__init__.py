"""The "Surface (3D)" tab: f as a surface in OpenGL with the paths on it (built on first show)."""
