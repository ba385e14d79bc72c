"""Links to a person's profile: "facebook.com/jane.doe", "instagram.com/janedoe",
"x.com/jdoe", "linkedin.com/in/jane-doe", "tiktok.com/@jane", "youtube.com/@jane",
"mastodon.social/@jane", "bsky.app/profile/jane.bsky.social", ... A profile link names the
account as surely as an @handle does, so it is a HANDLE (redacted even when other links are
kept). Site pages ("facebook.com/help", "x.com/i/...", "instagram.com/p/<post>") are not
profiles. Whether an account is the brand's own is decided where the brand's handles are
known: `quote(keep_handles=...)` keeps a span whose `handle_of` is one of them.
"""

from __future__ import annotations

import re

from toolkit.privacy.detect.recognizers.base import Pattern, PatternRecognizer

HANDLE = "HANDLE"
_SCHEME = r"(?:https?://)?(?:(?:www|m|mobile|[a-z]{2}(?:-[a-z]{2})?)\.)?"
_USER = r"(?P<user>[\w.-]{2,60})"
#: site -> path before the user name.
_SITES = (
    (r"(?:facebook|fb)\.com", r"(?:people/)?"),
    (r"instagram\.com", r""),
    (r"(?:twitter|x)\.com", r""),
    (r"linkedin\.com", r"(?:in|pub)/"),
    (r"(?:tiktok|threads)\.(?:com|net)", r"@"),
    (r"youtube\.com", r"(?:@|user/|c/)"),
    (
        r"(?:github\.com|gitlab\.com|pinterest\.[a-z.]{2,6}|soundcloud\.com|vk\.com|twitch\.tv"
        r"|ok\.ru|about\.me|linktr\.ee|onlyfans\.com|patreon\.com)",
        r"",
    ),
    (r"medium\.com", r"@"),
    (r"reddit\.com", r"(?:u|user)/"),
    (r"snapchat\.com", r"add/"),
    (r"t\.me", r""),
    (r"bsky\.app", r"profile/"),
)
_SITE_URL = (
    rf"(?<![\w@/.-]){_SCHEME}(?:"
    + "|".join(f"{site}/{path}" for site, path in _SITES)
    + rf"){_USER}(?:/[^\s<>\"'`]*)?"
)
#: Fediverse profiles on any instance: "https://mastodon.social/@jane".
_FEDIVERSE_URL = (
    r"(?<![\w@/.-])(?:https?://)?(?:[a-z0-9-]{1,63}\.){1,4}[a-z]{2,24}/@(?P<user>[\w.-]{1,60})"
    r"(?:/[^\s<>\"'`]*)?"
)
#: First path segments that are pages of the site, not accounts.
_NOT_ACCOUNTS = frozenset(
    "about account accounts ads business careers developer developers events explore "
    "gaming groups hashtag help home i intent jobs legal login logout marketplace messages "
    "notifications p pages photo photos places policies policy privacy reel reels search "
    "settings share sharer signup status stories story terms tos tv watch www profile.php "
    "company school feed posts video videos live shorts channel playlist results embed "
    "r topics trending features pricing blog news support status.php dialog plugins".split()
)
_TRAILING = ".,;:!?)]}'\""


class ProfileUrlRecognizer(PatternRecognizer):
    entity_type = HANDLE
    patterns = (
        Pattern("social site profile", "(?i)" + _SITE_URL, 0.85),
        Pattern("fediverse profile", "(?i)" + _FEDIVERSE_URL, 0.85),
    )
    keywords = ("/",)
    hint = r"(?i)\.[a-z]{2,3}/|/@"

    def validate_result(self, value: str, match: re.Match[str]) -> bool:
        user = match.group("user").rstrip(_TRAILING).lower()
        return bool(user) and user not in _NOT_ACCOUNTS and not user.startswith("profile.php")

    def analyze(self, text: str):
        for start, end, score in super().analyze(text):
            while end > start and text[end - 1] in _TRAILING:
                end -= 1
            yield start, end, score


_AT_OR_PREFIX = re.compile(r"^(?:@|/?u/)")
_URL_USER = re.compile(
    _SITE_URL + "|" + _FEDIVERSE_URL.replace("(?P<user>", "(?P<user2>"), re.IGNORECASE
)


def handle_of(value: str) -> str:
    """The account name a HANDLE span names, lower-case: "@Jane" -> "jane",
    "u/jane" -> "jane", "https://x.com/Jane/status/1" -> "jane"."""
    m = _URL_USER.match(value)
    if m:
        return (m.group("user") or m.group("user2") or "").rstrip(_TRAILING).lower()
    return _AT_OR_PREFIX.sub("", value.strip()).split("@")[0].lower()
