"""Animated GIFs written frame by frame, with one shared palette and only what changed.

GIF89a (the CompuServe specification) stores indices into a colour table of at most 256
entries. One table serves every frame here (:func:`build_palette`): the exact colours the
picture draws most (method paths, markers, overlay lines, text) keep entries of their own,
so do colours evenly spaced along each colour ramp (the colour bars), and a median cut of
the first and last frames fills the rest. Each frame is mapped to it with a 4 x 4 ordered
(Bayer) dither whose amplitude is the local spacing of the table, which keeps colour bars
and the image of f smooth; an exact colour is never dithered, so a method's colour in the
GIF is the colour in the PNG. A pixel's index depends only on its colour and position, so
an unchanged pixel keeps its index from frame to frame: each frame stores only the
rectangle that changed, its unchanged pixels transparent (the previous frame shows
through, disposal method 1). Frames go to the file as they come: memory holds two frames
and a 16 MB colour lookup table, whatever the number of frames.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

import numpy as np
from PIL import GifImagePlugin, Image

from hessianlens.files import write_all

TRANSPARENT = 255  # the colour-table index reserved for "unchanged" pixels
MAX_COLOURS = 255  # entries for colours (index 255 is the transparent one)
EXACT_COLOURS = 32  # most frequent exact colours of the picture kept as they are
RAMP_COLOURS = 40  # entries along each colour ramp: 6 RGB units apart on viridis
# Ordered-dither amplitude: the distance from a colour's palette entry to the nearest other
# entry (the step a band would show), at most this many RGB units.
MAX_DITHER = 32.0
_BAYER4 = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]]) / 16 - 15 / 32
# Pixels used to build the palette: larger frames are subsampled to about this many.
PALETTE_SAMPLE_PX = 250_000
BAND_PX = 1_000_000  # pixels mapped at a time (about 20 bytes of temporaries each)
_UNKNOWN = 255  # in the colour -> index table: not computed yet (never a real answer)


def _pack(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 RGB -> (...) uint32 0xRRGGBB; packed input is returned as it is."""
    if rgb.dtype == np.uint32:
        return rgb
    rgb = rgb.astype(np.uint32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def _unpack(packed: np.ndarray) -> np.ndarray:
    return np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255],
                    axis=-1).astype(np.uint8)


