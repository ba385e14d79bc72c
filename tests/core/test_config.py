import textwrap

import pytest

from toolkit.core.config import DEMO_HMAC_KEY, ConfigError, load_config
from toolkit.privacy.pseudonymise import hmac_key


def write(tmp_path, body, data=True):
    if data:
        (tmp_path / "posts.csv").write_text("id,text\n")
    path = tmp_path / "c.yaml"
    path.write_text(textwrap.dedent(body))
    return path


BASE = """
name: demo
sources:
  - path: posts.csv
    format: csv
    platform: twitter
    mapping: {post_id: id, text: text}
brand:
  name: Demo
  accounts: {twitter: [DemoBrand]}
  timezone: Europe/Berlin
"""


def test_valid_config_resolves_paths_relative_to_the_file(tmp_path):
    cfg = load_config(write(tmp_path, BASE))
    assert cfg.sources[0].path == (tmp_path / "posts.csv").resolve()
    assert cfg.privacy.min_group_size == 10 and cfg.privacy.quotes == "none"
    assert cfg.brand.handles() == {"demobrand"}


def test_unknown_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"brand.colour: unknown key"):
        load_config(write(tmp_path, BASE + "  colour: red\n"))


def test_wrong_type_is_named(tmp_path):
    body = BASE + "privacy:\n  min_group_size: lots\n"
    with pytest.raises(ConfigError, match=r"privacy.min_group_size"):
        load_config(write(tmp_path, body))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"sources.0.path: file not found"):
        load_config(write(tmp_path, BASE, data=False))


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_bad_timezone(tmp_path):
    with pytest.raises(ConfigError, match="brand.timezone"):
        load_config(write(tmp_path, BASE.replace("Europe/Berlin", "Mars/Olympus")))


def test_campaign_dates_ordered(tmp_path):
    body = BASE + "campaigns:\n  - {name: x, start: 2026-02-01, end: 2026-01-01}\n"
    with pytest.raises(ConfigError, match="end is before start"):
        load_config(write(tmp_path, body))


def test_key_required_unless_demo_allowed(tmp_path, monkeypatch):
    monkeypatch.delenv("TOOLKIT_HMAC_KEY", raising=False)
    cfg = load_config(write(tmp_path, BASE))
    with pytest.raises(ConfigError, match="export TOOLKIT_HMAC_KEY"):
        hmac_key(cfg)
    demo = load_config(write(tmp_path, BASE + "privacy:\n  allow_demo_key: true\n"))
    assert hmac_key(demo) == DEMO_HMAC_KEY.encode()
    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "s3cret")
    assert hmac_key(cfg) == b"s3cret"


def test_key_file_next_to_the_config_is_used_and_must_be_private(tmp_path, monkeypatch):
    monkeypatch.delenv("TOOLKIT_HMAC_KEY", raising=False)
    cfg = load_config(write(tmp_path, BASE + "privacy:\n  key_file: secret.key\n"))
    key = tmp_path / "secret.key"
    key.write_text("from-file\n")
    key.chmod(0o600)
    assert hmac_key(cfg) == b"from-file"
    key.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        hmac_key(cfg)


def test_not_a_mapping(tmp_path):
    with pytest.raises(ConfigError, match="mapping"):
        load_config(write(tmp_path, "- a\n- b\n"))


def test_topic_size_is_a_share_or_a_count(tmp_path):
    ok = load_config(write(tmp_path, BASE + "analysis:\n  topics: {min_topic_size: 0.05}\n"))
    assert ok.analysis.topics.min_topic_size == 0.05
    assert (
        load_config(
            write(tmp_path, BASE + "analysis:\n  topics: {min_topic_size: 30}\n")
        ).analysis.topics.min_topic_size
        == 30
    )
    with pytest.raises(ConfigError, match="analysis.topics.min_topic_size"):
        load_config(write(tmp_path, BASE + "analysis:\n  topics: {min_topic_size: 1.5}\n"))


@pytest.mark.parametrize(
    "name", [".", "..", ".hidden", "../elsewhere", "a/b", "a\\\\b", "", "/abs", "two words"]
)
def test_name_must_be_a_plain_folder_name(tmp_path, name):
    body = BASE.replace("name: demo", f'name: "{name}"')
    with pytest.raises(ConfigError, match=r"^c\.yaml: name: .*plain folder name"):
        load_config(write(tmp_path, body))


@pytest.mark.parametrize("name", ["demo", "acme-2026", "acme_v1.2", "A.b"])
def test_plain_names_are_accepted(tmp_path, name):
    cfg = load_config(write(tmp_path, BASE.replace("name: demo", f"name: {name}")))
    assert cfg.report_dir.name == cfg.work_dir.name == name


def test_a_folder_as_source_is_named(tmp_path):
    (tmp_path / "exports").mkdir()
    body = BASE.replace("path: posts.csv", "path: exports")
    with pytest.raises(ConfigError, match=r"sources.0.path: .*exports is a folder, not a file"):
        load_config(write(tmp_path, body))


def test_brand_terms_are_names_then_sorted_handles():
    config = load_config("configs/sample.yaml")
    assert config.brand.terms() == [
        "Nimbus Home", "Nimbus", "nimbushome", "nimbushome_official", "nimbussupport",
    ]  # fmt: skip
