"""plugin/runner.py: what the dock says when a job was cancelled (from the backend's 'error' event),
and how a cancelled task ends in QGIS's task list."""
from __future__ import annotations

import stat

from qgis.core import QgsApplication, QgsTask

from claro.backend import params as P
from claro.plugin.runner import ClaroTask, cancelled_message


def test_a_training_cancelled_after_an_epoch_says_what_it_kept_and_how_to_continue():
    error = {"message": "Interrupted after epoch 3: kept /d/m.keras, …", "kept": {"model": "/d/m.keras",
             "resume": "/d/m.keras.resume"}, "epochs_run": 3, "best_epoch": 2}
    message = cancelled_message(error)
    assert message.startswith("Cancelled after epoch 3: /d/m.keras holds the best model so far (epoch 2)")
    assert "resume state is kept" in message and "train again with --resume to continue" in message


def test_other_cancels_report_the_backends_sentence_or_nothing_written():
    assert cancelled_message({"message": "Interrupted; nothing was written."}) == \
        "Cancelled: Interrupted; nothing was written."
    assert cancelled_message(None) == "Cancelled; nothing was written."


def test_the_dock_says_how_to_resume_in_its_own_words(dock):
    message = cancelled_message({"kept": {"model": "/d/m.keras", "resume": "/d/m.keras.resume"},
                                 "epochs_run": 3, "best_epoch": 2})
    assert dock.words(message, "train").endswith("train again with Resume ticked in Train ▸ Advanced to continue.")


def test_a_cancelled_task_ends_terminated_and_says_cancelled_in_the_task_list(qgis_app, tmp_path, wait_until):
    """QgsTask has no 'cancelled' end state: a cancelled task ends Terminated, which QGIS 3.22
    announces as "Task failed" with the description, so the description says it was cancelled."""
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\nexec sleep 60\n")
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    task = ClaroTask("Claro: predict classes.tif", [P.PredictParams(model="m.keras", image="i.tif",
                                                                    out=str(tmp_path / "classes.tif"))],
                     str(python), grace_seconds=1)
    ended = []
    task.failed.connect(lambda message, log: ended.append((message, task.status(), task.isCanceled(),
                                                           task.description())))
    QgsApplication.taskManager().addTask(task)
    assert wait_until(lambda: task.current is not None and task.current.process is not None, 30)
    task.cancel()
    assert wait_until(lambda: ended, 30)
    assert ended == [("Cancelled; nothing was written.", QgsTask.Terminated, True,
                      "Claro: predict classes.tif (cancelled)")]
