"""A made-up airline's export with planted personal data ("canaries"), built in code.

`write_dataset(folder, unanswered=...)` writes three sources as real exports are shaped: a
twarc2 JSONL page file (Twitter API v2), a forum CSV and a JSON array of Mastodon statuses,
for "Skylark Air" (@SkylarkAir, @SkylarkHelp) and its competitor "Corvid Jet" (@CorvidJet),
plus a config. Every planted value is listed in `CANARIES` with its kind; none may appear in
any published file of a report built from it. Deterministic: the same call writes the same
bytes. Nothing here comes from real data.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import textwrap
from pathlib import Path

BRAND_HANDLES = ["SkylarkAir", "SkylarkHelp"]
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)

#: (kind, value that must never be published, the customer post that carries it)
PLANTED: list[tuple[str, str, str]] = [
    ("handle .@", "jet_lagged_juno", "so .@jet_lagged_juno was right, @SkylarkAir lost my bag"),
    ("handle w/@", "marisol_travels", "flying to Lisbon w/@marisol_travels and the flight is late"),
    ("handle (@)", "quentin_hops", "my partner (@quentin_hops) still has no refund @SkylarkAir"),
    ("handle 's", "bexley_flyer", "@bexley_flyer's seat was double booked @SkylarkAir"),
    ("handle RT", "ozzie_wings", "RT @ozzie_wings: Skylark Air cancelled again"),
    ("email", "m.okeke@proton.me", "write to m.okeke@proton.me about my refund @SkylarkAir"),
    ("email obfuscated", "m.okeke[at]proton[.]me", "reach me m.okeke[at]proton[.]me please"),
    (
        "email spelled",
        "tariq dot haddad at gmail dot com",
        "mail tariq dot haddad at gmail dot com",
    ),
    ("phone", "07700 900461", "call me back on 07700 900461 @SkylarkAir, 3 hours on hold"),
    ("phone", "(312) 555-0176", "my number is (312) 555-0176, nobody called @SkylarkAir"),
    ("passport", "533401882", "my passport no. 533401882 was left on board @SkylarkAir"),
    ("sort code", "20-45-77", "refund to sort code 20-45-77 account 31926819 @SkylarkAir"),
    ("ssn", "219-09-9999", "why did the form ask my SSN 219-09-9999 @SkylarkAir"),
    ("postcode", "M1 1AE", "still waiting for my bag in M1 1AE @SkylarkAir"),
    ("date of birth", "14/03/1987", "my DOB is 14/03/1987 and the booking says 1978 @SkylarkAir"),
    ("address", "19 Folkestone Road", "deliver the bag to 19 Folkestone Road, Leeds LS6 2QA"),
    ("address", "LS6 2QA", "deliver the bag to 19 Folkestone Road, Leeds LS6 2QA"),
    ("address", "742 Evergreen Terrace", "I live at 742 Evergreen Terrace, Springfield IL 62704"),
    ("staff name", "Priyanka Raghunathan", "the gate manager, Priyanka Raghunathan, shouted at us"),
    ("hashtag victim", "Devika", "she was hurt at the gate #JusticeForDevika @SkylarkAir"),
    ("hashtag victim", "Devika", "three weeks and no answer #JusticeForDevika"),
    ("title name", "Emeka Okafor", "Dr. Emeka Okafor treated my son after the crew ignored him"),
    ("cyrillic", "Кузнецова", "спасибо Анна Кузнецова from the call centre @SkylarkAir"),
    ("devanagari", "कुमार", "my name is अनिल कुमार and my bag is gone @SkylarkAir"),
    ("lower-case name", "siobhan quigley", "tell siobhan quigley at the desk she was kind"),
    ("name", "Thandiwe Mbeki", "my wife Thandiwe Mbeki is stuck in Madrid @SkylarkAir"),
]
#: Display names of the customer accounts (recorded at ingest, never published).
DISPLAY_NAMES = [
    "Анна Кузнецова", "अनिल कुमार", "dmitri vasquez-ruiz", "Aaliyah O'Donnell",
    "Bartholomew Abernathy", "Ines Kowalczyk", "Nguyen Van Minh", "Dr Emeka Okafor",
]  # fmt: skip
#: Brand replies that thank a customer by name.
BRAND_THANKS = [
    ("Kowalczyk", "Thanks Ines Kowalczyk, we have passed this to the Madrid team."),
    ("Abernathy", "Sorry Bartholomew Abernathy, our agent will call you today."),
]
#: Early complaints that no one answers, with identity numbers (the third report).
UNANSWERED = [
    ("passport", "X4381927", "lost passport no. X4381927 at Gate 5 @SkylarkAir HELP"),
    ("sort code", "11-22-33", "refund to sort code 11-22-33 never came @SkylarkAir awful"),
    ("ssn", "078-05-1120", "you emailed my SSN 078-05-1120 to someone else @SkylarkAir"),
    ("postcode", "EH1 1YZ", "bag to EH1 1YZ please, it's been a week @SkylarkAir terrible"),
    ("date of birth", "1990-07-21", "date of birth 1990-07-21 is wrong on my ticket @SkylarkAir"),
    ("driver licence", "D1234567", "driver's license D1234567 kept at check-in @SkylarkAir"),
]

TOPICS = {
    "baggage": ["my bag never arrived", "lost luggage again", "baggage claim took two hours",
                "suitcase arrived broken", "where is my bag, the tracker says nothing"],
    "delay": ["flight delayed four hours", "another delay, no explanation", "late again",
              "the delay made me miss my connection", "stuck on the tarmac for ninety minutes"],
    "refund": ["still waiting for my refund", "refund form keeps failing", "no refund after weeks",
               "the refund was only half the fare", "how long does a refund take"],
    "crew": ["the cabin crew were lovely", "great crew on the morning flight",
             "crew handled the delay really well", "friendly crew, comfy seats",
             "the crew made my kids laugh"],
}  # fmt: skip


def canaries(unanswered: bool = False) -> list[tuple[str, str]]:
    """(kind, value) of everything planted that must never be published."""
    out = [(k, v) for k, v, _ in PLANTED]
    out += [("display name", n) for n in DISPLAY_NAMES]
    out += [("thanked by the brand", n) for n, _ in BRAND_THANKS]
    if unanswered:
        out += [(k, v) for k, v, _ in UNANSWERED]
    return out


def _posts(unanswered: bool, rng: random.Random) -> list[dict]:
    """Customer and brand posts in time order, spread over 8 weeks."""
    posts: list[dict] = []
    authors = [f"flyer_{i:03d}" for i in range(60)]
    t = START
    if unanswered:  # early, on Twitter, never answered
        for i, (_, _, text) in enumerate(UNANSWERED):
            posts.append({"author": f"early_{i}", "name": "", "text": text, "t": t})
            t += dt.timedelta(minutes=37)
    for i in range(420):
        topic = list(TOPICS)[i % len(TOPICS)]
        text = rng.choice(TOPICS[topic]) + rng.choice([" @SkylarkAir", " Skylark Air", "", "!"])
        if i % 11 == 0:
            text += " @CorvidJet does it better"
        posts.append({"author": rng.choice(authors), "name": "", "text": text, "t": t})
        t += dt.timedelta(minutes=rng.randrange(40, 200), seconds=rng.randrange(60))
        if i % 15 == 0:
            posts.append({"author": "SkylarkHelp", "name": "Skylark Help", "reply": len(posts) - 1,
                          "text": "Sorry to hear that, please DM us your booking reference.",
                          "t": t + dt.timedelta(minutes=20)})  # fmt: skip
    for i, (_, _, text) in enumerate(PLANTED):
        at = START + dt.timedelta(days=7 + i, hours=3, minutes=i, seconds=i)
        name = DISPLAY_NAMES[i % len(DISPLAY_NAMES)]
        posts.append({"author": f"canary_{i:02d}", "name": name, "text": text, "t": at})
    for i, (_, text) in enumerate(BRAND_THANKS):
        at = START + dt.timedelta(days=20 + i, hours=5)
        posts.append({"author": f"thanked_{i}", "name": DISPLAY_NAMES[4 + i],
                      "text": "my flight was cancelled @SkylarkAir", "t": at})  # fmt: skip
        posts.append({"author": "SkylarkHelp", "name": "Skylark Help", "reply": len(posts) - 1,
                      "text": text, "t": at + dt.timedelta(hours=1)})  # fmt: skip
    for i, p in enumerate(posts):
        p["id"] = str(1_900_000_000_000_000_000 + i * 7919)
    for p in posts:
        if "reply" in p:
            p["reply_to"] = posts[p.pop("reply")]["id"]
    return sorted(posts, key=lambda p: p["t"])


def _stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def write_dataset(folder: Path, unanswered: bool = False, quotes: str = "none") -> dict:
    """Write the three sources and `airline.yaml` into `folder`.

    Returns ``{"config": path, "post_ids": [...], "urls": [...], "timestamps": [...],
    "canaries": [(kind, value), ...]}`` for the customer posts (what must not be published).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(15)
    posts = _posts(unanswered, rng)
    # a third of the posts to each source: Twitter (twarc2), a forum (CSV), Mastodon
    twitter, forum, mastodon = [], [], []
    for i, p in enumerate(posts):
        if (
            p["author"] in BRAND_HANDLES
            or "reply_to" in p
            or p["author"].startswith(("early", "thanked"))
        ):
            twitter.append(p)  # fmt: skip
        else:
            [twitter, forum, mastodon][i % 3].append(p)
    users = {}
    tweets = []
    for p in twitter:
        uid = str(1_400_000_000_000_000_000 + (hash_id := sum(map(ord, p["author"]))) * 104729)
        users[p["author"]] = {"id": uid, "username": p["author"], "name": p["name"] or p["author"],
                              "created_at": "2020-01-01T00:00:00.000Z"}  # fmt: skip
        tweet = {"id": p["id"], "text": p["text"], "author_id": uid, "created_at": _stamp(p["t"]),
                 "conversation_id": p.get("reply_to", p["id"]), "lang": "en",
                 "public_metrics": {"retweet_count": hash_id % 3, "reply_count": 0,
                                    "like_count": hash_id % 7, "quote_count": 0}}  # fmt: skip
        if "reply_to" in p:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": p["reply_to"]}]
            tweet["in_reply_to_user_id"] = "1400000000000000001"
        tweets.append(tweet)
    pages = [
        {"data": tweets[i : i + 100], "includes": {"users": list(users.values())},
         "meta": {"result_count": len(tweets[i : i + 100])},
         "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.14.0",
                     "retrieved_at": "2026-05-01T00:00:00+00:00"}}
        for i in range(0, len(tweets), 100)
    ]  # fmt: skip
    (folder / "twitter.jsonl").write_text(
        "".join(json.dumps(page, ensure_ascii=False) + "\n" for page in pages), encoding="utf-8"
    )
    with (folder / "forum.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["thread_post_id", "posted", "member", "member_name", "body"])
        for p in forum:
            writer.writerow([p["id"], _stamp(p["t"]), p["author"], p["name"], p["text"]])
    statuses = []
    for p in mastodon:
        url = f"https://social.example/@{p['author']}/{p['id']}"
        statuses.append(
            {"id": p["id"], "created_at": _stamp(p["t"]), "in_reply_to_id": None,
             "in_reply_to_account_id": None, "sensitive": False, "spoiler_text": "",
             "visibility": "public", "language": "en", "uri": url, "url": url,
             "replies_count": 0, "reblogs_count": 0, "favourites_count": 1, "edited_at": None,
             "content": f"<p>{p['text']}</p>", "reblog": None, "mentions": [], "tags": [],
             "account": {"id": str(90000 + len(statuses)), "username": p["author"],
                         "acct": p["author"], "display_name": p["name"],
                         "url": f"https://social.example/@{p['author']}"}}
        )  # fmt: skip
    (folder / "mastodon.json").write_text(json.dumps(statuses, ensure_ascii=False), "utf-8")
    config = folder / "airline.yaml"
    config.write_text(
        textwrap.dedent(f"""
        name: airline-{quotes}{"-unanswered" if unanswered else ""}
        sources:
          - {{path: twitter.jsonl, format: twarc2}}
          - path: forum.csv
            format: csv
            platform: forum
            mapping: {{post_id: thread_post_id, created_at: posted, author: member,
                       author_name: member_name, text: body}}
          - {{path: mastodon.json, format: mastodon}}
        brand:
          name: Skylark Air
          aliases: [Skylark]
          accounts: {{twitter: [SkylarkAir, SkylarkHelp], mastodon: [SkylarkAir]}}
          timezone: Europe/London
        competitors:
          Corvid Jet: [Corvid Jet, CorvidJet]
        analysis: {{seed: 7, threads: 1, topics: {{min_topic_size: 0.05}}}}
        privacy: {{allow_demo_key: true, quotes: {quotes}, min_group_size: 5}}
        """)
    )
    customer = [p for p in posts if p["author"] not in BRAND_HANDLES]
    return {
        "config": config,
        "post_ids": [p["id"] for p in customer],
        "urls": [f"https://social.example/@{p['author']}/{p['id']}" for p in mastodon],
        "timestamps": [p["t"].strftime("%Y-%m-%dT%H:%M:%S") for p in customer]
        + [p["t"].strftime("%Y-%m-%d %H:%M:%S") for p in customer],
        "canaries": canaries(unanswered),
        "handles": sorted({p["author"] for p in customer}),
    }


def published_text(path: Path) -> str:
    """A published file's text as a reader could find it: raw, HTML- and JSON-unescaped,
    PNG text chunks included (the bytes are decoded as UTF-8 and Latin-1)."""
    import html

    data = path.read_bytes()
    parts = [data.decode("utf-8", errors="ignore"), data.decode("latin-1")]
    if path.suffix in (".json", ".ipynb"):
        try:
            parts.append(json.dumps(json.loads(data), ensure_ascii=False))
        except ValueError:
            pass
    text = "\n".join(parts)
    return text + "\n" + html.unescape(text)


def published_leaks(report_dir: Path, dataset: dict) -> list[str]:
    """Every planted value, customer handle, customer post id, post URL and exact post time
    found in any file under `report_dir` (case-insensitive), as "file: kind value"."""
    needles = [(k, v) for k, v in dataset["canaries"]]
    needles += [("handle", h) for h in dataset["handles"]]
    needles += [("post id", i) for i in dataset["post_ids"]]
    needles += [("post url", u) for u in dataset["urls"]]
    needles += [("exact time", t) for t in dataset["timestamps"]]
    leaks = []
    for path in sorted(p for p in report_dir.rglob("*") if p.is_file()):
        text = published_text(path).lower()
        for kind, value in needles:
            if value.lower() in text:
                leaks.append(f"{path.relative_to(report_dir)}: {kind} {value}")
    return leaks
