"""The step-by-step run as a file: animated GIF, numbered PNGs, or MP4/WebM through ffmpeg.

Frames are rendered one at a time (ui/export.render_image) and go straight to the file, so
memory holds a frame or two whatever the number of steps. The work (frames x pixels) is
bounded by MAX_ANIMATION_PIXELS with a message naming the limit.

Video: MP4 (H.264) and WebM (VP9) are written by an ``ffmpeg`` found on PATH, fed raw
frames through a pipe. No video library is bundled: the encoders are large (a bundled
ffmpeg alone is 30+ MB against an application budget of about 1 MB to spare), and GIF,
PNG sequences and the user's own ffmpeg cover the need.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg

from hessianlens.files import (atomic_path, check_gif, check_png, check_size,
                               remove_stale_parts)
from hessianlens.gifstream import PALETTE_SAMPLE_PX, GifStream, build_palette
from hessianlens.ui.export import (frame_packed, frame_rgb, image_rect, render_image,
                                   write_png_bytes)

FRAME_MS = 250  # frame duration: 4 steps/s, the window's default playback speed
# Frames x pixels an animation may take: at the measured 20 to 40 ns per pixel (render,
# compare, encode) about ten minutes. Beyond it the user is told what to change.
MAX_ANIMATION_PIXELS = 10_000_000_000
VIDEO_SUFFIXES = {".mp4": "mp4", ".webm": "webm"}
_VIDEO_ARGS = {  # ffmpeg output options per container
    "mp4": ["-f", "mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18",
            "-movflags", "+faststart"],
    "webm": ["-f", "webm", "-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-crf", "30",
             "-b:v", "0"],
}

Progress = Callable[[int, int], bool]  # (frames done, frames in all) -> go on?


class ExportCancelled(Exception):
    """The user cancelled an animated export; nothing was left where the file was."""


class AnimationTooLarge(ValueError):
    """Frames x pixels over MAX_ANIMATION_PIXELS."""


def check_work(frames: int, width: int, height: int) -> None:
    """Refuse an animation of more than MAX_ANIMATION_PIXELS frames x pixels."""
    work = frames * width * height
    if work > MAX_ANIMATION_PIXELS:
        raise AnimationTooLarge(
            f"{frames} frames of {width} x {height} pixels are {work:.2g} pixels to render, "
            f"over the limit of {MAX_ANIMATION_PIXELS:.0e}; use fewer steps or a smaller size")


def ffmpeg_path() -> str | None:
    """The ffmpeg that writes MP4 and WebM, or None when there is none on PATH."""
    return shutil.which("ffmpeg")


def animation_format(path) -> str:
    """'png-sequence' for .png, 'mp4' or 'webm' for those, 'gif' otherwise."""
    suffix = Path(path).suffix.lower()
    if suffix == ".png":
        return "png-sequence"
    return VIDEO_SUFFIXES.get(suffix, "gif")


def animation_frames(view, width: int, height: int, light: bool = False,
                     progress: Progress | None = None):
    """Yield one picture per playback step 0..last_step; the session's step is restored after.

    progress(done, total) is called before each frame; returning False raises ExportCancelled.
    """
    session = view.session
    saved = session.step
    total = session.last_step + 1
    try:
        for k in range(total):
            if progress is not None and not progress(k, total):
                raise ExportCancelled(f"cancelled after {k} of {total} frames")
            session.set_step(k)
            yield render_image(view, width, height, light)
        if progress is not None:
            progress(total, total)
    finally:
        session.set_step(saved)


def _colour_bar_ramps(view, frame, width: int, height: int) -> list:
    """The colours down the middle of each colour bar, as drawn in ``frame``."""
    ramps = []
    for item in view.graphics.scene().items():
        bar = getattr(item, "bar", None) if isinstance(item, pg.ColorBarItem) else None
        if bar is None or not item.isVisible():
            continue
        r = image_rect(view, bar.sceneBoundingRect(), width, height)
        x = int(r.center().x())
        y0, y1 = max(0, int(r.top()) + 2), min(frame.shape[0], int(r.bottom()) - 2)
        if 0 <= x < frame.shape[1] and y1 > y0:
            ramps.append(frame[y0:y1, x])
    return ramps


def _palette(view, width: int, height: int, light: bool):
    """The GIF's colour table, from the first and the last frame, the methods' colours and
    the colour bars."""
    session = view.session
    saved = session.step
    step = max(1, round((width * height * 2 / PALETTE_SAMPLE_PX) ** 0.5))
    try:
        samples, ramps = [], []
        for k in (0, session.last_step):
            session.set_step(k)
            frame = frame_packed(render_image(view, width, height, light))
            ramps = ramps or _colour_bar_ramps(view, frame, width, height)
            samples.append(frame[::step, ::step].copy())  # not the whole frame: memory
            del frame
    finally:
        session.set_step(saved)
    exact = []
    for m in session.enabled_methods():
        c = m.colour.lstrip("#")
        exact.append((int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)))
    return build_palette(samples, exact, ramps)


def save_gif(view, path, width: int, height: int, light: bool = False,
             progress: Progress | None = None, frame_ms: int = FRAME_MS) -> int:
    """An animated GIF, one frame per step, streamed to the file; returns the frames written.

    The method colours are exact, colour bars smooth (gifstream.py), and a frame that only
    adds a segment stores only the pixels that changed.
    """
    check_work(view.session.last_step + 1, width, height)
    palette = _palette(view, width, height, light)
    written = [0]

    def verify(p):
        check_size(written[0])(p)
        check_gif(p)

    with atomic_path(path, verify=verify) as tmp, open(tmp, "wb") as fh:
        gif = GifStream(fh, width, height, palette, frame_ms)
        for image in animation_frames(view, width, height, light, progress):
            gif.add(frame_packed(image))
        gif.close()
        written[0] = gif.written
    return gif.frames


def sequence_paths(path, count: int) -> list[Path]:
    """'run.png' -> run_0000.png, run_0001.png, ...: the numbered files of a PNG sequence."""
    p = Path(path)
    stem = p.stem if p.suffix.lower() == ".png" else p.name
    digits = max(4, len(str(count - 1)))
    return [p.with_name(f"{stem}_{k:0{digits}d}.png") for k in range(count)]


def save_png_sequence(view, path, width: int, height: int, light: bool = False,
                      progress: Progress | None = None) -> list[Path]:
    """Numbered PNG files, one per step, each written atomically; returns their paths.

    A cancelled or failed export removes the frames it had written.
    """
    check_work(view.session.last_step + 1, width, height)
    paths = sequence_paths(path, view.session.last_step + 1)
    remove_stale_parts(*paths)  # the folder listed once, not once a frame
    written: list[Path] = []
    try:
        for target, image in zip(paths, animation_frames(view, width, height, light, progress)):
            with atomic_path(target, verify=check_png, tidy=False) as tmp:
                write_png_bytes(tmp, image)
            written.append(target)
    except BaseException:
        for p in written:
            with contextlib.suppress(OSError):
                p.unlink()
        raise
    return written


def save_video(view, path, width: int, height: int, light: bool = False,
               progress: Progress | None = None, frame_ms: int = FRAME_MS,
               fmt: str | None = None) -> int:
    """MP4 or WebM (by ``fmt`` or the suffix) through ffmpeg; returns the frames written."""
    fmt = fmt or VIDEO_SUFFIXES.get(Path(path).suffix.lower(), "mp4")
    ffmpeg = ffmpeg_path()
    if ffmpeg is None:
        raise OSError(f"writing {fmt.upper()} needs ffmpeg on PATH; none was found "
                      "(write a GIF or PNG sequence instead)")
    check_work(view.session.last_step + 1, width, height)
    frames = 0
    with atomic_path(path, verify=_nonempty) as tmp, tempfile.TemporaryFile() as log:
        cmd = [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{int(width)}x{int(height)}",
               "-framerate", f"{1000 / frame_ms:.6g}", "-i", "pipe:0",
               # H.264 and VP9 in yuv420p need even sizes: pad with the page's white.
               "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white",
               *_VIDEO_ARGS[fmt], os.fspath(tmp)]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=log)
        try:
            for image in animation_frames(view, width, height, light, progress):
                proc.stdin.write(frame_rgb(image).tobytes())
                frames += 1
            proc.stdin.close()
            code = proc.wait()
        except BrokenPipeError:
            code = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if code != 0:
            log.seek(0)
            reason = log.read().decode("utf-8", "replace").strip().splitlines()
            raise OSError(f"ffmpeg failed ({reason[-1] if reason else f'exit code {code}'})")
    return frames


def _nonempty(path: Path) -> None:
    if os.path.getsize(path) == 0:
        raise OSError("ffmpeg wrote an empty file")


def save_animation(view, path, width: int, height: int, light: bool = False,
                   progress: Progress | None = None, fmt: str | None = None,
                   frame_ms: int = FRAME_MS) -> int:
    """GIF, numbered PNG sequence, MP4 or WebM: ``fmt`` or else by the suffix (see
    animation_format); returns the frames written."""
    fmt = fmt or animation_format(path)
    if fmt == "png-sequence":
        return len(save_png_sequence(view, path, width, height, light, progress))
    if fmt in _VIDEO_ARGS:
        return save_video(view, path, width, height, light, progress, frame_ms, fmt)
    return save_gif(view, path, width, height, light, progress, frame_ms)
