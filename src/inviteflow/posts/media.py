"""A post's video on TikTok and its thumbnail, as pages may show them.

TikTok's thumbnail URLs point at its CDN and expire. A page shows one only when it is
https on a host of settings.TIKTOK_THUMBNAIL_HOSTS (each host and its subdomains), which
is also what those pages' Content-Security-Policy lets images come from; anything else
(the sandbox's own loopback URLs, an unexpected host) gets a neutral placeholder, so no
page ever asks a host nobody vetted for an image."""

from urllib.parse import urlsplit

from django.conf import settings


def _host_allowed(host: str) -> bool:
    return any(host == h or host.endswith(f".{h}") for h in settings.TIKTOK_THUMBNAIL_HOSTS)


def shown_thumbnail(url: str) -> str:
    """`url` if a page may load it as an image, else ""."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname or parts.port not in (None, 443):
        return ""
    return url.strip() if _host_allowed(parts.hostname.lower()) else ""


def video_link(url: str) -> str:
    """`url` if it may be a link (http or https only: never `javascript:`), else ""."""
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.hostname else ""


def thumbnail_sources() -> list[str]:
    """The img-src entries that let pages show thumbnails from the allowed hosts."""
    hosts = settings.TIKTOK_THUMBNAIL_HOSTS
    return [f"https://{h}" for h in hosts] + [f"https://*.{h}" for h in hosts]
