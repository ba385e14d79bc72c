"""The report privacy gate: no customer's personal data may leave in a published artifact.

Modules: `identifiers` (what identifies the customers of a dataset), `text_keys` (how values
are normalised to be compared), `matching` (the scanner: known identifiers and patterns in a
text), `artifacts` (the text read out of each kind of file), `scan` (`scan_dir`, `check`) and
`findings` (what a finding is, the messages, the private findings file, blocked builds).

`collect_identifiers` gathers what identifies customers in a dataset (raw handles and display
names from the private identifiers file written at ingest, the ids of customer posts, and the
personal data the detector finds in customer posts). `scan_dir` then reads the content of
every artifact of a report folder and reports each known identifier it finds, plus any e-mail,
phone, card number or IBAN that is not on the brand's allowlist. `check` turns findings into
a `GateError`; `keep_blocked` keeps a blocked build privately with a findings file that shows
each hit in context.

What is read: the text, tables, alt text and other attributes, JSON data blocks and comments of
HTML / SVG pages (not their CSS and scripts, only the string literals of scripts); every cell
of CSV / TSV tables; every string of JSON and notebooks (outputs and metadata; a notebook's
own cells as shipped in notebooks/ are constant text and skipped, like the page template);
PNG text chunks and JPEG metadata, also of images embedded as base64. Interactive charts
(`toolkit.report.interactive`) carry their data in a page's JSON data block, read like any other. Not
read: a vendored third-party library file the caller names (`scan_dir(vendored=...)`, e.g.
assets/plotly.min.js) while its bytes are identical to the installed library's own copy; once
changed in any way it is scanned like any other file.

How identifiers match:
- names and handles across punctuation and spacing ("Dr. Emeka Okafor", "emeka.okafor",
  "emeka_okafor", "Emeka  Okafor" all match the stored "Dr Emeka Okafor");
- a handle that is also an ordinary word ("users", "entity") only where it stands as a handle
  ("@users"); a one-word name that is also a word, or one found by the detector in a post,
  only capitalised as a name ("Corbyn", not "corbyn" in a topic label);
- post ids as whole tokens; a known post id is never taken for a card or phone number.
"""
