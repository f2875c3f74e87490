"""The exported 3D picture keeps its caption off the scene (a stand-in scene: no OpenGL)."""

import numpy as np
from PySide6.QtGui import QColor

from hessianlens.ui.surface import surface_export

CAPTION = ("height f on [-0.9999, 1.25], its whole range here; colour f as on the plane "
           "(viridis) on [-0.934, 1.233]")


class Scene:
    """Renders a black picture and records the size its labels were placed for."""

    def __init__(self):
        self.rendered = self.labelled = None

    def render_rgba(self, width, height):
        self.rendered = (width, height)
        rgba = np.zeros((height, width, 4), dtype=np.uint8)
        rgba[..., 3] = 255
        return rgba

    def draw_labels(self, painter, width, height):
        self.labelled = (width, height)


def test_the_caption_has_a_band_below_the_scene_and_its_labels(qapp):
    # Painted over the scene, the caption ran through the "y = -1" label of Example 3.
    scene = Scene()
    image = surface_export.picture(scene, [("#1f77b4", "Gradient descent")], CAPTION, 800, 600)
    assert (image.width(), image.height()) == (800, 600)
    width, scene_height = scene.rendered
    assert width == 800 and 0 < 600 - scene_height < 300
    assert scene.labelled == scene.rendered  # the labels are placed on the scene's pixels
    band = [QColor(image.pixel(x, y)) for y in range(scene_height, 600) for x in range(800)]
    dark = sum(c.lightness() < 128 for c in band)
    assert 0 < dark < len(band) / 5  # the caption's text on white, not on the scene
    assert all(QColor(image.pixel(x, scene_height - 1)).lightness() == 0
               for x in range(0, 800, 50))  # the scene reaches down to the band
    # The band fits the wrapped caption; without a caption the scene takes the whole height.
    narrow = Scene()
    surface_export.picture(narrow, [], CAPTION, 300, 600)
    assert 600 - narrow.rendered[1] > 600 - scene_height  # two lines at 300 pixels
    whole = Scene()
    surface_export.picture(whole, [], "", 800, 600)
    assert whole.rendered == (800, 600)
