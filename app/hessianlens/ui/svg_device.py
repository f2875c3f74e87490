"""SVG from any QPainter drawing, written by a paint engine of our own.

Qt's QSvgGenerator writes each item's coordinates under its item transform (a plot's data
units scaled by ~60) with ``vector-effect="non-scaling-stroke"`` for pyqtgraph's cosmetic
pens, which librsvg and Inkscape do not implement: a 2 px line becomes 120 px wide, the
picture turns into solid blobs. It also keeps a stale clip path after QPainter.restore()
(a legend swatch clipped away by the label drawn before it). This engine asks the painter
for its true state at every draw call and writes plain SVG 1.1 that every renderer draws
the same: geometry mapped to device coordinates (no transforms on strokes), stroke widths
in device pixels, each element under the clip path the painter really has, coordinates far
off the page clipped to a margin around it, text as <text> with a generic fallback family,
images as embedded PNG.
"""

from __future__ import annotations

import base64
import math
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QFont, QFontInfo, QGradient, QImage, QPaintDevice,
                           QPaintEngine, QPainterPath, QPen, QTransform)

from hessianlens.ui.svg_paths import PathData, apply_transform

# Coordinates beyond this many page sizes off the page are clipped geometrically (renderers
# with fixed-point rasterizers, such as cairo under librsvg, overflow near 8e6).
FAR_MARGIN = 1.0

_CAPS = {Qt.PenCapStyle.FlatCap: "butt", Qt.PenCapStyle.SquareCap: "square",
         Qt.PenCapStyle.RoundCap: "round"}
_JOINS = {Qt.PenJoinStyle.BevelJoin: "bevel", Qt.PenJoinStyle.RoundJoin: "round",
          Qt.PenJoinStyle.MiterJoin: "miter", Qt.PenJoinStyle.SvgMiterJoin: "miter"}
_GENERIC = {QFont.StyleHint.Serif: "serif", QFont.StyleHint.Monospace: "monospace",
            QFont.StyleHint.TypeWriter: "monospace", QFont.StyleHint.Cursive: "cursive",
            QFont.StyleHint.Fantasy: "fantasy"}


_XML_INVALID = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _text(s: str) -> str:
    """Escaped for XML, less the control characters XML 1.0 does not allow."""
    return escape(s.translate(_XML_INVALID))


def _colour(c) -> str:
    return f"#{c.red():02x}{c.green():02x}{c.blue():02x}"


def _matrix(t: QTransform) -> str:
    return "matrix(" + ",".join(f"{v:.6g}" for v in (t.m11(), t.m12(), t.m21(), t.m22(),
                                                       t.dx(), t.dy())) + ")"


def _is_rect(path: QPainterPath) -> bool:
    """An axis-aligned rectangle (as Qt builds one from a rect or a region)."""
    xs = {round(path.elementAt(i).x, 3) for i in range(path.elementCount())}
    ys = {round(path.elementAt(i).y, 3) for i in range(path.elementCount())}
    return len(xs) <= 2 and len(ys) <= 2


