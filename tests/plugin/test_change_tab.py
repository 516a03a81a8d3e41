"""The dock's Change tab: two small class maps (a before map on a WGS84 grid with forest, cleared
and water, and an after map drawn on the same grid then reprojected to UTM 20S, both dated in
their metadata; tests/backend/test_change.py draws them and counts their matrix by hand).

The first test runs the real `claro change` child job from the tab; the others are about what the
tab builds (classes, dates, the from/to choice → ChangeParams) and its width."""
from __future__ import annotations

import json

import numpy as np
import pytest
from qgis.core import QgsPalettedRasterRenderer, QgsProject, QgsRasterLayer, QgsVectorLayer

from claro.backend import params as P
from tests.backend.test_change import BEFORE, by_hand, expected_after, write_after_utm, write_map
from tests.plugin.test_dock import _laid_out, assert_tab_fits

BEFORE_DATE, AFTER_DATE = "2019-07-14", "2023-08-02"


@pytest.fixture
def maps(tmp_path):
    before = write_map(tmp_path / "before.tif", BEFORE, metadata={"IMAGERY/ACQUISITIONDATETIME": f"{BEFORE_DATE}T13:40:21Z"})
    after = write_after_utm(tmp_path / "after.tif", metadata={"TIFFTAG_DATETIME": "2023:08:02 10:00:00"})
    return before, after


@pytest.fixture
def layers(clean_project, maps):
    before, after = QgsRasterLayer(str(maps[0]), "before"), QgsRasterLayer(str(maps[1]), "after")
    assert before.isValid() and after.isValid()
    clean_project.addMapLayers([before, after])
    return before, after


def choose(tab, before, after) -> None:
    tab.before_combo.setLayer(before)
    tab.after_combo.setLayer(after)


def listed(widget) -> list[tuple[str, int]]:
    return [(widget.item(i).text(), widget.item(i).data(256)) for i in range(widget.count())]  # 256: Qt.UserRole


def test_compare_through_the_tab_adds_the_styled_change_map_polygons_and_the_matrix(dock, layers, tmp_path,
                                                                                      wait_until):
    tab = dock.change_tab
    choose(tab, *layers)
    out, polygons = tmp_path / "change.tif", tmp_path / "change.gpkg"
    tab.change_form.set_value("out", str(out))
    tab.change_form.set_value("polygons", str(polygons))
    done = []
    tab.changeFinished.connect(lambda ok, outputs: done.append((ok, outputs)))
    assert tab.start_change() is not None
    assert wait_until(lambda: done, 120), "the change job did not finish"
    ok, outputs = done[0]
    assert ok, tab.change_status.text()
    # the transition raster, styled with the category names and colours the job wrote
    layer = tab.change_layer
    assert layer.source() == str(out) and QgsProject.instance().mapLayer(layer.id()) is layer
    renderer = layer.renderer()
    assert isinstance(renderer, QgsPalettedRasterRenderer)
    shown = [(c.value, c.label, c.color.name()) for c in renderer.classes()]
    assert shown == [(e["value"], e["name"], e["color"]) for e in outputs["legend"]]
    assert [label for _value, label, _color in shown] == [
        "forest (unchanged)", "forest → cleared", "forest → water", "cleared → forest", "cleared (unchanged)",
        "cleared → water", "water → forest", "water → cleared", "water (unchanged)"]
    assert layer.dataProvider().sourceNoDataValue(1) == 255
    # the change polygons: one feature per changed region, with from, to and the dates
    assert isinstance(tab.polygon_layer, QgsVectorLayer) and tab.polygon_layer.isValid()
    features = list(tab.polygon_layer.getFeatures())
    assert features and {(f["from"], f["to"]) for f in features} <= {
        ("forest", "cleared"), ("cleared", "forest"), ("cleared", "water"), ("water", "cleared")}
    assert {f["before_date"] for f in features} == {BEFORE_DATE}
    # the matrix table: rows from, columns to, the job's hectares as written in its JSON and counted by hand
    report = json.loads((tmp_path / "change_matrix.json").read_text())
    names = report["matrix"]["classes"]
    assert names == ["forest", "cleared", "water"]
    table = tab.matrix_table
    assert table.isVisibleTo(tab)
    assert [table.horizontalHeaderItem(c).text() for c in range(3)] == names
    assert [table.verticalHeaderItem(r).text() for r in range(3)] == names
    assert tab.matrix_values() == [[f"{v:,.2f}" for v in row] for row in report["matrix"]["hectares"]]
    _pixels, hectares = by_hand(BEFORE, expected_after())
    assert tab.matrix_values() == [[f"{v:,.2f}" for v in row] for row in hectares]
    assert report["matrix"]["hectares"] == outputs["matrix"]["hectares"]
    note = tab.matrix_note.text().replace("\u200b", "")
    assert str(tmp_path / "change_matrix.csv") in note and BEFORE_DATE in note and AFTER_DATE in note
    changed = hectares.sum() - np.trace(hectares)
    assert f"{changed:,.2f} ha changed" in note
    # with the result shown, the tab still fits the default dock width
    _laid_out(dock)
    assert_tab_fits(dock, dock.pages.index(tab))


