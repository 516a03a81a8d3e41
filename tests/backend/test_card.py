"""backend/card.py: the card as a person reads it (`claro info`, the dock's card views)."""
from __future__ import annotations

from claro.backend.card import describe


def _card(metrics: dict) -> dict:
    return {"bands": ["b1", "b2", "b3"], "source_bands": [1, 2, 3],
            "classes": [{"value": 0, "name": "forest"}, {"value": 1, "name": "cleared"}], "metrics": metrics}


def test_the_headline_iou_is_named_as_the_target_class_not_a_mean_of_the_numbers_beside_it():
    text = describe(_card({"validation": {
        "mean_iou": 0.432, "mean_iou_classes": ["cleared"], "class_pixels": {"forest": 900, "cleared": 300},
        "per_class": {"forest": {"iou": 0.412}, "cleared": {"iou": 0.432}}}}))
    assert "  validation: IoU of the target class (cleared) 0.432; per class: forest 0.412, cleared 0.432" in text
    assert "mean IoU" not in text and "warning" not in text


def test_a_class_absent_from_a_split_is_n_a_with_a_warning_never_zero():
    text = describe(_card({"test": {
        "mean_iou": 0.0, "mean_iou_classes": ["cleared"], "class_pixels": {"forest": 900, "cleared": 0},
        "per_class": {"forest": {"iou": 0.95}, "cleared": {"iou": 0.0}}}}))
    assert "  test: IoU of the target class (cleared) n/a; per class: forest 0.950, cleared n/a" in text
    assert "    warning: the test patches hold no cleared pixels, so its scores are n/a" in text
    assert "0.000" not in text


def test_several_classes_say_mean_over_how_many():
    text = describe(_card({"validation": {
        "mean_iou": 0.5, "mean_iou_classes": ["a", "b", "c"],
        "per_class": {"a": {"iou": 0.4}, "b": {"iou": 0.5}, "c": {"iou": 0.6}}}}))
    assert "  validation: mean IoU of the 3 classes 0.500; per class: a 0.400, b 0.500, c 0.600" in text