class SvgEngine(QPaintEngine):
    """Collects SVG elements for the painter's draw calls (see the module docstring)."""

    def __init__(self, width: int, height: int):
        super().__init__(QPaintEngine.PaintEngineFeature.AllFeatures)
        self.width, self.height = width, height
        self.body: list[str] = []
        self.defs: list[str] = []
        self.error: BaseException | None = None
        self._clips: dict[str, str] = {}
        self._open_clip: str | None = None  # the clip group the body is in
        self._clip: str | None = None  # the clip of the element drawn next
        m = FAR_MARGIN * max(width, height)
        self.box = (-m, -m, width + m, height + m)
        self.paths = PathData(self.box)

    # --- QPaintEngine ---------------------------------------------------------------------
    def begin(self, _device) -> bool:
        return True

    def end(self) -> bool:
        self._clip = None
        self._emit("")
        return True

    def type(self) -> QPaintEngine.Type:
        return QPaintEngine.Type.User

    def updateState(self, _state) -> None:
        pass  # the painter is asked for its state at each draw call

    def drawPath(self, path: QPainterPath) -> None:
        self._guard(self._draw_path, path)

    def drawPolygon(self, points, mode) -> None:
        self._guard(self._draw_polygon, points, mode)

    def drawPixmap(self, r: QRectF, pm, sr: QRectF) -> None:
        self._guard(self._draw_image, r, pm.toImage(), sr)

    def drawImage(self, r: QRectF, image: QImage, sr: QRectF, _flags=None) -> None:
        self._guard(self._draw_image, r, image, sr)

    def drawTextItem(self, pt: QPointF, item) -> None:
        self._guard(self._draw_text, pt, item)

    def _guard(self, fn, *args) -> None:
        """Exceptions stop at the C++ boundary: keep the first, raise it after painting."""
        if self.error is not None:
            return
        try:
            fn(*args)
        except BaseException as exc:  # noqa: BLE001 (re-raised by svg_text)
            self.error = exc

    # --- state ------------------------------------------------------------------------------
    def _state(self) -> tuple[QTransform, bool]:
        """The painter's transform; False when its clip leaves nothing to draw."""
        p = self.painter()
        t = p.combinedTransform()
        if not p.hasClipping():
            self._clip = None
            return t, True
        clip = t.map(p.clipPath())
        if clip.isEmpty():
            return t, False
        if clip.elementCount() <= 5 and _is_rect(clip):
            # QPainter.clipPath() goes through an integer QRegion in logical coordinates
            # (a marker's fractional translation shifts it by up to a pixel); the bounding
            # rectangle is computed in floating point, exact for a rectangular clip.
            clip = QPainterPath()
            clip.addRect(t.mapRect(p.clipBoundingRect()))
        d = self.paths.path(clip, QTransform(), exact=True)
        cid = self._clips.get(d)
        if cid is None:
            cid = self._clips[d] = f"c{len(self._clips) + 1}"
            # The same shape as a clip path and as a mask: Qt's own SVG renderer (6.x)
            # ignores clip paths but applies masks; every other renderer applies both.
            r = clip.boundingRect()  # the mask's region: just the clip (Qt allocates it)
            self.defs.append(f'<clipPath id="{cid}"><path d="{d}"/></clipPath>')
            self.defs.append(f'<mask id="m{cid}" maskUnits="userSpaceOnUse" x="{r.x():.6g}" '
                             f'y="{r.y():.6g}" width="{r.width():.6g}" '
                             f'height="{r.height():.6g}"><path d="{d}" fill="#ffffff"/></mask>')
        self._clip = cid
        return t, True

    def _emit(self, element: str) -> None:
        """Append an element inside a group of its clip (a group only when it holds
        something: Qt's renderer cannot make a mask for an empty group)."""
        if self._clip != self._open_clip:
            if self._open_clip is not None:
                self.body.append("</g>")
            if self._clip is not None:
                self.body.append(f'<g clip-path="url(#{self._clip})" mask="url(#m{self._clip})">')
            self._open_clip = self._clip
        if element:
            self.body.append(element)

    def _stroke(self, pen: QPen, t: QTransform, opacity: float) -> str:
        if pen.style() == Qt.PenStyle.NoPen or pen.brush().style() == Qt.BrushStyle.NoBrush:
            return 'stroke="none"'
        w = pen.widthF()
        if pen.isCosmetic() or w == 0:
            w = w or 1.0  # cosmetic: device pixels (Qt draws width 0 as one pixel)
        else:
            w *= math.sqrt(abs(t.determinant()))
        c = pen.color()
        out = [f'stroke="{_colour(c)}"', f'stroke-width="{w:.3g}"',
               f'stroke-linecap="{_CAPS.get(pen.capStyle(), "square")}"',
               f'stroke-linejoin="{_JOINS.get(pen.joinStyle(), "bevel")}"']
        if out[-1].endswith('"miter"'):
            out.append(f'stroke-miterlimit="{pen.miterLimit():.3g}"')
        alpha = c.alphaF() * opacity
        if alpha < 1:
            out.append(f'stroke-opacity="{alpha:.3g}"')
        if pen.style() not in (Qt.PenStyle.SolidLine, Qt.PenStyle.NoPen):
            dashes = [v * w for v in pen.dashPattern()]  # Qt's pattern is in pen widths
            if dashes:
                out.append('stroke-dasharray="' + ",".join(f"{v:.3g}" for v in dashes) + '"')
                out.append(f'stroke-dashoffset="{pen.dashOffset() * w:.3g}"')
        return " ".join(out)

    def _fill(self, brush: QBrush, t: QTransform, opacity: float) -> str:
        style = brush.style()
        if style == Qt.BrushStyle.NoBrush:
            return 'fill="none"'
        gradient = brush.gradient()
        if gradient is not None and gradient.type() in (QGradient.Type.LinearGradient,
                                                          QGradient.Type.RadialGradient):
            return f'fill="url(#{self._gradient(gradient, brush.transform() * t)})"' + (
                f' fill-opacity="{opacity:.3g}"' if opacity < 1 else "")
        c = brush.color()  # other patterns: their colour, as a flat fill
        alpha = c.alphaF() * opacity
        return f'fill="{_colour(c)}"' + (f' fill-opacity="{alpha:.3g}"' if alpha < 1 else "")

    def _gradient(self, g: QGradient, t: QTransform) -> str:
        gid = f"g{len(self.defs) + 1}"
        box_mode = g.coordinateMode() == QGradient.CoordinateMode.ObjectBoundingMode
        units = "objectBoundingBox" if box_mode else "userSpaceOnUse"
        head = f'id="{gid}" gradientUnits="{units}"'
        if units == "userSpaceOnUse":
            head += f' gradientTransform="{_matrix(t)}"'
        spread = {QGradient.Spread.ReflectSpread: "reflect",
                  QGradient.Spread.RepeatSpread: "repeat"}.get(g.spread(), "pad")
        head += f' spreadMethod="{spread}"'
        stops = "".join(f'<stop offset="{pos:.4g}" stop-color="{_colour(c)}"'
                        + (f' stop-opacity="{c.alphaF():.3g}"' if c.alphaF() < 1 else "") + "/>"
                        for pos, c in g.stops())
        if g.type() == QGradient.Type.LinearGradient:
            a, b = g.start(), g.finalStop()
            self.defs.append(f'<linearGradient {head} x1="{a.x():.6g}" y1="{a.y():.6g}" '
                             f'x2="{b.x():.6g}" y2="{b.y():.6g}">{stops}</linearGradient>')
        else:
            c, f = g.center(), g.focalPoint()
            self.defs.append(f'<radialGradient {head} cx="{c.x():.6g}" cy="{c.y():.6g}" '
                             f'r="{g.radius():.6g}" fx="{f.x():.6g}" fy="{f.y():.6g}">{stops}'
                             "</radialGradient>")
        return gid

    # --- drawing ---------------------------------------------------------------------------
    def _shape(self, d: str, fill_rule: str | None, filled: bool) -> None:
        if not d:
            return
        p = self.painter()
        t = p.combinedTransform()
        fill = self._fill(p.brush(), t, p.opacity()) if filled else 'fill="none"'
        stroke = self._stroke(p.pen(), t, p.opacity())
        if fill == 'fill="none"' and stroke == 'stroke="none"':
            return
        rule = f' fill-rule="{fill_rule}"' if fill_rule and fill != 'fill="none"' else ""
        self._emit(f'<path d="{d}" {fill} {stroke}{rule}/>')

    def _draw_path(self, path: QPainterPath) -> None:
        t, visible = self._state()
        if not visible or path.isEmpty():
            return
        filled = self.painter().brush().style() != Qt.BrushStyle.NoBrush
        rule = "evenodd" if path.fillRule() == Qt.FillRule.OddEvenFill else "nonzero"
        self._shape(self.paths.path(path, t, filled=filled), rule, filled)

    def _draw_polygon(self, points, mode) -> None:
        t, visible = self._state()
        if not visible or len(points) < 2:
            return
        xy = apply_transform(t, np.array([(q.x(), q.y()) for q in points], dtype=float))
        polyline = mode == QPaintEngine.PolygonDrawMode.PolylineMode
        filled = not polyline and self.painter().brush().style() != Qt.BrushStyle.NoBrush
        rule = "nonzero" if mode == QPaintEngine.PolygonDrawMode.WindingMode else "evenodd"
        self._shape(self.paths.polyline(xy, not polyline, filled), rule, filled)

    def _draw_image(self, r: QRectF, image: QImage, sr: QRectF) -> None:
        t, visible = self._state()
        if not visible or image.isNull() or r.isEmpty():
            return
        src = sr.toAlignedRect().intersected(image.rect())
        if src != image.rect():
            image = image.copy(src)
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "PNG")
        buf.close()
        p = self.painter()
        opacity = f' opacity="{p.opacity():.3g}"' if p.opacity() < 1 else ""
        smooth = p.renderHints() & p.RenderHint.SmoothPixmapTransform
        rendering = "" if smooth else ' style="image-rendering:pixelated"'
        href = "data:image/png;base64," + base64.b64encode(bytes(data)).decode("ascii")
        self._emit(
            f'<image x="{r.x():.6g}" y="{r.y():.6g}" width="{r.width():.6g}" '
            f'height="{r.height():.6g}" transform="{_matrix(t)}" preserveAspectRatio="none"'
            f'{opacity}{rendering} xlink:href="{href}"/>')

    def _draw_text(self, pt: QPointF, item) -> None:
        t, visible = self._state()
        text = item.text()
        if not visible or not text.strip():
            return
        p = self.painter()
        font = item.font()
        size = font.pixelSize() if font.pixelSize() > 0 else \
            font.pointSizeF() * p.device().logicalDpiY() / 72
        family = QFontInfo(font).family()
        generic = _GENERIC.get(font.styleHint(), "sans-serif")
        c = p.pen().color()
        alpha = c.alphaF() * p.opacity()
        weight = getattr(font.weight(), "value", font.weight())
        attrs = [f'x="{pt.x():.6g}" y="{pt.y():.6g}"', f'transform="{_matrix(t)}"',
                 f"font-family={quoteattr(f'{family}, {generic}')}",
                 f'font-size="{size:.4g}"', f'font-weight="{int(weight)}"',
                 f'fill="{_colour(c)}"']
        if font.italic():
            attrs.append('font-style="italic"')
        if alpha < 1:
            attrs.append(f'fill-opacity="{alpha:.3g}"')
        self._emit(f'<text {" ".join(attrs)} xml:space="preserve">{_text(text)}</text>')