def test_the_before_maps_classes_and_the_maps_dates_are_shown(dock, layers, tmp_path):
    tab = dock.change_tab
    tab.change_form.set_value("out", str(tmp_path / "c.tif"))
    before, after = layers
    assert listed(tab.from_list) == [] and tab.change_advanced.widget("before_date").placeholderText() == "YYYY-MM-DD"
    choose(tab, before, after)
    expected = [("forest (0)", 0), ("cleared (1)", 1), ("water (2)", 2)]
    assert listed(tab.from_list) == expected and listed(tab.to_list) == expected
    assert tab.change_advanced.widget("before_date").placeholderText() == f"{BEFORE_DATE} (from the file)"
    assert tab.change_advanced.widget("after_date").placeholderText() == f"{AFTER_DATE} (from the file)"
    # an empty date field is left to the backend (which reads the same metadata)
    assert tab.change_params().before_date is None


def test_the_from_and_to_choice_builds_the_change_params(dock, layers, tmp_path):
    tab = dock.change_tab
    before, after = layers
    choose(tab, before, after)
    tab.change_form.set_value("out", str(tmp_path / "c.tif"))
    tab.change_form.set_value("min_area", 2.5)
    params = tab.change_params()
    assert (params.from_classes, params.to_classes) == (None, None)  # nothing ticked: every transition
    assert (params.before, params.after, params.out) == (str(tmp_path / "before.tif"), str(tmp_path / "after.tif"),
                                                         str(tmp_path / "c.tif"))
    assert params.min_area == 2.5 and params.polygons is None
    tab.choose_classes([0], [1])  # new clearing: forest → cleared
    params = tab.change_params()
    assert (params.from_classes, params.to_classes) == ("0", "1")
    tab.choose_classes([0, 2], [])
    assert (tab.change_params().from_classes, tab.change_params().to_classes) == ("0,2", None)
    tab.change_advanced.set_value("after_date", "2024-01-31")
    assert tab.change_params().after_date == "2024-01-31"
    assert P.command_line(tab.change_params())[:1] == ["change"]
    assert "--from" in P.command_line(tab.change_params())
    # ticks survive choosing another before map of the same classes
    tab.before_combo.setLayer(after)
    assert tab.checked_values(tab.from_list) == [0, 2] and len(listed(tab.from_list)) == 3


def test_missing_maps_are_refused_in_the_docks_words(dock, layers, tmp_path):
    from claro.plugin.sources import SourceError

    tab = dock.change_tab
    before, _after = layers
    tab.change_form.set_value("out", str(tmp_path / "c.tif"))
    with pytest.raises(SourceError, match=r"\(Before\) in Change"):
        tab.change_params()
    choose(tab, before, before)
    with pytest.raises(SourceError, match="same layer"):
        tab.change_params()
    # a backend sentence naming the flags reads in the tab's words
    assert dock.words("swap --before and --after", "change") == "swap Before in Change and After in Change"
    assert dock.words("give --from", "change") == "choose From in Change"
    assert dock.words("use --before-date", "change") == "choose Before date in Change ▸ Advanced"


def test_the_change_tab_fits_the_default_dock_width(dock, layers):
    tab = dock.change_tab
    choose(tab, *layers)
    dock.setup_tab._env_checked = True
    _laid_out(dock)
    assert dock.tabs.tabText(dock.pages.index(tab)) == "Change"
    assert dock.pages.index(tab) == dock.pages.index(dock.predict_tab) + 1
    assert_tab_fits(dock, dock.pages.index(tab))
