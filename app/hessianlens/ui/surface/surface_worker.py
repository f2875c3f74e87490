"""The surface grid of the current view, computed off the GUI thread with the shared job
helper (ui/jobs.py): the latest request wins and stale results are dropped."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal

from hessianlens.engine.colour_scale import log_colours
from hessianlens.engine.fields import Rect, compute_fields, compute_value, grid_axes
from hessianlens.engine.objective import Objective
from hessianlens.engine.surface import (CLIP, SurfaceMesh, height_scale, level_segments,
                                        surface_mesh)
from hessianlens.ui.contours import contour_lines, robust_range
from hessianlens.ui.field_worker import CONTOUR_LEVELS
from hessianlens.ui.jobs import Job, JobResult
from hessianlens.ui.overlays.curvature import CURVATURE_LUT

GRID = 256  # samples per axis of the surface
GRIDS = (128, 256, 512)
COLOUR_F, COLOUR_CURVATURE = "f", "curvature"
COLOUR_MODES = (COLOUR_F, COLOUR_CURVATURE)
UNDEFINED_RGB = (150, 150, 150)  # where f is not finite: a grey floor
VIRIDIS = pg.colormap.get("viridis").getLookupTable(nPts=256, mode="byte")[:, :3]
# The plane's curvature shading, opaque: the classes are the surface's colour here, not a
# veil over viridis (the plane's indefinite white is greyed so it reads on a white background).
CURVATURE_RGB = CURVATURE_LUT[:, :3].copy()
CURVATURE_RGB[CURVATURE_LUT[:, 3] == 0] = UNDEFINED_RGB
CURVATURE_RGB[3] = (200, 200, 200)  # INDEFINITE (code 2, row 3 of the LUT)


@dataclass(frozen=True)
class SurfaceRequest:
    objective: Objective
    rect: Rect
    grid: int = GRID
    height_mode: str = CLIP
    colour_mode: str = COLOUR_F
    log_colour: bool = False  # f's colours (and contour levels) on the plane's log scale


@dataclass(frozen=True)
class SurfaceBundle:
    """One surface, ready to draw: the mesh and its per-vertex colours (nx, ny, 4) uint8."""

    generation: int
    request: SurfaceRequest
    mesh: SurfaceMesh
    colours: np.ndarray
    f_range: tuple[float, float]  # the plane's colour scale of f
    contours: np.ndarray  # (2M, 3) segment pairs: the plane's contour lines at their heights

    @property
    def objective(self) -> Objective:
        return self.request.objective

    @property
    def cell(self) -> float:
        """Grid spacing in plane units: paths are sampled this finely."""
        r = self.request.rect
        return max(r.width, r.height) / max(self.request.grid - 1, 1)


def compute_surface(request: SurfaceRequest, generation: int = 0) -> SurfaceBundle:
    """The mesh and colours of a request (pure numpy; safe in a worker thread)."""
    r = request
    if r.colour_mode == COLOUR_CURVATURE:
        fields = compute_fields(r.objective, r.rect, r.grid)
        f = fields.f
        rgb = np.take(CURVATURE_RGB, fields.curvature.astype(np.intp) + 1, axis=0)
    else:
        f = compute_value(r.objective, r.rect, r.grid)
    f_range = robust_range(f)  # the plane's colour scale (field_worker.compute_bundle)
    # The plane's levels (field_worker.compute_bundle): evenly spaced inside its colour range,
    # or in its log scale (contours.prepare_log_colours) when the plane's colours are log.
    levels = np.linspace(*f_range, CONTOUR_LEVELS + 2)[1:-1]
    if r.colour_mode != COLOUR_CURVATURE:
        if r.log_colour:
            log = log_colours(f, f_range)
            shade, levels = log.image, log.levels
        else:
            lo, hi = f_range
            with np.errstate(invalid="ignore"):
                shade = (f - lo) / (hi - lo)
        idx = np.clip(np.nan_to_num(shade) * 255, 0, 255)
        rgb = VIRIDIS[idx.astype(np.intp)]
    mesh = surface_mesh(f, r.rect, height_scale(f, f_range, r.height_mode))
    xs, ys = grid_axes(r.rect, f.shape[1], f.shape[0])
    contours = [level_segments(*contour_lines(xs, ys, f, [v]), v, mesh.frame, mesh.scale)
                for v in levels]
    rgb = np.where(mesh.defined.T[..., None], rgb, np.array(UNDEFINED_RGB, dtype=np.uint8))
    colours = np.empty((*mesh.z.shape, 4), dtype=np.uint8)
    colours[..., :3] = (rgb.transpose(1, 0, 2) * mesh.shade[..., None]).astype(np.uint8)
    colours[..., 3] = 255
    return SurfaceBundle(generation, request, mesh, colours, f_range,
                         np.concatenate(contours) if contours else np.zeros((0, 3), np.float32))


class SurfaceWorker(QObject):
    """Debounced, latest-wins surface computation on the shared job helper (ui/jobs.py);
    emits ready(SurfaceBundle) or failed(message) on the GUI thread."""

    ready = Signal(object)
    failed = Signal(str)

    def __init__(self, debounce_ms: int = 60, parent: QObject | None = None):
        super().__init__(parent)
        self.job = Job(debounce_ms, self)
        self.job.finished.connect(self._deliver)

    def request(self, request: SurfaceRequest, now: bool = False) -> None:
        """Ask for a surface; with now=False wait for a pause in requests first."""
        self.job.request(lambda ticket: compute_surface(request, ticket.generation), now=now)

    def _deliver(self, result: JobResult) -> None:
        if result.ok:
            self.ready.emit(result.value)
        else:
            self.failed.emit(f"could not compute the surface: {result.error}")

    def busy(self) -> bool:
        return self.job.busy()

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until the running job finished (tests, shutdown)."""
        return self.job.wait(msecs)
