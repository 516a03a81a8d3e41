"""Small georeferenced test rasters, written for real with GDAL (shared by the test modules)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from osgeo import gdal, osr

UTM = 32721  # WGS 84 / UTM zone 21S (Amazon)
ORIGIN = (500000.0, 9000000.0)


def srs_of(epsg: int) -> osr.SpatialReference:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return srs


def write_raster(path: Path, data: np.ndarray, geotransform, epsg: int = UTM, nodata=None,
                 gdal_type=gdal.GDT_Byte) -> Path:
    """A GeoTIFF of `data` ([rows, cols] or [bands, rows, cols]) in EPSG `epsg` (0: no CRS)."""
    data = data if data.ndim == 3 else data[None]
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), data.shape[2], data.shape[1], data.shape[0], gdal_type)
    dataset.SetGeoTransform(geotransform)
    if epsg:
        dataset.SetProjection(srs_of(epsg).ExportToWkt())
    for i, plane in enumerate(data):
        band = dataset.GetRasterBand(i + 1)
        band.WriteArray(plane)
        if nodata is not None:
            band.SetNoDataValue(nodata)
    dataset = None
    return Path(path)


def write_large_labels(path: Path, size: int, spots: dict, epsg: int = UTM) -> Path:
    """A size × size uint8 label raster, tiled 256² and compressed, 0 everywhere except `spots`
    ({(x, y, width, height): value}); unwritten tiles stay sparse, so 8000² is a few KB on disk."""
    dataset = gdal.GetDriverByName("GTiff").Create(
        str(path), size, size, 1, gdal.GDT_Byte,
        options=["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE", "SPARSE_OK=TRUE"])
    dataset.SetGeoTransform((ORIGIN[0], 10, 0, ORIGIN[1], 0, -10))
    if epsg:
        dataset.SetProjection(srs_of(epsg).ExportToWkt())
    band = dataset.GetRasterBand(1)
    for (x, y, width, height), value in spots.items():
        band.WriteArray(np.full((height, width), value, np.uint8), x, y)
    dataset = None
    return Path(path)
