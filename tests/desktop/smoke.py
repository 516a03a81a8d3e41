"""Desktop smoke test, run INSIDE a real QGIS (`qgis --code smoke.py`, see scripts/test_desktop.sh).

Through the dock's own code path (its buttons): open the dock from the plugin's action, train a
tiny U-Net on a bundled sample tile, predict a held-out tile, check the styled layer, predict it
again with an uncertainty raster (styled with a ramp; the Predict tab shows the area table),
compare the prediction with a later copy of it in which a block of forest was cleared (the Change
tab: the change map with its category names, its polygons and the from→to hectares), check that
every tab fits the width QGIS gives the new dock and save a screenshot of each tab at that width
(dock-<tab>.png beside the main screenshot), save a screenshot of the main window with the dock on
the Predict tab (its area table), write a result file, and quit QGIS.

QGIS runs this file with exec() in its console namespace, so there is no __file__: the shell
script passes paths in CLARO_SMOKE_* environment variables. Everything is driven by Qt signals
and timers, because the event loop must keep running while the child process trains.
"""
import json
import os
import time
import traceback
from pathlib import Path

from qgis.core import QgsPalettedRasterRenderer, QgsProject, QgsRasterLayer, QgsSingleBandPseudoColorRenderer
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtGui import QColor
from qgis.utils import iface, plugins

SMOKE = {
    "result": Path(os.environ["CLARO_SMOKE_RESULT"]),
    "screenshot": Path(os.environ["CLARO_SMOKE_SCREENSHOT"]),
    "work": Path(os.environ["CLARO_SMOKE_WORK"]),
    "sample": Path(os.environ["CLARO_SMOKE_SAMPLE"]),
    "timeout_ms": int(os.environ.get("CLARO_SMOKE_TIMEOUT", "900")) * 1000,
    "train_tile": "Amazon_170_38",
    "predict_tile": "Amazon_1712_26",
    "classes": [("forest", "#1a9641"), ("cleared", "#d7191c")],
    #: the block of the prediction whose forest is cleared in the later map (rows, columns)
    "cleared_block": (slice(150, 350), slice(150, 350)),
    "dates": ("2021-07-31", "2023-08-02"),
    "started": time.monotonic(),
    "finished": False,
    "keep": [],  # Python objects Qt must not lose (slots, timers)
}


def smoke_finish(ok, **info):
    """Write the result file once, then quit QGIS."""
    if SMOKE["finished"]:
        return
    SMOKE["finished"] = True
    info.update(ok=bool(ok), seconds=round(time.monotonic() - SMOKE["started"], 1))
    tmp = SMOKE["result"].with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=2))
    os.replace(tmp, SMOKE["result"])
    QTimer.singleShot(300, smoke_quit)


def smoke_quit():
    plugin = plugins.get("claro")  # still loaded when a check failed
    if plugin is not None and plugin.dock is not None:
        plugin.dock.shutdown()
    # Layers under /tmp count as temporary: QGIS would ask before discarding them. Close the project.
    QgsProject.instance().clear()
    QgsProject.instance().setDirty(False)  # no "save the project?" question
    blocker = QTimer()
    blocker.setSingleShot(True)
    blocker.timeout.connect(smoke_exit_blockers)
    blocker.start(20000)
    SMOKE["keep"].append(blocker)
    iface.actionExit().trigger()


def smoke_exit_blockers():
    """Still running 20 s after Exit: name the windows in the way (for the shell script's report)."""
    from qgis.PyQt.QtWidgets import QApplication

    windows = [f"{type(w).__name__} '{w.windowTitle()}' {getattr(w, 'text', lambda: '')()}"
               for w in QApplication.topLevelWidgets() if w.isVisible()]
    SMOKE["result"].with_suffix(".exit.txt").write_text("\n".join(windows) + "\n")


def smoke_guard(step):
    """Run a step; any exception ends the test with its traceback."""
    def run(*args):
        try:
            step(*args)
        except Exception:  # noqa: BLE001
            smoke_finish(False, step=step.__name__, error=traceback.format_exc())
    SMOKE["keep"].append(run)
    return run


