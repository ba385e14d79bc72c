"""Tests for toolkit.privacy.gate: identifiers, scanning every artifact type, allowlist, GateError."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import matplotlib
import nbformat
import pandas as pd
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from toolkit.privacy.gate.findings import GateError
from toolkit.privacy.gate.identifiers import Identifiers, collect_identifiers
from toolkit.privacy.gate.scan import check, scan_dir

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NAME = "Dana Whitfield"
EMAIL = "dana.whitfield@example.net"
PHONE = "(312) 555-0142"
HANDLE = "dana_w_1987"
ADDRESS = "742 Evergreen Terrace, Springfield"
CARD = "4111 1111 1111 1111"
USER_ID = "1456789012345"
BRAND = [
    "@NimbusHome",
    "NimbusSupport",
    "nimbushome",
    "support@nimbushome.example",
    "1-800-555-0199",
    "Nimbus Home",
]
PSEUDONYM = "u_0123456789abcdef"
SHA256 = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b"


@pytest.fixture(scope="module")
def identifiers(tmp_path_factory) -> Identifiers:
    posts = pd.DataFrame(
        {
            "text": [
                f"my name is {NAME}, email {EMAIL} or call {PHONE}. I live at {ADDRESS}",
                f"card {CARD} charged twice @{PSEUDONYM}",
                "DM us at support@nimbushome.example or call 1-800-555-0199 - Nimbus Team",
            ],
            "is_brand": pd.array([False, False, True], dtype="boolean"),
        }
    )
    path = tmp_path_factory.mktemp("private") / "identifiers.json"
    path.write_text(
        json.dumps(
            {
                "handles": [HANDLE, "joe", "@happy", "NimbusSupport"],
                "names": [NAME, "Joe", "Happy Customer", "Joseph"],
                "display_names": ["Whitfieldian"],  # the key ingest writes
                "user_ids": [USER_ID, "42"],
            }
        )
    )
    return collect_identifiers(posts, path)


# ------------------------------------------------------------------ identifiers
def test_collect_identifiers_normalises_and_filters(identifiers):
    # canonical: lower case, name punctuation ("._'-") as one space
    assert dict(identifiers.terms) == {
        "dana w 1987": "HANDLE",
        "nimbussupport": "HANDLE",
        "dana whitfield": "PERSON",
        "whitfieldian": "PERSON",
        USER_ID: "USER_ID",
        EMAIL: "EMAIL_ADDRESS",
        "742 evergreen terrace, springfield": "STREET_ADDRESS",
        "742 evergreen terrace": "STREET_ADDRESS",  # the street without the city
    }
    assert dict(identifiers.digits) == {
        "3125550142": "PHONE_NUMBER",
        "4111111111111111": "CREDIT_CARD",
    }
    assert dict(identifiers.handle_terms) == {"happy": "HANDLE"}  # a word: only as "@happy"
    assert len(identifiers) == 11


def test_collect_identifiers_without_file_or_posts(tmp_path):
    assert len(collect_identifiers(None, tmp_path / "missing.json")) == 0
    posts = pd.DataFrame({"text": ["mail me: a.b@example.org"], "is_brand": [False]})
    assert dict(collect_identifiers(posts, None).terms) == {"a.b@example.org": "EMAIL_ADDRESS"}


def test_phone_keys_cover_national_and_international_forms():
    ids = Identifiers.build(phones=["+44 20 7946 0958", "1-312-555-0142", "555-12"])
    assert set(ids.digits) == {"442079460958", "2079460958", "13125550142", "3125550142"}


# ------------------------------------------------------------------ planting canaries
def _png_bytes(**text_chunks: str) -> bytes:
    info = PngInfo()
    for key, value in text_chunks.items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _notebook(cells=(), metadata=None) -> str:
    nb = nbformat.v4.new_notebook(cells=list(cells), metadata=metadata or {})
    return nbformat.writes(nb)


def _plant_html(d: Path) -> None:
    (d / "report.html").write_text(f"<html><body><p>Most active: {NAME}</p></body></html>")


def _plant_html_escaped(d: Path) -> None:
    (d / "report.html").write_text(f"<p>contact {EMAIL.replace('@', '&#64;')}</p>")


def _plant_html_url_encoded(d: Path) -> None:
    (d / "report.html").write_text(f'<a href="mailto:{EMAIL.replace("@", "%40")}">mail</a>')


def _plant_html_data_uri_png(d: Path) -> None:
    payload = base64.b64encode(_png_bytes(Author=NAME)).decode()
    (d / "report.html").write_text(f'<img src="data:image/png;base64,{payload}"/>')


def _plant_ipynb_output(d: Path) -> None:
    cell = nbformat.v4.new_code_cell(
        "df.head()", outputs=[nbformat.v4.new_output("stream", text=f"call {PHONE}\n")]
    )
    (d / "report.ipynb").write_text(_notebook([cell]))


def _plant_ipynb_metadata(d: Path) -> None:
    (d / "report.ipynb").write_text(_notebook(metadata={"authors": [{"name": HANDLE}]}))


def _plant_ipynb_png_metadata(d: Path) -> None:
    png = base64.b64encode(_png_bytes(Description=f"by {NAME}")).decode()
    output = nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "x"})
    cell = nbformat.v4.new_code_cell("plot()", outputs=[output])
    (d / "report.ipynb").write_text(_notebook([cell]))


def _plant_csv(d: Path) -> None:
    (d / "table.csv").write_text(f'topic,example\napp,"{ADDRESS}"\n')


def _plant_csv_user_id(d: Path) -> None:
    (d / "table.csv").write_text(f"author_id,likes\n{USER_ID},3\n")


def _plant_json(d: Path) -> None:
    (d / "summary.json").write_text(json.dumps({"top": {"user": f"@{HANDLE}"}}))


def _plant_json_phone_as_number(d: Path) -> None:
    (d / "summary.json").write_text(json.dumps({"contact": 3125550142}))


def _plant_svg_text(d: Path) -> None:
    (d / "chart.svg").write_text(f'<svg><text x="1" y="2">{NAME}</text></svg>')


def _plant_svg_matplotlib(d: Path) -> None:
    fig, ax = plt.subplots()
    ax.set_title(f"Posts by {NAME}")
    fig.savefig(d / "chart.svg")
    plt.close(fig)


def _plant_png_matplotlib(d: Path) -> None:
    fig, ax = plt.subplots(figsize=(1, 1))
    fig.savefig(d / "chart.png", metadata={"Author": NAME})
    plt.close(fig)


def _plant_png_compressed_itxt(d: Path) -> None:
    info = PngInfo()
    info.add_itxt("Comment", f"mail {EMAIL}", zip=True)
    Image.new("L", (2, 2)).save(d / "chart.png", "PNG", pnginfo=info)


def _plant_md_card(d: Path) -> None:
    (d / "notes.md").write_text(f"refund card {CARD.replace(' ', '-')}\n")


def _plant_txt_phone_reformatted(d: Path) -> None:
    (d / "notes.txt").write_text("line one\ncall +1 312.555.0142 today\n")


def _plant_unknown_contact_details(d: Path) -> None:
    (d / "notes.md").write_text("someone@else.org, +44 20 7946 0958, 5500 0000 0000 0004\n")


@pytest.mark.parametrize(
    ("plant", "expected_types", "secret"),
    [
        (_plant_html, {"PERSON"}, NAME),
        (_plant_html_escaped, {"EMAIL_ADDRESS"}, EMAIL),
        (_plant_html_url_encoded, {"EMAIL_ADDRESS"}, EMAIL),
        (_plant_html_data_uri_png, {"PERSON"}, NAME),
        (_plant_ipynb_output, {"PHONE_NUMBER"}, PHONE),
        (_plant_ipynb_metadata, {"HANDLE"}, HANDLE),
        (_plant_ipynb_png_metadata, {"PERSON"}, NAME),
        (_plant_csv, {"STREET_ADDRESS"}, ADDRESS),
        (_plant_csv_user_id, {"USER_ID"}, USER_ID),
        (_plant_json, {"HANDLE"}, HANDLE),
        (_plant_json_phone_as_number, {"PHONE_NUMBER"}, "3125550142"),
        (_plant_svg_text, {"PERSON"}, NAME),
        (_plant_svg_matplotlib, {"PERSON"}, NAME),
        (_plant_png_matplotlib, {"PERSON"}, NAME),
        (_plant_png_compressed_itxt, {"EMAIL_ADDRESS"}, EMAIL),
        (_plant_md_card, {"CREDIT_CARD"}, CARD),
        (_plant_txt_phone_reformatted, {"PHONE_NUMBER"}, "312.555.0142"),
        (_plant_unknown_contact_details, {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD"}, "else"),
    ],
)
def test_gate_catches_canary(tmp_path, identifiers, plant, expected_types, secret):
    report = tmp_path / "report"
    report.mkdir()
    plant(report)
    findings = scan_dir(report, identifiers, BRAND)
    assert expected_types <= {f.entity_type for f in findings}, findings
    with pytest.raises(GateError) as caught:
        check(report, identifiers, BRAND)
    message = str(caught.value)
    assert secret not in message  # the gate's own output does not leak
    assert all(str(f) in message for f in findings)


def test_finding_position_is_line_and_column(tmp_path, identifiers):
    report = tmp_path / "report"
    report.mkdir()
    _plant_txt_phone_reformatted(report)
    (finding,) = scan_dir(report, identifiers, BRAND)
    assert (finding.file, finding.position, finding.entity_type) == (
        "notes.txt",
        "2:6",
        "PHONE_NUMBER",
    )
    assert finding.match == "+1***"


def test_finding_position_in_notebook_is_json_path(tmp_path, identifiers):
    report = tmp_path / "sub"
    report.mkdir()
    _plant_ipynb_metadata(report)
    (finding,) = scan_dir(tmp_path, identifiers, BRAND)
    assert finding.file == "sub/report.ipynb"
    assert finding.position == "/metadata/authors/0/name"
    assert finding.match == "da***"


def test_masked_email_and_message_is_capped(tmp_path, identifiers):
    (tmp_path / "many.txt").write_text("\n".join(f"user{i}@example.org" for i in range(60)))
    with pytest.raises(GateError) as caught:
        check(tmp_path, identifiers, BRAND)
    lines = str(caught.value).splitlines()
    assert lines[1] == "many.txt:1:1: EMAIL_ADDRESS us***@ex***"
    assert len(lines) == 1 + 50 + 1
    assert lines[-1] == "... and 10 more"


def test_allowlist_removes_brand_identifiers(tmp_path, identifiers):
    (tmp_path / "r.md").write_text("Thanks @NimbusSupport! Mail support@nimbushome.example\n")
    assert scan_dir(tmp_path, identifiers, BRAND) == []
    flagged = scan_dir(tmp_path, identifiers, ())
    assert {f.entity_type for f in flagged} == {"HANDLE", "EMAIL_ADDRESS"}


def test_short_known_phone_needs_separators_to_match(tmp_path):
    ids = Identifiers.build(phones=["555-0142"])
    (tmp_path / "counts.csv").write_text("topic,impressions\napp,5550142\n")
    assert scan_dir(tmp_path, ids) == []
    (tmp_path / "notes.md").write_text("her number: 555 0142\n")
    assert [(f.file, f.entity_type) for f in scan_dir(tmp_path, ids)] == [
        ("notes.md", "PHONE_NUMBER")
    ]


def test_data_files_the_gate_cannot_read_are_findings(tmp_path):
    (tmp_path / "posts.parquet").write_bytes(b"PAR1")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    findings = scan_dir(tmp_path, Identifiers())
    assert [(f.file, f.entity_type) for f in findings] == [("posts.parquet", "UNSCANNABLE_DATA")]


# ------------------------------------------------------------------ clean reports pass
def _clean_report(d: Path) -> None:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [1234567, 2345678, 3456789])
    ax.set_title("Posts per day, 2026-09-01 to 2026-11-29")
    fig.savefig(d / "chart.svg")
    fig.savefig(d / "chart.png")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    png = base64.b64encode(buffer.getvalue()).decode()
    (d / "index.html").write_text(
        "<html><head><style>body{margin:0 auto;max-width:1200px}</style></head><body>"
        "<h1>Nimbus Home: Glow Up campaign #NimbusGlowUp (code GLOW25)</h1>"
        "<p>Questions: @NimbusSupport, support@nimbushome.example or 1-800-555-0199.</p>"
        f"<p>Top author {PSEUDONYM} (@{PSEUDONYM}); data hash {SHA256}</p>"
        "<p>Outage 2026-10-14 13:00 UTC until 2026-10-15T02:30:00Z; SLA 24 h.</p>"
        "<table><tr><td>1834567890123456789</td><td>1,234,567</td><td>0.1234</td>"
        "<td>12345678</td><td>3.14159265</td><td>2026</td></tr></table>"
        f'<img src="data:image/png;base64,{png}"/>'
        "<footer>pandas 2.3.1, numpy 1.26.4, phonenumbers 9.0.43, Python 3.11.9</footer>"
        "</body></html>"
    )
    output = nbformat.v4.new_output(
        "display_data", data={"image/png": png, "text/plain": "<Figure size 300x200>"}
    )
    table = nbformat.v4.new_output("stream", text="topic  n_posts\napp    1234\nhub    987\n")
    cell = nbformat.v4.new_code_cell("summary()", outputs=[table, output])
    metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3"},
        "language_info": {"name": "python", "version": "3.11.9"},
    }
    (d / "report.ipynb").write_text(_notebook([cell], metadata))
    (d / "posts.csv").write_text(
        f"post_id,created_at,author,likes\n1834567890123456789,2026-10-14T13:00:00Z,{PSEUDONYM},12\n"
    )
    (d / "summary.json").write_text(
        json.dumps({"n_posts": 1234567, "sha256": SHA256, "generated": "2026-11-29T12:00:00Z"})
    )


def test_clean_report_passes(tmp_path, identifiers):
    _clean_report(tmp_path)
    assert scan_dir(tmp_path, identifiers, BRAND) == []
    check(tmp_path, identifiers, BRAND)


def test_clean_nbconvert_html_passes(tmp_path, identifiers):
    nbconvert = pytest.importorskip("nbconvert")
    _clean_report(tmp_path)
    notebook = nbformat.reads((tmp_path / "report.ipynb").read_text(), as_version=4)
    body, _ = nbconvert.HTMLExporter().from_notebook_node(notebook)
    (tmp_path / "report.html").write_text(body)
    assert scan_dir(tmp_path, identifiers, BRAND) == []


def test_missing_report_folder_raises(tmp_path, identifiers):
    with pytest.raises(FileNotFoundError):
        scan_dir(tmp_path / "nope", identifiers)


def test_scan_of_several_megabytes_finds_nothing_false(tmp_path, identifiers):
    """Large tables and chart data scan without false alarms (speed is measured in `make bench`)."""
    row = f"{PSEUDONYM},2026-10-14T13:00:00Z,1834567890123456789,12,0.25,app crashed again\n"
    (tmp_path / "big.csv").write_text(row * 60_000)  # ~5 MB
    noise = base64.b64encode(bytes(range(256)) * 8000).decode()  # ~2.7 MB, like plotly bdata
    (tmp_path / "big.html").write_text(f'<script>var d = {{"bdata": "{noise}"}};</script>')
    assert scan_dir(tmp_path, identifiers, BRAND) == []


def test_notebook_cell_ids_are_not_phone_numbers(tmp_path):
    """papermill gives injected cells random hex ids, which can be all digits."""
    (tmp_path / "r.html").write_text('<div class="jp-Cell" id="cell-id=04105718"></div>')
    nb = {
        "cells": [
            {"id": "04105718", "cell_type": "code", "metadata": {}, "outputs": [], "source": ""}
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "r.ipynb").write_text(json.dumps(nb))
    assert scan_dir(tmp_path, Identifiers.build()) == []


# ------------------------------------------------------------------ more formats and artifacts
FORMATS_POSTS = pd.DataFrame(
    {
        "text": [
            "deliver to Flat 3, 27 Victoria Road, Bristol BS6 5AH please",
            "Rechnung an Goethestraße 14, 60313 Frankfurt, danke",
            "call me on +44 7700 900461 or mail tanya (dot) mcbride (at) outlook (dot) com",
            "my husband Oluwaseun Adeyemi ordered it",
        ],
        "is_brand": pd.array([False] * 4, dtype="boolean"),
    }
)


@pytest.fixture(scope="module")
def format_ids(tmp_path_factory) -> Identifiers:
    path = tmp_path_factory.mktemp("private") / "identifiers.json"
    path.write_text(json.dumps({"handles": ["dana@example.social", "kwame.builds"]}))
    return collect_identifiers(FORMATS_POSTS, path)


@pytest.mark.parametrize(
    ("planted", "expected"),
    [
        ("shipped to 27 Victoria Road, Bristol BS6 5AH", "STREET_ADDRESS"),
        ("Goethestraße 14, 60313 Frankfurt", "STREET_ADDRESS"),
        ("phone 07700900461", "PHONE_NUMBER"),
        ("phone +447700 900 461", "PHONE_NUMBER"),
        ("tanya (dot) mcbride (at) outlook (dot) com", "EMAIL_ADDRESS"),
        ("top poster Oluwaseun Adeyemi", "PERSON"),
        ("by @dana@example.social", "HANDLE"),
        ("by dana (Mastodon)", "HANDLE"),  # the user part of user@instance is searched too
        ("by dan (Mastodon)", None),
        ("instagram kwame.builds", "HANDLE"),
    ],
)
def test_canaries_in_several_formats(tmp_path, format_ids, planted, expected):
    (tmp_path / "report.html").write_text(f"<p>{planted}</p>")
    types = {f.entity_type for f in scan_dir(tmp_path, format_ids)}
    assert (expected in types) if expected else not types


def test_unknown_iban_js_and_jpeg_metadata_are_scanned(tmp_path):
    (tmp_path / "table.csv").write_text("refund,iban\nyes,DE89 3704 0044 0532 0130 00\n")
    (tmp_path / "app.js").write_text('const contact = "someone@else.org";\n')
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "JPEG", comment=b"photo by dana.whitfield@example.net")
    (tmp_path / "photo.jpg").write_bytes(buffer.getvalue())
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    findings = {(f.file, f.entity_type) for f in scan_dir(tmp_path, Identifiers())}
    assert findings == {
        ("table.csv", "IBAN_CODE"),
        ("app.js", "EMAIL_ADDRESS"),
        ("photo.jpg", "EMAIL_ADDRESS"),
        ("report.pdf", "UNSCANNABLE_DATA"),
    }


def test_jpeg_without_metadata_is_clean(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(buffer, "JPEG")
    (tmp_path / "photo.jpg").write_bytes(buffer.getvalue())
    assert scan_dir(tmp_path, Identifiers()) == []
