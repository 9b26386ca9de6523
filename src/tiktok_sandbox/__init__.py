"""tiktok_sandbox: a faithful, stateful emulator of TikTok's API for Business (TikTok One /
Creator Marketplace), with a simulated creator side, time travel, webhooks, rate limits and faults.

TikTok offers no sandbox for these endpoints and our machines have no internet, so every demo, test
and benchmark of inviteflow runs against this package over real HTTP. It never imports inviteflow.

    from tiktok_sandbox.app import create_app   # a WSGI app (tests mount it in-process)
    python -m tiktok_sandbox --port 8001         # a server
"""

from .app import SandboxApp, create_app, serve
from .config import SandboxConfig

__all__ = ["SandboxApp", "SandboxConfig", "create_app", "serve"]