def smoke_start():
    plugin = plugins.get("claro")
    if plugin is None:
        raise RuntimeError(f"the claro plugin is not loaded; loaded plugins: {sorted(plugins)}")
    window = iface.mainWindow()
    window.resize(1500, 920)
    if not [a for a in iface.rasterMenu().actions() if "Claro" in a.text().replace("&", "")]:
        raise RuntimeError("no Claro entry in the Raster menu")
    plugin.action.trigger()  # the toolbar button / Raster menu entry
    dock = plugin.dock
    if dock is None or dock.objectName() != "ClaroDock" or dock.isHidden():
        raise RuntimeError("the action did not show the Claro dock")
    # The dock keeps the width QGIS gives a new dock: the one a new user sees, and every tab must fit it.
    from qgis.PyQt.QtWidgets import QDockWidget

    browser = window.findChild(QDockWidget, "Browser")
    if browser is not None:
        browser.hide()  # more room for the layer legend in the screenshot
    SMOKE["dock"] = dock
    sample, work = SMOKE["sample"], SMOKE["work"]
    train, held_out = SMOKE["train_tile"], SMOKE["predict_tile"]
    image = iface.addRasterLayer(str(sample / "images" / f"{train}.tif"), f"{train} image")
    mask = iface.addRasterLayer(str(sample / "masks" / f"{train}.tif"), f"{train} mask")
    target = iface.addRasterLayer(str(sample / "images" / f"{held_out}.tif"), f"{held_out} image")
    if not (image and mask and target):
        raise RuntimeError("QGIS could not open the sample tiles")
    SMOKE["target"] = target
    mask_node = QgsProject.instance().layerTreeRoot().findLayer(mask.id())
    mask_node.setItemVisibilityChecked(False)

    dock.image_combo.setLayer(image)
    dock.label_combo.setLayer(mask)
    found = [c["value"] for c in dock.class_table.classes()]
    if found != [0, 1]:
        raise RuntimeError(f"class table holds {found}, expected [0, 1]")
    for row, (name, colour) in enumerate(SMOKE["classes"]):
        dock.class_table.item(row, 1).setText(name)
        dock.class_table.cellWidget(row, 2).setColor(QColor(colour))
    dock.patch_form.set_value("out", str(work / "patches"))
    dock.patch_form.set_value("patch_size", 64)
    for name, value in {"out": str(work / "model.keras"), "epochs": 3, "base_filters": 8, "depth": 2,
                        "batch_size": 8, "patience": 3}.items():
        dock.train_form.set_value(name, value)
    dock.tabs.setCurrentIndex(1)
    dock.trainingFinished.connect(smoke_guard(smoke_trained))
    dock.train_button.click()
    if dock.task is None:
        raise RuntimeError("the Train button started no task; see the message bar / log")


def smoke_trained(ok, outputs):
    dock = SMOKE["dock"]
    if not ok:
        raise RuntimeError(f"training failed: {dock.train_status.text()}")
    SMOKE["model"] = outputs.get("model")
    if len(dock.curves.series("loss")) != 3:
        raise RuntimeError(f"the live plot has {len(dock.curves.series('loss'))} epochs, expected 3")
    dock.predict_combo.setLayer(SMOKE["target"])
    dock.predict_form.set_value("out", str(SMOKE["work"] / f"{SMOKE['predict_tile']}-classes.tif"))
    dock.probabilities_check.setChecked(True)
    SMOKE["predictions"] = 0
    dock.predictionFinished.connect(smoke_guard(smoke_prediction_done))
    dock.predict_button.click()
    if dock.task is None:
        raise RuntimeError("the Predict button started no task")


def smoke_prediction_done(ok, layer):
    """The first prediction (class layer and probabilities), then the second (uncertainty)."""
    SMOKE["predictions"] += 1
    if SMOKE["predictions"] == 1:
        smoke_predicted(ok, layer)
    else:
        smoke_predicted_uncertainty(ok, layer)


