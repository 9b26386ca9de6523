"""TikTok-shaped endpoints under `/open_api/v1.3`: the registry of (method, path) → handler.

Paths are exact, trailing slash included, as TikTok's are; anything else is 40400. A handler takes
an `ApiContext` and returns the envelope's `data`; errors are raised as `ApiError`. The envelope,
rate limit, faults and counters are applied around handlers by app.py, in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import auth, campaigns, creators, links, order_report, orders, report, subscriptions
from .context import ApiContext, ApiError

API_PREFIX = "/open_api/v1.3"

Handler = Callable[[ApiContext], dict[str, Any]]

ENDPOINTS: dict[tuple[str, str], Handler] = {
    ("POST", "/oauth2/access_token/"): auth.access_token,
    ("POST", "/oauth2/revoke_token/"): auth.revoke_token,
    ("GET", "/tto/oauth2/tcm/"): auth.tcm_accounts,
    ("GET", "/tto/oauth2/info/"): auth.account_info,
    ("GET", "/tto/tcm/creator/status/get/"): creators.status,
    ("GET", "/tto/tcm/creator/public/"): creators.public,
    ("GET", "/tto/tcm/creator/public/video/list/"): creators.public_videos,
    ("POST", "/tto/tcm/campaign/create/"): campaigns.create,
    ("POST", "/tto/tcm/campaign/update/"): campaigns.update,
    ("GET", "/tto/tcm/campaign/"): campaigns.list_campaigns,
    ("POST", "/tto/tcm/campaign/link/"): links.link,
    ("GET", "/tto/tcm/campaign/link/status/"): links.link_status,
    ("GET", "/tto/tcm/report/"): report.report,
    ("POST", "/tcm/order/create/v2/"): orders.create_order,
    ("GET", "/tcm/order/get/v2/"): orders.get_orders,
    ("POST", "/tcm/campaign/code/create/"): orders.create_code,
    ("GET", "/tcm/report/get/v2/"): order_report.report,
    ("POST", "/subscription/subscribe/"): subscriptions.subscribe,
    ("GET", "/subscription/get/"): subscriptions.get,
    ("POST", "/subscription/unsubscribe/"): subscriptions.unsubscribe,
}

__all__ = ["API_PREFIX", "ENDPOINTS", "ApiContext", "ApiError", "Handler"]
