import math

import numpy as np

from claro.backend import metrics


def test_confusion_matrix_skips_ignored_pixels():
    reference = np.array([[0, 0, 1, 1], [1, -1, 0, 1]])
    predicted = np.array([[0, 1, 1, 1], [0, 1, 0, 1]])
    matrix = metrics.confusion_matrix(reference, predicted, 2)
    assert matrix.tolist() == [[2, 1], [1, 3]]


def test_scores_report_the_target_class_not_the_background():
    matrix = np.array([[90, 0], [10, 0]])  # a model that never finds the cleared class
    result = metrics.scores(matrix, ["forest", "cleared"])
    assert result["overall_accuracy"] == 0.9
    assert result["per_class"]["forest"]["iou"] == 0.9
    assert result["per_class"]["cleared"]["iou"] == 0.0
    assert result["mean_iou"] == 0.0 and result["mean_iou_classes"] == ["cleared"]
    assert math.isnan(result["per_class"]["cleared"]["precision"])


def test_multiclass_scores():
    matrix = np.array([[5, 1, 0], [0, 4, 0], [1, 0, 3]])
    result = metrics.scores(matrix)
    assert result["per_class"]["0"]["iou"] == 5 / 7
    assert result["per_class"]["1"]["f1"] == 8 / 9
    assert abs(result["mean_iou"] - np.mean([5 / 7, 4 / 5, 3 / 4])) < 1e-12
