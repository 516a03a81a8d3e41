"""Everything that imports qgis or Qt. Never imports TensorFlow or Keras."""
