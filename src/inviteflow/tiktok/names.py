"""What inviteflow writes into TikTok names and descriptions (contract §13): ASCII, short, no
internal id, and a random marker that finds the object again after TikTok trims, re-cases or
drops characters of what we sent."""

import re
import secrets
import unicodedata

REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: survives being read aloud
REF = re.compile(r"\bIF[A-Z0-9]{8}\b")


def ascii_text(text: str) -> str:
    """Accents folded, other non-ASCII characters dropped, spaces collapsed."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.split())


def with_ref(text: str, ref: str, limit: int) -> str:
    """`text` in ASCII, cut so that " - REF" still fits in `limit` characters."""
    suffix = f" - {ref}"
    return ascii_text(text)[: limit - len(suffix)].rstrip() + suffix


def new_ref() -> str:
    """A marker no name contains by chance, and no internal id: IF + 8 random characters."""
    return "IF" + "".join(secrets.choice(REF_ALPHABET) for _ in range(8))


def refs_in(*texts: str) -> set[str]:
    """The markers in what TikTok echoed back, however it cased them."""
    return set(REF.findall(" ".join(texts).upper()))
