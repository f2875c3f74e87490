"""The streaming GIF writer (gifstream.py), on synthetic frames, without Qt."""

import io

import numpy as np
import pytest
from PIL import Image

from hessianlens.gifstream import MAX_COLOURS, GifStream, build_palette

RED, BLUE = (214, 39, 40), (31, 119, 180)


def gradient(h=90, w=120):
    """A smooth two-colour ramp, like a colour bar: far more colours than a GIF holds."""
    t = np.linspace(0, 1, w)[None, :, None]
    s = np.linspace(0, 1, h)[:, None, None]
    rgb = (1 - t) * np.array([68, 1, 84]) + t * np.array([253, 231, 37]) + 20 * s
    return np.clip(rgb, 0, 255).astype(np.uint8)


def frames_with_a_growing_path(n=8):
    base = gradient()
    out = []
    for k in range(n):
        f = base.copy()
        f[40:43, 10:10 + 12 * k] = RED  # a path that grows by a segment a frame
        f[60:63, 100:103] = BLUE
        out.append(f)
    return out


def write(frames, palette=None, frame_ms=250):
    buf = io.BytesIO()
    palette = build_palette([frames[0], frames[-1]], [RED, BLUE]) if palette is None else palette
    g = GifStream(buf, frames[0].shape[1], frames[0].shape[0], palette, frame_ms)
    for f in frames:
        g.add(f)
    g.close()
    assert g.written == len(buf.getvalue()) and g.frames == len(frames)
    return buf.getvalue()


def decode(data):
    with Image.open(io.BytesIO(data)) as im:
        out = []
        for k in range(im.n_frames):
            im.seek(k)
            out.append((np.asarray(im.convert("RGB")), im.info.get("duration")))
    return out


def test_palette_keeps_the_given_colours_exactly_and_has_at_most_255():
    pal = build_palette([gradient()], [RED, BLUE])
    assert len(pal) <= MAX_COLOURS
    assert tuple(pal[0]) == RED and tuple(pal[1]) == BLUE
    assert len({tuple(c) for c in pal}) == len(pal)


def test_every_frame_decodes_to_its_source_within_the_dither():
    frames = frames_with_a_growing_path()
    decoded = decode(write(frames, frame_ms=120))
    assert len(decoded) == len(frames)
    for (got, duration), want in zip(decoded, frames):
        assert duration == 120
        assert np.abs(got.astype(int) - want).mean() < 4
        exact = np.all(want == RED, axis=2) | np.all(want == BLUE, axis=2)
        assert np.array_equal(got[exact], want[exact])  # method colours never dithered


def test_frames_that_add_a_segment_cost_little():
    frames = frames_with_a_growing_path(20)
    first = len(write(frames[:1]))
    total = len(write(frames))
    assert (total - first) / 19 < 200  # bytes per added segment, against ~first for a frame


def test_an_unchanged_frame_is_still_a_frame():
    f = gradient()
    decoded = decode(write([f, f, f]))
    assert len(decoded) == 3
    assert np.array_equal(decoded[1][0], decoded[2][0])


def test_a_ramp_on_a_coarse_palette_is_dithered_instead_of_banded():
    t = np.linspace(0, 1, 400)[None, :, None]
    ramp = np.clip((1 - t) * np.array([68, 1, 84]) + t * np.array([253, 231, 37]), 0, 255)
    f = np.repeat(ramp.astype(np.uint8), 40, axis=0)
    palette = f[0, np.linspace(0, 399, 24).astype(int)]  # 24 colours: bands 17 px wide
    got = decode(write([f], palette=palette))[0][0].astype(int)
    # Averaged over the 4 x 4 dither cell the ramp follows the source (undithered, the
    # nearest of 24 colours is up to 5 units off in bands).
    cells = got.reshape(10, 4, 100, 4, 3).mean(axis=(1, 3))
    want = f.astype(int).reshape(10, 4, 100, 4, 3).mean(axis=(1, 3))
    assert np.abs(cells - want).max() < 3.5


def test_frames_must_have_the_stream_size():
    buf = io.BytesIO()
    g = GifStream(buf, 10, 10, np.array([[0, 0, 0], [255, 255, 255]], np.uint8), 100)
    with pytest.raises(ValueError):
        g.add(np.zeros((5, 10, 3), np.uint8))


def test_colours_along_a_ramp_get_entries_even_when_the_ramp_is_thin():
    # A picture that is mostly a red-blue plane of thousands of colours, with a thin
    # colour bar of 300 shades: a median cut spends its entries on the big area; the ramp
    # keeps its own.
    u, v = np.meshgrid(np.linspace(0, 1, 200), np.linspace(0, 1, 300))
    f = np.stack([255 * u, 60 + 0 * u, 255 * v], axis=2).astype(np.uint8)
    t = np.linspace(0, 1, 300)[:, None]
    bar = np.clip((1 - t) * np.array([68, 1, 84]) + t * np.array([253, 231, 37]), 0, 255)
    f[:, 190:194] = bar.astype(np.uint8)[:, None, :]
    plain = build_palette([f])
    with_ramp = build_palette([f], ramps=[f[:, 192]])

    def worst_step(pal):  # the largest distance from a bar colour to its nearest entry
        d = ((bar[:, None, :] - pal[None, :, :].astype(float)) ** 2).sum(axis=2)
        return np.sqrt(d.min(axis=1)).max()

    assert worst_step(with_ramp) < 6 < worst_step(plain)
