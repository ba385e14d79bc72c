"""The statistical NER model a config selects, described for manifests and fingerprints."""

from __future__ import annotations

from toolkit.core.config import Config
from toolkit.privacy.detect.ner import NerLayer


def ner_model(config: Config) -> dict:
    """The personal-data detector's NER model: name, version and SHA-256 of its files, or
    ``{"name": "off"}`` when ``privacy.ner_model`` is off (see `toolkit.privacy.detect.ner`)."""
    setting = config.privacy.ner_model
    if setting == "off":
        return {"name": "off"}
    try:
        return {"setting": setting, **NerLayer(setting).info()}
    except FileNotFoundError as exc:
        return {"setting": setting, "name": "missing", "error": str(exc)}