def smoke_predicted(ok, layer):
    dock = SMOKE["dock"]
    if not ok or layer is None:
        raise RuntimeError(f"prediction failed: {dock.predict_status.text()}")
    renderer = layer.renderer()
    if not isinstance(renderer, QgsPalettedRasterRenderer):
        raise RuntimeError(f"class layer renderer is {renderer.type()}, not paletted")
    classes = [(c.value, c.label, c.color.name()) for c in renderer.classes()]
    expected = [(i, name, colour) for i, (name, colour) in enumerate(SMOKE["classes"])]
    if classes != expected:
        raise RuntimeError(f"class layer classes {classes}, expected {expected}")
    provider = layer.dataProvider()
    if not (provider.sourceHasNoDataValue(1) and provider.sourceNoDataValue(1) == 255):
        raise RuntimeError("class layer has no nodata 255")
    root = QgsProject.instance().layerTreeRoot()
    group = root.children()[0]
    if group.name() != "Claro" or group.findLayers()[0].layer().id() != layer.id():
        raise RuntimeError("the class layer is not first in the 'Claro' group on top")
    SMOKE["checks"] = {"classes": classes, "nodata": 255, "group": group.name(),
                       "layers_in_group": [n.layer().name() for n in group.findLayers()]}
    view = iface.layerTreeView()
    if not (view.isExpanded(view.node2index(group)) and view.isExpanded(view.node2index(group.findLayer(layer.id())))):
        raise RuntimeError("the Layers panel does not show the class legend")
    SMOKE["class_layer"] = layer
    # the same prediction again with an uncertainty raster, replacing the class raster (same values)
    dock.probabilities_check.setChecked(False)
    dock.predict_form.set_value("uncertainty", str(SMOKE["work"] / f"{SMOKE['predict_tile']}-uncertainty.tif"))
    dock.predict_form.set_value("overwrite", True)
    dock.predict_button.click()
    if dock.task is None:
        raise RuntimeError("the Predict button started no task for the prediction with uncertainty")


def smoke_predicted_uncertainty(ok, layer):
    dock = SMOKE["dock"]
    if not ok or layer is None:
        raise RuntimeError(f"prediction with uncertainty failed: {dock.predict_status.text()}")
    SMOKE["class_layer"] = layer
    group = QgsProject.instance().layerTreeRoot().findGroup("Claro")
    path = dock.predict_form.value("uncertainty")
    found = [n.layer() for n in group.findLayers() if os.path.realpath(n.layer().source()) == os.path.realpath(path)]
    if not found:
        raise RuntimeError(f"no uncertainty layer for {path} in the Claro group: "
                           f"{[n.layer().source() for n in group.findLayers()]}")
    renderer = found[0].renderer()
    if not isinstance(renderer, QgsSingleBandPseudoColorRenderer):
        raise RuntimeError(f"the uncertainty layer's renderer is {renderer.type()}, not a colour ramp")
    ramp = renderer.shader().rasterShaderFunction().colorRampItemList()
    if len(ramp) < 2 or ramp[0].color == ramp[-1].color:
        raise RuntimeError(f"the uncertainty layer's ramp has {len(ramp)} colours")
    table = dock.predict_tab.area_table
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    if not table.isVisibleTo(dock.predict_tab) or names != [name for name, _colour in SMOKE["classes"]]:
        raise RuntimeError(f"the Predict tab's area table shows {names}")
    SMOKE["checks"].update(uncertainty={"layer": found[0].name(), "renderer": renderer.type(), "ramp": len(ramp)},
                           area_table=[[table.item(r, c).text() for c in range(table.columnCount())]
                                       for r in range(table.rowCount())])
    smoke_change()


def smoke_change():
    """A later map: the prediction with a block of its forest cleared; compared in the Change tab."""
    from osgeo import gdal

    dock = SMOKE["dock"]
    before = Path(dock.predict_form.value("out"))
    after = SMOKE["work"] / f"{SMOKE['predict_tile']}-classes-later.tif"
    gdal.Translate(str(after), str(before))  # the colour table and category names too
    dataset = gdal.Open(str(after), gdal.GA_Update)
    band = dataset.GetRasterBand(1)
    data = band.ReadAsArray()
    block = data[SMOKE["cleared_block"]]
    SMOKE["cleared_pixels"] = int((block == 0).sum())
    block[block == 0] = 1
    band.WriteArray(data)
    dataset = None
    if not SMOKE["cleared_pixels"]:
        raise RuntimeError("the prediction has no forest in the block to clear")
    later = iface.addRasterLayer(str(after), "later map")
    if not later:
        raise RuntimeError(f"QGIS could not open {after}")
    from claro.plugin.layers import style_class_layer  # its legend: the two classes, not the colour table's 256

    style_class_layer(later, [{"value": i, "name": name, "color": colour}
                              for i, (name, colour) in enumerate(SMOKE["classes"])])
    SMOKE["later_layer"] = later
    QgsProject.instance().layerTreeRoot().findLayer(later.id()).setItemVisibilityChecked(False)
    tab = dock.change_tab
    tab.before_combo.setLayer(SMOKE["class_layer"])
    tab.after_combo.setLayer(later)
    for name, value in zip(("before_date", "after_date"), SMOKE["dates"]):
        tab.change_advanced.set_value(name, value)
    tab.change_form.set_value("out", str(SMOKE["work"] / "change.tif"))
    tab.change_form.set_value("polygons", str(SMOKE["work"] / "change.gpkg"))
    dock.show_tab(tab)
    tab.changeFinished.connect(smoke_guard(smoke_changed))
    tab.change_button.click()
    if dock.task is None:
        raise RuntimeError("the Compare button started no task")


