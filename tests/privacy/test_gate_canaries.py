"""The gate is hard to slip and hard to trip (issue 15).

Canaries are planted in every kind of artifact a report has (page text, table cell, alt text,
JSON data block, script string, CSV cell, findings JSON, manifest, notebook outputs and
metadata, PNG metadata, SVG) and in every spelling of a known name; each must be caught. The
false alarms seen on real exports (platform names, CSS, Luhn-passing post ids, a column header,
a handle that is a common word, the notebook's own intro text, a politician's surname in a
topic label) must not block a report.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import random
import string
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from toolkit.core.paths import NOTEBOOKS_DIR
from toolkit.privacy.gate.findings import POST_ID, keep_blocked, write_findings
from toolkit.privacy.gate.identifiers import Identifiers, collect_identifiers
from toolkit.privacy.gate.scan import scan_dir

LUHN_CUSTOMER_ID = "3344978690736625851"  # a post id that passes the Luhn check
LUHN_BRAND_ID = "3830388368595748906"
CUSTOMER_ID = "1834567890123456001"
OBFUSCATED = "jane dot doe at gmail dot com"
BRAND = ["Nimbus Home", "NimbusHome", "@NimbusSupport", "Lumora", "LumoraLights"]

SPELLINGS = [
    "Dr Emeka Okafor",
    "Dr. Emeka Okafor",
    "Emeka Okafor",
    "emeka.okafor",
    "emeka_okafor",
    "Emeka  Okafor",
    "EMEKA OKAFOR",
    "Emeka\nOkafor",
    "Emeka-Okafor",
    "emekaokafor",
    "Анна Кузнецова",
    "анна кузнецова",
    "Анна  Кузнецова",
    "@users",
    "＠users",
    "@Users",
    "u/users",
]


@pytest.fixture(scope="module")
def ids(tmp_path_factory) -> Identifiers:
    posts = pd.DataFrame(
        {
            "post_id": [LUHN_CUSTOMER_ID, CUSTOMER_ID, LUHN_BRAND_ID, "998877"],
            "reply_to_id": [None, None, LUHN_CUSTOMER_ID, None],
            "thread_id": [LUHN_CUSTOMER_ID, CUSTOMER_ID, LUHN_CUSTOMER_ID, "998877"],
            "text": [
                f"mail me: {OBFUSCATED} thanks",
                "I voted for Corbyn, he said so on Twitter",
                "Thanks! DM us. - Nimbus Team",
                "hub offline again",
            ],
            "is_brand": pd.array([False, False, True, False], dtype="boolean"),
        }
    )
    path = tmp_path_factory.mktemp("private") / "identifiers.json"
    path.write_text(
        json.dumps(
            {
                "handles": ["users", "entity", "twitter", "google", "emeka_okafor", "media"],
                "display_names": ["Dr Emeka Okafor", "Анна Кузнецова", "Entity"],
                "user_ids": ["1456789012345"],
            }
        )
    )
    built = collect_identifiers(posts, path)
    return Identifiers.build(  # plus a detected one-word name, as the detector would give
        handles=["users", "entity", "twitter", "google", "emeka_okafor", "media"],
        names=["Dr Emeka Okafor", "Анна Кузнецова", "Entity"],
        detected_names=["Corbyn"],
        user_ids=["1456789012345"],
        emails=[t for t, k in built.terms.items() if k == "EMAIL_ADDRESS"],
        post_ids=built.post_ids,
        known_ids=built.known_ids,
    )


def test_identifiers_from_posts_include_customer_post_ids_only(ids):
    assert ids.post_ids == {LUHN_CUSTOMER_ID, CUSTOMER_ID}  # "998877" is too short to search
    assert {LUHN_BRAND_ID, "998877"} <= ids.known_ids
    assert "users" in ids.handle_terms and "users" not in ids.terms  # a word: only as @users
    assert "corbyn" in ids.cased_terms and "entity" in ids.cased_terms
    assert "emeka okafor" in ids.terms and "dr emeka okafor" in ids.terms


# ------------------------------------------------------------------ canaries everywhere
def _png(**chunks: str) -> bytes:
    info = PngInfo()
    for key, value in chunks.items():
        info.add_itxt(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _page(body: str) -> str:
    return (
        "<html><head><title>Topics</title><style>.users{color:red} @media print{.a{b:c}}"
        ".google-material-color{x:y}</style><script>var users = 1;</script></head>"
        f"<body><nav>Brief</nav><main>{body}</main></body></html>"
    )


def _notebook(cells) -> str:
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells))


ARTIFACTS = {
    "html text": lambda d, x: (d / "p.html").write_text(_page(f"<p>Top author: {x}.</p>")),
    "html inline markup": lambda d, x: (d / "p.html").write_text(
        _page(f"<p>Top: <b>{x.split()[0]}</b> {' '.join(x.split()[1:])}</p>")
    ),
    "html table cell": lambda d, x: (d / "p.html").write_text(
        _page(f"<table><tr><th>entity</th></tr><tr><td>{x}</td></tr></table>")
    ),
    "html alt text": lambda d, x: (d / "p.html").write_text(
        _page(f'<img alt="Posts by {x}" src="data:image/png;base64,AAAA">')
    ),
    "html title attribute": lambda d, x: (d / "p.html").write_text(
        _page(f'<span title="{x}">top</span>')
    ),
    "html json data block": lambda d, x: (d / "p.html").write_text(
        _page(f'<script type="application/json">{json.dumps({"top": x})}</script>')
    ),
    "html script string": lambda d, x: (d / "p.html").write_text(
        _page(f"<script>var label = {json.dumps(x)};</script>")
    ),
    "html embedded png": lambda d, x: (d / "p.html").write_text(
        _page(f'<img src="data:image/png;base64,{base64.b64encode(_png(Author=x)).decode()}">')
    ),
    "csv cell": lambda d, x: (d / "t.csv").write_text(
        _csv([["topic", "example", "n"], ["app", x, "12"]])
    ),
    "tsv cell": lambda d, x: (d / "t.tsv").write_text(
        _csv([["topic", "example"], ["app", x]], delimiter="\t")
    ),
    "findings json": lambda d, x: (d / "findings.json").write_text(
        json.dumps({"top_author": x, "n": 3}, ensure_ascii=False)
    ),
    "manifest": lambda d, x: (d / "manifest.json").write_text(
        json.dumps({"config": {"brand": {"name": "Nimbus", "allowlist": [x]}}})
    ),
    "notebook stream output": lambda d, x: (d / "n.ipynb").write_text(
        _notebook(
            [nbformat.v4.new_code_cell("t", outputs=[nbformat.v4.new_output("stream", text=x)])]
        )
    ),
    "notebook html output": lambda d, x: (d / "n.ipynb").write_text(
        _notebook(
            [
                nbformat.v4.new_code_cell(
                    "t",
                    outputs=[
                        nbformat.v4.new_output(
                            "execute_result",
                            data={
                                "text/html": "<style scoped>.users{}</style>"
                                f"<table class='dataframe'><td>{x}</td></table>",
                                "text/plain": "table",
                            },
                            execution_count=1,
                        )
                    ],
                )
            ]
        )
    ),
    "notebook markdown cell": lambda d, x: (d / "n.ipynb").write_text(
        _notebook([nbformat.v4.new_markdown_cell(f"Most active: {x}")])
    ),
    "notebook metadata": lambda d, x: (d / "n.ipynb").write_text(
        nbformat.writes(nbformat.v4.new_notebook(metadata={"authors": [{"name": x}]}))
    ),
    "png metadata": lambda d, x: (d / "f.png").write_bytes(_png(Description=f"by {x}")),
    "svg text": lambda d, x: (d / "f.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="2">{x}</text></svg>'
    ),
    "markdown file": lambda d, x: (d / "notes.md").write_text(f"# Notes\n\nby {x}\n"),
}


def _csv(rows, delimiter=",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize("artifact", sorted(ARTIFACTS))
def test_every_spelling_is_caught_in_every_artifact(tmp_path, ids, artifact):
    missed = []
    for i, spelling in enumerate(SPELLINGS):
        folder = tmp_path / str(i)
        folder.mkdir()
        ARTIFACTS[artifact](folder, spelling)
        if not scan_dir(folder, ids, BRAND):
            missed.append(spelling)
    assert not missed, f"{artifact}: missed {missed}"


@pytest.mark.parametrize("artifact", sorted(ARTIFACTS))
def test_post_ids_contacts_and_obfuscated_email_are_caught(tmp_path, ids, artifact):
    expected = {
        LUHN_CUSTOMER_ID: POST_ID,
        CUSTOMER_ID: POST_ID,
        OBFUSCATED: "EMAIL_ADDRESS",
        "1456789012345": "USER_ID",
        "someone@else.org": "EMAIL_ADDRESS",
    }
    for i, (value, kind) in enumerate(expected.items()):
        folder = tmp_path / str(i)
        folder.mkdir()
        ARTIFACTS[artifact](folder, value)
        types = {f.entity_type for f in scan_dir(folder, ids, BRAND)}
        assert kind in types, (artifact, value, types)
        assert "CREDIT_CARD" not in types  # a post id is never a card


# ------------------------------------------------------------------ 100 canaries in CSV cells
def _canaries(rng: random.Random) -> list[tuple[str, str]]:
    """100 (kind, raw value) pairs of many shapes."""
    first = ["Emeka", "Siobhan", "Dmitri", "Aaliyah", "Thandiwe", "Nguyen", "Bartholomew", "Ines"]
    last = ["Okafor", "Quigley", "Vasquez-Ruiz", "O'Donnell", "Abernathy", "Kowalczyk", "Mbeki"]
    out = []
    for i in range(100):
        kind = ["name", "handle", "email", "phone", "card", "user_id", "post_id"][i % 7]
        if kind == "name":
            value = f"{rng.choice(first)} {rng.choice(last)}{'' if i < 50 else ' Jr'}"
        elif kind == "handle":
            value = "".join(rng.choice(string.ascii_lowercase) for _ in range(6)) + f"_{i}"
        elif kind == "email":
            value = f"{rng.choice(first).lower()}.{i}@{rng.choice(['proton.me', 'mail.example'])}"
        elif kind == "phone":
            value = f"+44 7700 900{i:03d}" if i % 2 else f"(312) 555-{i:04d}"
        elif kind == "card":
            value = _luhn_card(rng)
        elif kind == "user_id":
            value = str(rng.randrange(10**12, 10**13))
        else:
            value = str(rng.randrange(10**18, 2 * 10**18))
        out.append((kind, value))
    return out


def _luhn_card(rng: random.Random) -> str:
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return " ".join(s[i : i + 4] for i in range(0, 16, 4))


def test_all_100_canaries_in_csv_cells_are_flagged(tmp_path):
    canaries = _canaries(random.Random(15))
    by_kind: dict[str, list[str]] = {}
    for kind, value in canaries:
        by_kind.setdefault(kind, []).append(value)
    ids = Identifiers.build(
        handles=by_kind["handle"],
        names=by_kind["name"],
        emails=by_kind["email"],
        phones=by_kind["phone"],
        cards=by_kind["card"],
        user_ids=by_kind["user_id"],
        post_ids=by_kind["post_id"],
    )
    rows = [["topic", "n_posts", "example", "note"]]
    forms = [
        lambda v: v,
        lambda v: f"said {v}, twice",
        lambda v: f'"{v}"',
        lambda v: f"line one\n{v}\nline three",
        lambda v: f"{v};{v}",
    ]
    for i, (_, value) in enumerate(canaries):
        rows.append(["app", str(1000 + i), forms[i % len(forms)](value), "ok"])
    (tmp_path / "table.csv").write_text(_csv(rows))
    findings = scan_dir(tmp_path, ids, BRAND)
    flagged_rows = {f.position.split(",")[0] for f in findings}
    lines = _csv_start_lines(tmp_path / "table.csv")
    missed = [canaries[i] for i in range(100) if f"line {lines[i + 1]}" not in flagged_rows]
    assert not missed, missed
    assert all(f.position.endswith("(example)") for f in findings)


def _csv_start_lines(path: Path) -> list[int]:
    reader = csv.reader(io.StringIO(path.read_text(), newline=""))
    starts, line = [], 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return starts


# ------------------------------------------------------------------ false alarms
def test_false_alarms_seen_on_real_exports_pass(tmp_path, ids):
    body = (
        "<h1>Share of voice</h1><p>Most users wrote on twitter; Google and YouTube follow. "
        "An entity is a brand or a competitor.</p>"
        "<table><thead><tr><th>entity</th><th>platform</th><th>post_id</th></tr></thead>"
        f"<tr><td>Nimbus Home</td><td>twitter</td><td>{LUHN_BRAND_ID}</td></tr>"
        "<tr><td>Lumora</td><td>google</td><td>12</td></tr></table>"
        "<p>Topic 3: corbyn brexit vote (148 posts)</p>"
    )
    (tmp_path / "03_engagement.html").write_text(_page(body))
    (tmp_path / "site.css").write_text(
        ".users{a:b} @media screen{.x{y:z}} .google-material-color{}"
    )
    (tmp_path / "share_of_voice.csv").write_text(
        _csv(
            [["platform", "entity", "n_posts"], ["twitter", "Nimbus", "12"], ["all", "users", "3"]]
        )
    )
    (tmp_path / "topics.csv").write_text(
        _csv([["topic_label", "n"], ["corbyn brexit vote", "148"]])
    )
    (tmp_path / "brand_posts.csv").write_text(_csv([["post_id", "likes"], [LUHN_BRAND_ID, "4"]]))
    # the notebook's own intro text, as shipped, in the executed notebook and its page
    shipped = NOTEBOOKS_DIR / "04_privacy_risk.ipynb"
    notebook = nbformat.read(shipped, as_version=4)
    notebook.cells = [c for c in notebook.cells if c.cell_type == "markdown"][:3]
    nbformat.write(notebook, tmp_path / "04_privacy_risk.ipynb")
    nbconvert = pytest.importorskip("nbconvert")
    page, _ = nbconvert.HTMLExporter(template_name="lab").from_notebook_node(notebook)
    assert OBFUSCATED in page
    (tmp_path / "04_privacy_risk.html").write_text(page)
    findings = scan_dir(tmp_path, ids, BRAND)
    assert findings == [], [f"{f} {f.reason}" for f in findings]


def test_the_same_words_are_caught_where_they_are_data(tmp_path, ids):
    (tmp_path / "t.csv").write_text(_csv([["example"], [f"mail {OBFUSCATED}"], ["Corbyn said"]]))
    (tmp_path / "p.html").write_text(_page("<table><tr><td>@users wrote</td></tr></table>"))
    types = {(f.file, f.entity_type) for f in scan_dir(tmp_path, ids, BRAND)}
    assert types == {("t.csv", "EMAIL_ADDRESS"), ("t.csv", "PERSON"), ("p.html", "HANDLE")}


def test_allowlist_takes_words_handles_and_post_ids(tmp_path, ids):
    (tmp_path / "t.csv").write_text(
        _csv([["a", "b", "c"], ["@users", CUSTOMER_ID, "Emeka Okafor"]])
    )
    assert len(scan_dir(tmp_path, ids, BRAND)) == 3
    allow = [*BRAND, "users", CUSTOMER_ID, "Emeka Okafor", "emeka_okafor"]
    assert scan_dir(tmp_path, ids, allow) == []


# ------------------------------------------------------------------ findings in context
def test_findings_file_shows_each_hit_in_context_and_why(tmp_path, ids):
    report = tmp_path / "staging"
    report.mkdir()
    (report / "t.csv").write_text(_csv([["topic", "example"], ["app", "thanks Dr. Emeka Okafor!"]]))
    findings = scan_dir(report, ids, BRAND)
    (finding,) = findings
    assert finding.position == "line 2, column 2 (example)"
    assert "Emeka" not in str(finding) and "Emeka" not in repr(finding)  # masked when printed
    kept = keep_blocked(report, findings, tmp_path / "private")
    assert not report.exists() and (kept / "report" / "t.csv").exists()
    text = (kept / "findings.txt").read_text()
    assert "t.csv:line 2, column 2 (example): PERSON Dr. Emeka Okafor" in text
    assert "app thanks [[Dr. Emeka Okafor]] !" in text
    assert "why: a customer's display name recorded at ingest" in text
    assert "brand.allowlist" in text
    for path in (tmp_path / "private" / "blocked", kept, kept / "report"):
        assert path.stat().st_mode & 0o777 == 0o700
    assert (kept / "findings.txt").stat().st_mode & 0o777 == 0o600
    assert (kept / "report" / "t.csv").stat().st_mode & 0o777 == 0o600
    write_findings(findings, tmp_path / "x" / "f.txt")
    assert (tmp_path / "x" / "f.txt").stat().st_mode & 0o777 == 0o600


def test_only_the_newest_blocked_builds_are_kept(tmp_path, ids):
    for i in range(5):
        report = tmp_path / f"staging{i}"
        report.mkdir()
        (report / "t.csv").write_text("a\n@users\n")
        keep_blocked(report, scan_dir(report, ids, BRAND), tmp_path / "private", keep=3)
    assert len(list((tmp_path / "private" / "blocked").iterdir())) == 3


# ------------------------------------------------------------------ the command
def test_gate_command_masks_values_and_writes_the_private_findings_file(tmp_path, monkeypatch):
    import textwrap

    from typer.testing import CliRunner

    from toolkit.cli import app

    monkeypatch.setenv("TOOLKIT_HMAC_KEY", "test-key")
    monkeypatch.setenv("TOOLKIT_WORK_DIR", str(tmp_path / "work"))
    (tmp_path / "posts.csv").write_text(
        "id,created,user,name,body\n"
        "1,2026-09-01T10:00:00Z,alice_w,Alice Wandsworth,hello .@DemoBrand and w/@bob_builds\n"
    )
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(
        textwrap.dedent("""
        name: tiny
        sources:
          - path: posts.csv
            format: csv
            platform: twitter
            mapping: {post_id: id, created_at: created, author: user, author_name: name, text: body}
        brand: {name: Demo, accounts: {twitter: [DemoBrand]}}
    """)
    )
    report = tmp_path / "report"
    report.mkdir()
    (report / "t.csv").write_text("who\nAlice Wandsworth\n@bob_builds\n")
    result = CliRunner().invoke(app, ["gate", str(report), "--config", str(cfg)])
    assert result.exit_code == 1
    assert "Wandsworth" not in result.output and "bob_builds" not in result.output
    assert "brand.allowlist" in result.output
    details = tmp_path / "work" / "tiny" / "private" / "gate" / "findings.txt"
    assert str(details) in result.output.replace("\n", "")
    text = details.read_text()
    assert "[[Alice Wandsworth]]" in text and "[[bob_builds]]" in text
    assert details.stat().st_mode & 0o777 == 0o600
    (report / "t.csv").write_text("who\nu_0123456789abcdef\nDemoBrand\n")
    clean = CliRunner().invoke(app, ["gate", str(report), "--config", str(cfg)])
    assert clean.exit_code == 0, clean.output


def test_separators_may_vanish_only_between_letters(tmp_path):
    ids = Identifiers.build(
        names=["Emeka Okafor"], other={"IP_ADDRESS": ["10.0.0.1"], "US_SSN": ["123-45-6789"]}
    )
    (tmp_path / "counts.txt").write_text("n  10  0  0  1\nyear 1001\n123\n45\n6789 rows\n")
    assert scan_dir(tmp_path, ids) == []
    (tmp_path / "leak.txt").write_text("emekaokafor from 10.0.0.1, ssn 123-45-6789\n")
    assert {f.entity_type for f in scan_dir(tmp_path, ids)} == {"PERSON", "IP_ADDRESS", "US_SSN"}


@pytest.mark.parametrize(
    ("post", "published", "kind"),
    [
        ("my passport no. 533401882 was lost", "ref 533 401 882", "PASSPORT"),
        ("refund to sort code 20-45-77 please", "code 204577", "UK_SORT_CODE"),
        ("refund to sort code 20-45-77 please", "20 45 77", "UK_SORT_CODE"),
        ("SSN 219-09-9999 on file", "219099999", "US_SSN"),
        ("SSN 219-09-9999 on file", "id 219.09.9999", "US_SSN"),
        ("driver's license D1234567 expired", "d-1234567", "US_DRIVER_LICENSE"),
        ("NI number AB 12 34 56 C", "AB123456C", "UK_NINO"),
        ("still waiting in M1 1AE", "m11ae", "STREET_ADDRESS"),
        ("I live at 19 Folkestone Road, Leeds LS6 2QA", "LS6 2QA", "STREET_ADDRESS"),
        ("I live at 19 Folkestone Road, Leeds LS6 2QA", "19 Folkestone Road", "STREET_ADDRESS"),
        ("my DOB is 14/03/1987, born in Leeds", "14-03-1987", "DATE_OF_BIRTH"),
    ],
)
def test_every_id_like_type_found_in_posts_is_searched_whatever_its_separators(
    tmp_path, post, published, kind
):
    """The gate searched reports only for the values of some types, as written: a passport,
    sort code, SSN, licence, NINO, lone postcode or date of birth from a customer post got
    through, or got through with other separators (issue 15)."""
    posts = pd.DataFrame({"post_id": ["1000000000001"], "text": [post], "is_brand": [False]})
    ids = collect_identifiers(posts)
    (tmp_path / "t.csv").write_text(_csv([["note"], [f"see {published} here"]]))
    assert kind in {f.entity_type for f in scan_dir(tmp_path, ids)}


def test_codes_are_not_found_inside_longer_numbers_or_in_post_ids(tmp_path):
    posts = pd.DataFrame(
        {"post_id": ["204577"], "text": ["sort code 20-45-77 please"], "is_brand": [False]}
    )
    ids = collect_identifiers(posts)
    (tmp_path / "t.csv").write_text(_csv([["n"], ["12045770"], ["204577"]]))
    assert scan_dir(tmp_path, ids) == []  # a known post id is no sort code