def _nearest(colours: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Index of the nearest palette colour (squared RGB distance) for each (n, 3) colour."""
    c = colours.astype(np.int32)
    p = palette.astype(np.int32)
    out = np.empty(len(c), dtype=np.uint8)
    for i in range(0, len(c), 2048):  # bounded temporaries: 2048 x 255 x 3 int32
        d = ((c[i:i + 2048, None, :] - p[None, :, :]) ** 2).sum(axis=2)
        out[i:i + 2048] = d.argmin(axis=1)
    return out


def _along(ramp: np.ndarray, n: int) -> list[int]:
    """n colours evenly spaced along a ramp's distinct colours, in order."""
    keys = list(dict.fromkeys(int(k) for k in _pack(np.asarray(ramp)).ravel()))
    if len(keys) <= n:
        return keys
    return [keys[i] for i in np.linspace(0, len(keys) - 1, n).round().astype(int)]


def build_palette(samples: list[np.ndarray], exact: list[tuple[int, int, int]] = (),
                  ramps: list[np.ndarray] = ()) -> np.ndarray:
    """A colour table of at most 255 distinct colours for frames like ``samples``.

    Samples are (h, w, 3) uint8 RGB or (h, w) uint32 0xRRGGBB frames. The given ``exact``
    colours (the methods') and the EXACT_COLOURS most frequent colours of the samples come
    first, exactly; then RAMP_COLOURS colours along each of ``ramps`` (the colours of a
    colour bar, in order: a gradient too thin for a median cut to notice); a median cut
    of the samples (refined by k-means) fills the rest. Returns (n, 3) uint8.
    """
    packed = []
    for s in samples:
        step = max(1, int(np.ceil(np.sqrt(s.shape[0] * s.shape[1] * len(samples)
                                          / PALETTE_SAMPLE_PX))))
        packed.append(_pack(s[::step, ::step]).ravel())
    packed = np.concatenate(packed)
    keys, counts = np.unique(packed, return_counts=True)
    frequent = keys[np.argsort(-counts, kind="stable")[:EXACT_COLOURS]]
    along = [k for ramp in ramps for k in _along(ramp, RAMP_COLOURS)]
    fixed = list(dict.fromkeys([int(k) for k in _pack(np.array(exact, np.uint8).reshape(-1, 3))]
                               + [int(k) for k in frequent] + along))[:MAX_COLOURS]
    free = MAX_COLOURS - len(fixed)
    cut = []
    if free > 0:
        strip = Image.fromarray(_unpack(packed).reshape(-1, 1, 3))
        q = strip.quantize(colors=free, method=Image.Quantize.MEDIANCUT, kmeans=2,
                           dither=Image.Dither.NONE)
        used = sorted({c for _, c in q.getcolors(free)})
        table = np.array(q.getpalette()[: 3 * free], np.uint8).reshape(-1, 3)
        cut = [int(k) for k in _pack(table[used])]
    return _unpack(np.array(list(dict.fromkeys(fixed + cut))[:MAX_COLOURS], dtype=np.uint32))


class GifStream:
    """Write an animated GIF to an open binary file, one RGB frame at a time.

    ``add(frame)`` takes frames of the size given and writes each at once; ``close()``
    writes the trailer. ``frames`` counts frames; ``written`` bytes.
    """

    def __init__(self, fh: BinaryIO, width: int, height: int, palette: np.ndarray,
                 frame_ms: int, loop: int = 0):
        if not 1 <= len(palette) <= MAX_COLOURS:
            raise ValueError("a GIF palette holds 1 to 255 colours here")
        self.fh, self.width, self.height = fh, int(width), int(height)
        self.palette = np.asarray(palette, np.uint8)
        self.delay = max(2, round(frame_ms / 10))  # hundredths of a second; 2 = 20 ms minimum
        self.frames = 0
        self.written = 0
        self._lut = np.full(1 << 24, _UNKNOWN, dtype=np.uint8)  # 0xRRGGBB -> index (16 MB)
        self._palette_keys = _pack(self.palette)
        p = self.palette.astype(float)
        gaps = np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(axis=2))
        np.fill_diagonal(gaps, np.inf)
        self._spread = np.minimum(gaps.min(axis=1), MAX_DITHER) if len(p) > 1 else np.zeros(1)
        self._prev: np.ndarray | None = None
        table = np.zeros((256, 3), np.uint8)
        table[: len(self.palette)] = self.palette
        self._write(b"GIF89a" + struct.pack("<HHBBB", self.width, self.height, 0xF7, 0, 0)
                    + table.tobytes())
        # NETSCAPE2.0 application extension: loop the animation (0 = for ever).
        self._write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", loop) + b"\x00")

    def _write(self, data: bytes) -> None:
        write_all(self.fh, data)
        self.written += len(data)

    def _indices(self, packed: np.ndarray) -> np.ndarray:
        """Nearest palette index of each 0xRRGGBB value, filling the lookup table as needed."""
        idx = self._lut[packed]
        unknown = idx == _UNKNOWN
        if unknown.any():
            keys = np.unique(packed[unknown])
            self._lut[keys] = _nearest(_unpack(keys), self.palette)
            idx = self._lut[packed]
        return idx

    def _map(self, packed: np.ndarray, x0: int, y0: int) -> np.ndarray:
        """Palette indices of a region whose top-left pixel is (x0, y0) in the frame, in
        bands of rows (bounded temporaries however large the frame)."""
        h, w = packed.shape
        rows = max(4, BAND_PX // max(w, 1) // 4 * 4)  # a multiple of the dither's 4 rows
        out = np.empty((h, w), np.uint8)
        for r in range(0, h, rows):
            out[r:r + rows] = self._map_band(packed[r:r + rows], x0, y0 + r)
        return out

    def _map_band(self, packed: np.ndarray, x0: int, y0: int) -> np.ndarray:
        h, w = packed.shape
        plain = self._indices(packed)
        exact = self._palette_keys[plain] == packed
        ys = (np.arange(y0, y0 + h) % 4)[:, None]
        xs = (np.arange(x0, x0 + w) % 4)[None, :]
        offset = np.rint(_BAYER4[ys, xs] * self._spread[plain]).astype(np.int16)[..., None]
        dithered = np.clip(_unpack(packed).astype(np.int16) + offset, 0, 255).astype(np.uint8)
        # Dithered colours are looked up at 6 bits a channel (the centre of each 4-unit
        # cell): far fewer distinct colours to search, an error well inside the dither's.
        return np.where(exact, plain, self._indices(_pack((dithered & 0xFC) | 2)))

    def add(self, frame: np.ndarray) -> None:
        """Append a (height, width, 3) uint8 RGB or (height, width) uint32 0xRRGGBB frame.

        A packed frame is kept (as the previous frame) without a copy: do not change it.
        """
        if frame.shape[:2] != (self.height, self.width) or frame.dtype not in (np.uint8,
                                                                                np.uint32):
            raise ValueError(f"expected a {self.width} x {self.height} RGB frame")
        rgb = _pack(frame)
        if self._prev is None:
            frame, offset = self._map(rgb, 0, 0), (0, 0)
        else:
            changed = rgb != self._prev
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if rows.size:
                y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
                frame = self._map(rgb[y0:y1, x0:x1], x0, y0)
                frame[~changed[y0:y1, x0:x1]] = TRANSPARENT
                offset = (x0, y0)
            else:  # nothing moved: one transparent pixel keeps one frame per step
                frame, offset = np.full((1, 1), TRANSPARENT, np.uint8), (0, 0)
        h, w = frame.shape
        image = Image.frombytes("P", (w, h), np.ascontiguousarray(frame).tobytes())
        # Pillow's per-frame encoder: graphic control extension (delay, disposal 1 = leave
        # in place, transparent index), image descriptor at `offset`, LZW data; no local
        # colour table (the global one serves every frame).
        for chunk in GifImagePlugin.getdata(image, offset=offset, duration=self.delay * 10,
                                            disposal=1, transparency=TRANSPARENT):
            self._write(bytes(chunk))
        self._prev = rgb
        self.frames += 1

    def close(self) -> None:
        """Write the trailer and flush; the file is complete after this."""
        self._write(b";")
        self.fh.flush()
        self._lut = np.empty(0, np.uint8)
