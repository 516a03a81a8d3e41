"""`claro info PATH`: a patch dataset's summary or a model's card."""
from __future__ import annotations

import json
from pathlib import Path

from . import card as model_card
from .errors import ClaroError
from .params import InfoParams
from .progress import Progress


def run(params: InfoParams, progress: Progress) -> None:
    path = Path(params.path)
    if path.is_dir():
        from . import dataset  # the dataset summary lives with the dataset code

        summary = dataset.read_summary(path)
        print(json.dumps(summary, indent=2) if params.json else dataset.describe(summary, str(path)))
    elif path.is_file():
        card = model_card.read_card(path)
        print(json.dumps(card, indent=2) if params.json else model_card.describe(card, str(path)))
    else:
        raise ClaroError(f"{path} is neither a patch dataset folder nor a model file; check the path.")
