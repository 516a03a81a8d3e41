"""The dock's tabs, one module each: data.py (image, labels, classes), train.py, predict.py and
setup.py (the TensorFlow Python). plugin/dock.py assembles them; base.py says what a tab is."""
