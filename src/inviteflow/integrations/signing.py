"""`Inviteflow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.

During a secret rotation the header carries one `v1=` per secret that signs; a receiver
accepts the request when any of them matches its secret (README: "Outgoing webhooks").
"""

import hashlib
import hmac

HEADER = "Inviteflow-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={signature(s, timestamp, body)}" for s in secrets)])
