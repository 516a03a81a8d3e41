"""plugin/curves.py and the dock's epoch line: the live plot has a legend, the IoU is named for what
it is (the target class's), and a class with no validation pixel is n/a, never 0."""
from __future__ import annotations

import math

from qgis.PyQt.QtGui import QColor, QImage

from claro.plugin.curves import TRAINING_COLOUR, VALIDATION_COLOUR, CurvePlot, absent_classes, iou_title

EPOCH = {"loss": 0.221, "mean_iou": 0.412, "val_loss": 0.395, "val_mean_iou": 0.432,
         "val_iou_forest": 0.9, "val_iou_cleared": 0.432, "val_recall_forest": 0.95, "val_recall_cleared": 0.6}
#: the validation patches hold no cleared pixel: IoU 0 (false alarms only) is no score
NO_CLEARED = {**EPOCH, "val_mean_iou": 0.0, "val_iou_cleared": 0.0, "val_recall_cleared": math.nan}


def _close(image: QImage, colour: QColor, top: int) -> int:
    """Pixels below row `top` within 40 of `colour` in each channel."""
    count = 0
    for y in range(top, image.height()):
        for x in range(image.width()):
            c = QColor(image.pixel(x, y))
            count += all(abs(a - b) < 40 for a, b in zip((c.red(), c.green(), c.blue()),
                                                          (colour.red(), colour.green(), colour.blue())))
    return count


def test_the_plot_has_a_legend_for_training_and_validation(qgis_app):
    plot = CurvePlot()
    plot.resize(280, 170)
    plot.add_epoch(EPOCH)
    plot.add_epoch({**EPOCH, "loss": 0.2, "val_loss": 0.3})
    assert [(text, colour.name()) for text, colour, _ in plot.legend_items()] == \
        [("training", TRAINING_COLOUR.name()), ("validation", VALIDATION_COLOUR.name())]
    image = plot.grab().toImage()
    legend_top = image.height() - 20  # the legend row under both panels
    assert _close(image, TRAINING_COLOUR, legend_top) > 20 and _close(image, VALIDATION_COLOUR, legend_top) > 10


def test_the_iou_is_named_for_the_target_class():
    assert iou_title(EPOCH) == "IoU of the target class (cleared)"
    three = {"val_iou_a": 0.1, "val_iou_b": 0.2, "val_iou_c": 0.3}
    assert iou_title(three) == "mean IoU of the 3 classes"


def test_a_class_without_validation_pixels_is_a_gap_not_zero(qgis_app):
    plot = CurvePlot()
    plot.add_epoch(EPOCH)
    plot.add_epoch(NO_CLEARED)
    assert absent_classes(NO_CLEARED) == ["cleared"]
    assert plot.series("val_mean_iou") == [0.432, None]
    assert plot.series("mean_iou") == [0.412, 0.412]


def test_the_dock_epoch_line_says_what_the_numbers_are(dock):
    dock._epoch({"epoch": 3, "epochs": 50, "metrics": EPOCH})
    assert dock.train_status.text() == ("Epoch 3/50 · loss 0.221 (validation 0.395) · "
                                        "IoU of the target class (cleared) 0.412 (validation 0.432)")
    dock._epoch({"epoch": 4, "epochs": 50, "metrics": NO_CLEARED})
    first, warning = dock.train_status.text().split("\n")
    assert first.endswith("IoU of the target class (cleared) 0.412 (validation n/a)")
    assert warning.startswith("Warning: the validation patches hold no cleared pixels, so its scores are n/a")
