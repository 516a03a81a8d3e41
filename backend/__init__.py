"""Claro's deep-learning backend: numpy, GDAL and TensorFlow/Keras; never qgis or Qt.

`python -m claro.backend …` is its command line (see cli.py).
"""