def smoke_changed(ok, outputs):
    dock = SMOKE["dock"]
    tab = dock.change_tab
    if not ok:
        raise RuntimeError(f"the change job failed: {tab.change_status.text()}")
    layer = tab.change_layer
    renderer = layer.renderer() if layer is not None else None
    if not isinstance(renderer, QgsPalettedRasterRenderer):
        raise RuntimeError("the change layer is not styled with its categories")
    labels = [c.label for c in renderer.classes()]
    expected = ["forest (unchanged)", "forest → cleared", "cleared → forest", "cleared (unchanged)"]
    if labels != expected:
        raise RuntimeError(f"the change layer's categories are {labels}, expected {expected}")
    pixels = outputs["matrix"]["pixels"]
    if pixels[0][1] != SMOKE["cleared_pixels"] or pixels[1][0] != 0:
        raise RuntimeError(f"the change matrix (pixels) is {pixels}; {SMOKE['cleared_pixels']} pixels were cleared")
    shown = tab.matrix_values()
    if shown != [[f"{v:,.2f}" for v in row] for row in outputs["matrix"]["hectares"]]:
        raise RuntimeError(f"the Change tab's table shows {shown}, the job wrote {outputs['matrix']['hectares']}")
    polygons = tab.polygon_layer
    if polygons is None or not polygons.isValid() or polygons.featureCount() < 1:
        raise RuntimeError("the change polygons were not added")
    SMOKE["checks"].update(change={"categories": labels, "hectares": shown, "polygons": polygons.featureCount(),
                                   "changed_ha": outputs["changed_hectares"], "dates": [outputs["before_date"],
                                                                                        outputs["after_date"]]})
    root = QgsProject.instance().layerTreeRoot()
    view = iface.layerTreeView()
    for node in root.findLayers():  # fold the image band legends and the later map: more room for the class legend
        if node.parent() is root:
            node.setExpanded(False)
            view.collapse(view.node2index(node))
    layer = SMOKE["class_layer"]
    canvas = iface.mapCanvas()
    canvas.setExtent(layer.extent())
    canvas.mapCanvasRefreshed.connect(smoke_guard(smoke_screenshot))
    canvas.refresh()
    # in case the canvas had already finished rendering before we connected
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(smoke_guard(smoke_screenshot))
    timer.start(8000)
    SMOKE["keep"].append(timer)


def smoke_screenshot():
    if SMOKE.get("shot_taken"):
        return
    SMOKE["shot_taken"] = True
    SMOKE["tab"] = 0
    SMOKE["tabs"] = []
    smoke_tab()


def smoke_tab():
    """Show the next tab; its screenshot is taken once it has been laid out and painted."""
    dock = SMOKE["dock"]
    dock.tabs.setCurrentIndex(SMOKE["tab"])
    smoke_show_areas(dock)
    QTimer.singleShot(700, smoke_guard(smoke_tab_saved))


def smoke_show_areas(dock):
    """On the Predict tab, scroll its area table into view (the screenshots show the hectares)."""
    if dock.pages[dock.tabs.currentIndex()] is dock.predict_tab:
        QTimer.singleShot(200, lambda: dock.tabs.currentWidget().ensureWidgetVisible(dock.predict_tab.area_table, 0, 4))


