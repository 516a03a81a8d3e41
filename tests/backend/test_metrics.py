import math

import numpy as np
import pytest

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


def test_f2_from_a_two_by_two_matrix_by_hand():
    # cleared: 30 found, 10 missed, 20 false alarms → precision 0.6, recall 0.75
    matrix = np.array([[40, 20], [10, 30]])
    result = metrics.scores(matrix, ["forest", "cleared"])
    cleared = result["per_class"]["cleared"]
    assert cleared["precision"] == 0.6 and cleared["recall"] == 0.75
    # F2 = 5·P·R / (4·P + R) = 5·0.45 / 3.15 = 5/7; F1 = 2·0.45 / 1.35 = 2/3
    assert cleared["fbeta"] == pytest.approx(5 / 7, abs=1e-15)
    assert cleared["f1"] == pytest.approx(2 / 3, abs=1e-15)
    # forest: precision 40/50, recall 40/60 → F2 = 5·(0.8·2/3) / (4·0.8 + 2/3) = 20/29
    assert result["per_class"]["forest"]["fbeta"] == pytest.approx(20 / 29, abs=1e-15)
    assert result["beta"] == 2.0
    # β = 1 is F1; β = 0.5 favours precision: 1.25·0.45 / (0.25·0.6 + 0.75) = 0.625
    assert metrics.scores(matrix, beta=1.0)["per_class"]["1"]["fbeta"] == pytest.approx(2 / 3, abs=1e-15)
    assert metrics.scores(matrix, beta=0.5)["per_class"]["1"]["fbeta"] == pytest.approx(0.625, abs=1e-15)


def test_fbeta_of_an_absent_class_is_not_a_number_and_printed_n_a():
    matrix = np.array([[7, 0, 1], [0, 0, 0], [2, 0, 5]])  # class 1: no reference, no prediction
    result = metrics.scores(matrix)
    assert math.isnan(result["per_class"]["1"]["fbeta"])
    assert metrics.score_text(result["per_class"]["1"]["fbeta"]) == "n/a"
    assert metrics.score_text(None) == "n/a"
    assert metrics.score_text(0.0) == "0.000"
    # a class with references the model never predicts missed everything: 0, not n/a
    never = metrics.scores(np.array([[90, 0], [10, 0]]))["per_class"]["1"]
    assert never["fbeta"] == 0.0 and math.isnan(never["precision"])


def test_fbeta_name():
    assert metrics.fbeta_name(2.0) == "F2" and metrics.fbeta_name(0.5) == "F0.5"
