"""plugin/runner.py: what the dock says when a job was cancelled (from the backend's 'error' event)."""
from __future__ import annotations

from claro.plugin.runner import cancelled_message


def test_a_training_cancelled_after_an_epoch_says_what_it_kept_and_how_to_continue():
    error = {"message": "Interrupted after epoch 3: kept /d/m.keras, …", "kept": {"model": "/d/m.keras",
             "resume": "/d/m.keras.resume"}, "epochs_run": 3, "best_epoch": 2}
    message = cancelled_message(error)
    assert message.startswith("Cancelled after epoch 3: /d/m.keras holds the best model so far (epoch 2)")
    assert "resume state is kept" in message and "tick Resume" in message


def test_other_cancels_report_the_backends_sentence_or_nothing_written():
    assert cancelled_message({"message": "Interrupted; nothing was written."}) == \
        "Cancelled: Interrupted; nothing was written."
    assert cancelled_message(None) == "Cancelled; nothing was written."