def smoke_fit(dock, index):
    """What lies outside the visible width on a tab (tab labels behind scroll arrows, widgets cut off)."""
    from qgis.PyQt.QtCore import QPoint
    from qgis.PyQt.QtWidgets import QWidget

    bar = dock.tabs.tabBar()
    outside = [f"tab '{bar.tabText(i)}'" for i in range(bar.count()) if bar.tabRect(i).right() > bar.width()]
    area = dock.tabs.widget(index)
    viewport = area.viewport()
    for child in area.widget().findChildren(QWidget):
        if child.isVisibleTo(area.widget()) and child.width() > 0:
            left = child.mapTo(viewport, QPoint(0, 0)).x()
            if left < 0 or left + child.width() > viewport.width():
                outside.append(f"{type(child).__name__} {child.objectName()} {left}..{left + child.width()}")
    return outside


def smoke_tab_saved():
    dock = SMOKE["dock"]
    index = SMOKE["tab"]
    probe = dock.probe_task  # the Setup tab checks its Python when first shown: show (and wait for) the result
    if probe is not None and SMOKE.setdefault("probe_waits", 0) < 120 and "Checking" in dock.env_info.text():
        SMOKE["probe_waits"] += 1
        QTimer.singleShot(500, smoke_guard(smoke_tab_saved))
        return
    name = dock.tabs.tabText(index).replace("&", "").lower().replace(" ", "-")
    outside = smoke_fit(dock, index)
    if outside:
        raise RuntimeError(f"at the dock's default width {dock.width()} px the '{name}' tab cuts off: {outside}")
    shot = SMOKE["screenshot"].with_name(f"{SMOKE['screenshot'].stem}-{name}.png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    if not dock.grab().save(str(shot), "PNG"):
        raise RuntimeError(f"could not save the screenshot {shot}")
    SMOKE["tabs"].append(str(shot))
    SMOKE["tab"] += 1
    if SMOKE["tab"] < dock.tabs.count():
        smoke_tab()
        return
    SMOKE["checks"].update(dock_width=dock.width(), tab_screenshots=SMOKE["tabs"])
    dock.show_tab(dock.predict_tab)  # Predict: the area table of the prediction in view
    smoke_show_areas(dock)
    root = QgsProject.instance().layerTreeRoot()
    for shown in (dock.change_tab.change_layer, dock.change_tab.polygon_layer):  # the canvas shows the prediction
        root.findLayer(shown.id()).setItemVisibilityChecked(False)
    iface.mapCanvas().refresh()
    QTimer.singleShot(2500, smoke_guard(smoke_save))


def smoke_save():
    shot = SMOKE["screenshot"]
    shot.parent.mkdir(parents=True, exist_ok=True)
    image = iface.mainWindow().grab()
    tmp = shot.with_name(shot.stem + ".tmp.png")
    if not image.save(str(tmp), "PNG"):
        raise RuntimeError(f"could not save the screenshot {shot}")
    os.replace(tmp, shot)
    SMOKE["checks"].update(model=SMOKE.get("model"), screenshot=str(shot), size=[image.width(), image.height()])
    # unload removes every trace: checked once deleteLater has run
    from qgis.utils import unloadPlugin

    if not unloadPlugin("claro"):
        raise RuntimeError("QGIS could not unload the claro plugin")
    QTimer.singleShot(1000, smoke_guard(smoke_unloaded))


def smoke_unloaded():
    from qgis.core import QgsApplication
    from qgis.PyQt.QtWidgets import QAction, QDockWidget

    window = iface.mainWindow()
    leftovers = []
    if window.findChild(QDockWidget, "ClaroDock") is not None:
        leftovers.append("the dock")
    if [a for a in window.findChildren(QAction) if a.objectName() == "ClaroShowDock"]:
        leftovers.append("the toolbar/menu action")
    if [a for a in iface.rasterMenu().actions() if "Claro" in a.text().replace("&", "")]:
        leftovers.append("the Raster menu entry")
    if QgsApplication.processingRegistry().providerById("claro") is not None:
        leftovers.append("the Processing provider")
    if leftovers:
        raise RuntimeError("after unload these remain: " + ", ".join(leftovers))
    smoke_finish(True, unloaded=True, **SMOKE["checks"])


def smoke_timeout():
    smoke_finish(False, error=f"timed out after {SMOKE['timeout_ms'] // 1000} s")


QTimer.singleShot(SMOKE["timeout_ms"], smoke_timeout)
QTimer.singleShot(500, smoke_guard(smoke_start))
