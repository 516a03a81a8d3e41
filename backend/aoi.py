"""The area of interest of `claro predict`: polygons in any OGR source and CRS, on the image grid.

Why this shape:
- The polygons are read once and reprojected once into the image's CRS (an in-memory layer),
  so every strip only burns geometries that are already in pixel-ready coordinates.
- The mask is burnt strip by strip (the rows one row of windows reads), never for the whole
  raster: memory is set by the raster width and the window, as in the rest of predict.
- Pixel centres decide (ALL_TOUCHED=FALSE), so the area of interest covers the pixels the
  area table counts, not every pixel its border touches.
- A GeoPackage may hold several layers: the first layer of polygons is used, or the one named
  as QGIS writes a layer's source, "PATH|layername=NAME".
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
from osgeo import gdal, ogr, osr

from .errors import ClaroError

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

POLYGON_TYPES = {ogr.wkbPolygon, ogr.wkbMultiPolygon, ogr.wkbCurvePolygon, ogr.wkbMultiSurface}


def split_source(source: str) -> tuple[Path, Optional[str]]:
    """'areas.gpkg|layername=parks' (QGIS's layer source) → (areas.gpkg, 'parks')."""
    path, _, rest = source.partition("|")
    layer = None
    for part in rest.split("|") if rest else []:
        key, _, value = part.partition("=")
        if key.strip().lower() == "layername" and value:
            layer = value
    return Path(path), layer


def _is_polygon(geometry: Optional[ogr.Geometry]) -> bool:
    return geometry is not None and not geometry.IsEmpty() and ogr.GT_Flatten(geometry.GetGeometryType()) in POLYGON_TYPES


def _layer(vector, path: Path, name: Optional[str]):
    if name is not None:
        layer = vector.GetLayerByName(name)
        if layer is None:
            names = [vector.GetLayer(i).GetName() for i in range(vector.GetLayerCount())]
            raise ClaroError(f"Area of interest {path} has no layer '{name}' (layers: {', '.join(names)}); check the layer name.")
        kind = ogr.GT_Flatten(layer.GetGeomType())
        if kind not in POLYGON_TYPES and kind != ogr.wkbUnknown:
            raise ClaroError(f"Layer '{name}' of the area of interest {path} holds {ogr.GeometryTypeToName(kind).lower()}s, "
                             "not polygons; give a polygon layer.")
        return layer
    kinds = []
    for i in range(vector.GetLayerCount()):
        layer = vector.GetLayer(i)
        kind = ogr.GT_Flatten(layer.GetGeomType())
        if kind in POLYGON_TYPES or kind == ogr.wkbUnknown:
            return layer
        kinds.append(ogr.GeometryTypeToName(kind).lower())
    raise ClaroError(f"Area of interest {path} holds no polygon layer (only {', '.join(kinds) or 'tables'}); "
                     "draw the area of interest as polygons.")


class AreaOfInterest:
    """The area of interest's polygons in the image's CRS, burnt onto any block of the image grid."""

    def __init__(self, source: str, image):
        path, name = split_source(str(source))
        if not path.exists():
            raise ClaroError(f"Area of interest {path} does not exist; check the path.")
        try:
            vector = gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_READONLY)
        except RuntimeError:
            vector = None
        if vector is None or vector.GetLayerCount() == 0:
            raise ClaroError(f"Area of interest {path} could not be read as polygons; give a GeoPackage, Shapefile, "
                             "GeoJSON or another vector file.")
        layer = _layer(vector, path, name)
        image_srs = None
        if image.GetProjection():
            image_srs = osr.SpatialReference(image.GetProjection())
            image_srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        layer_srs = layer.GetSpatialRef()
        transform = None
        if layer_srs is not None and image_srs is not None:
            layer_srs = layer_srs.Clone()
            layer_srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
            if not layer_srs.IsSame(image_srs):
                transform = osr.CoordinateTransformation(layer_srs, image_srs)
        elif (layer_srs is None) != (image_srs is None):
            missing = f"The area of interest {path}" if layer_srs is None else f"The raster {image.GetDescription()}"
            raise ClaroError(f"{missing} has no coordinate reference system, so the area of interest cannot be placed on "
                             "the raster; assign one (QGIS: Layer Properties → Source) and try again.")
        self.geotransform = image.GetGeoTransform()
        self.projection = image.GetProjection()
        self.width, self.height = image.RasterXSize, image.RasterYSize
        footprint = self._footprint()
        # The reprojected polygons, kept in memory (one area of interest, not a raster).
        self._memory = ogr.GetDriverByName("Memory").CreateDataSource("aoi")
        self.layer = self._memory.CreateLayer("aoi", image_srs, ogr.wkbMultiPolygon)
        polygons = overlapping = 0
        layer.ResetReading()
        for feature in layer:
            geometry = feature.GetGeometryRef()
            if not _is_polygon(geometry):
                continue
            geometry = geometry.GetLinearGeometry() if geometry.HasCurveGeometry() else geometry.Clone()
            if transform is not None:
                try:
                    geometry.Transform(transform)
                except RuntimeError:
                    continue  # outside the image CRS's area of use: it cannot overlap the image
            polygons += 1
            if not geometry.Intersects(footprint):
                continue
            overlapping += 1
            out = ogr.Feature(self.layer.GetLayerDefn())
            out.SetGeometry(geometry)
            self.layer.CreateFeature(out)
        if polygons == 0:
            raise ClaroError(f"Area of interest {path} holds no polygons; draw the area of interest as polygons.")
        if overlapping == 0:
            raise ClaroError(f"Area of interest {path} lies outside the raster {image.GetDescription()}; "
                             "check that both are in the right place (their CRS and extent).")
        self.polygons = overlapping

    def _footprint(self) -> ogr.Geometry:
        x0, dx, rx, y0, ry, dy = self.geotransform
        ring = ogr.Geometry(ogr.wkbLinearRing)
        for i, j in ((0, 0), (self.width, 0), (self.width, self.height), (0, self.height), (0, 0)):
            ring.AddPoint_2D(x0 + i * dx + j * rx, y0 + i * ry + j * dy)
        polygon = ogr.Geometry(ogr.wkbPolygon)
        polygon.AddGeometry(ring)
        return polygon

    def mask(self, x: int, y: int, width: int, height: int) -> np.ndarray:
        """Boolean [height, width]: True where the pixel's centre lies in the area of interest."""
        x0, dx, rx, y0, ry, dy = self.geotransform
        block = gdal.GetDriverByName("MEM").Create("", width, height, 1, gdal.GDT_Byte)
        block.SetGeoTransform((x0 + x * dx + y * rx, dx, rx, y0 + x * ry + y * dy, ry, dy))
        if self.projection:
            block.SetProjection(self.projection)
        corners = [(x0 + i * dx + j * rx, y0 + i * ry + j * dy) for i in (x, x + width) for j in (y, y + height)]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        self.layer.SetSpatialFilterRect(min(xs), min(ys), max(xs), max(ys))
        try:
            gdal.RasterizeLayer(block, [1], self.layer, burn_values=[1], options=["ALL_TOUCHED=FALSE"])
        finally:
            self.layer.SetSpatialFilter(None)
        return block.GetRasterBand(1).ReadAsArray() == 1
