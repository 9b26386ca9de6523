"""TikTok handle rules: 2–24 characters, letters, digits, underscores and periods,
not ending with a period; stored lower-case without the leading '@'."""

import re

HANDLE_RE = re.compile(r"^[a-z0-9_.]{2,24}$")
PROFILE_URL_RE = re.compile(r"tiktok\.com/@([^/?#\s]+)", re.IGNORECASE)


def normalise_handle(raw: str) -> str:
    """'@Name', ' name ' and a pasted profile URL (tiktok.com/@name) all become 'name'."""
    raw = raw.strip()
    from_url = PROFILE_URL_RE.search(raw)
    if from_url:
        raw = from_url.group(1)
    return raw.lstrip("@").strip().lower()


def handle_problem(handle: str) -> str | None:
    """Why `handle` (already normalised) is not a valid TikTok handle, or None."""
    if not handle:
        return "required"
    if len(handle) < 2 or len(handle) > 24:
        return "must be 2 to 24 characters long"
    if not HANDLE_RE.match(handle):
        return "may contain only letters, digits, underscores and periods"
    if handle.endswith("."):
        return "cannot end with a period"
    return None