class SvgDevice(QPaintDevice):
    """A paint device of width x height pixels whose drawing becomes an SVG document."""

    def __init__(self, width: int, height: int):
        super().__init__()
        self.engine = SvgEngine(int(width), int(height))
        self._dpi = QImage(1, 1, QImage.Format.Format_RGB32).logicalDpiY()  # as a PNG export

    def paintEngine(self) -> QPaintEngine:
        return self.engine

    def metric(self, m) -> int:
        M = QPaintDevice.PaintDeviceMetric
        own = {M.PdmWidth: self.engine.width, M.PdmHeight: self.engine.height,
               M.PdmWidthMM: round(self.engine.width * 25.4 / self._dpi),
               M.PdmHeightMM: round(self.engine.height * 25.4 / self._dpi),
               M.PdmDepth: 32, M.PdmDpiX: self._dpi, M.PdmDpiY: self._dpi,
               M.PdmPhysicalDpiX: self._dpi, M.PdmPhysicalDpiY: self._dpi}
        return own[m] if m in own else super().metric(m)  # device pixel ratio 1

    def svg_text(self, out_width: int, out_height: int, title: str = "",
                 description: str = "") -> str:
        """The document: the drawing scaled to out_width x out_height, centred on white.

        Raises what a draw call raised (it could not cross Qt's C++ boundary).
        """
        e = self.engine
        if e.error is not None:
            raise e.error
        # A viewBox of the output's proportions around the drawing, as render_image centres
        # a picture of another aspect; the white page fills all of it.
        scale = min(out_width / e.width, out_height / e.height)
        vw, vh = out_width / scale, out_height / scale
        vx, vy = (e.width - vw) / 2, (e.height - vh) / 2
        head = (f'<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<svg xmlns="http://www.w3.org/2000/svg" '
                f'xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
                f'width="{out_width}" height="{out_height}" '
                f'viewBox="{vx:.6g} {vy:.6g} {vw:.6g} {vh:.6g}">\n')
        meta = (f"<title>{_text(title)}</title>\n" if title else "") + \
               (f"<desc>{_text(description)}</desc>\n" if description else "")
        page = (f'<rect x="{vx:.6g}" y="{vy:.6g}" width="{vw:.6g}" height="{vh:.6g}" '
                'fill="#ffffff"/>\n')
        defs = "<defs>\n" + "\n".join(e.defs) + "\n</defs>\n" if e.defs else ""
        return head + meta + defs + page + "\n".join(e.body) + "\n</svg>\n"
