# ruff: noqa: E501  (email text: a paragraph is one line, wrapped by the mail client)
"""The templates every workspace starts with. Teams edit them; they are created once.

Each uses only catalogue placeholders; a test checks that every one passes the same
check a user's template does.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultTemplate:
    key: str
    name: str
    subject: str
    body: str
    html_body: str


# trim_blocks is on: the newline right after a {% … %} tag is dropped.
_LINKS_TEXT = """
{% for link in tiktok.invite_links %}
  {{ link.url }}  ({{ link.posts_left }} post{{ "" if link.posts_left == 1 else "s" }} left)
{% endfor %}

"""

_LINKS_HTML = """<ul>
{% for link in tiktok.invite_links %}
  <li><a href="{{ link.url }}">{{ link.url }}</a> ({{ link.posts_left }} post{{ "" if link.posts_left == 1 else "s" }} left)</li>
{% endfor %}
</ul>"""

_SIGNATURE_TEXT = """Everything in one place, with QR codes: {{ creator.page_url }}

Thanks,
{{ brand.name }}
"""

_SIGNATURE_HTML = """<p>Everything in one place, with QR codes:
<a href="{{ creator.page_url }}">your campaign page</a>.</p>
<p>Thanks,<br>{{ brand.name }}</p>"""

TIKTOK_INVITE = DefaultTemplate(
    key="tiktok_invite",
    name="TikTok invite",
    subject="{{ brand.name }} × {{ creator.first_name }}: your TikTok invite for {{ campaign.name }}",
    body="""Hi {{ creator.first_name }},

Welcome to {{ campaign.name }}! Please publish {{ creator.posts_required }} {{ campaign.content_type | lower }} post{{ "" if creator.posts_required == 1 else "s" }} between {{ campaign.starts_on }} and {{ campaign.ends_on }}.
{% if campaign.hashtags %}Hashtags: {{ campaign.hashtags }}
{% endif %}

When you are ready to publish, open your TikTok Campaign Invite Link: it turns on the branded content toggle and links your post to the campaign."""
    + _LINKS_TEXT
    + """{% if campaign.brief %}
The brief:
{{ campaign.brief }}

{% endif %}"""
    + _SIGNATURE_TEXT,
    html_body="""<p>Hi {{ creator.first_name }},</p>
<p>Welcome to <strong>{{ campaign.name }}</strong>! Please publish {{ creator.posts_required }}
{{ campaign.content_type | lower }} post{{ "" if creator.posts_required == 1 else "s" }} between
{{ campaign.starts_on }} and {{ campaign.ends_on }}.</p>
{% if campaign.hashtags %}<p>Hashtags: {{ campaign.hashtags }}</p>{% endif %}
<p>When you are ready to publish, open your TikTok Campaign Invite Link: it turns on the branded
content toggle and links your post to the campaign.</p>
"""
    + _LINKS_HTML
    + """
{% if campaign.brief %}<p><strong>The brief</strong><br>{{ campaign.brief }}</p>{% endif %}
"""
    + _SIGNATURE_HTML,
)

REMINDER = DefaultTemplate(
    key="reminder",
    name="Reminder",
    subject="Reminder: {{ campaign.name }} ends {{ campaign.ends_on }}",
    body="""Hi {{ creator.first_name }},

A friendly reminder: {{ campaign.name }} runs until {{ campaign.ends_on }}, and we are looking forward to your {{ creator.posts_required }} post{{ "" if creator.posts_required == 1 else "s" }}.

Please publish through your invite link, so the post is linked to the campaign:"""
    + _LINKS_TEXT
    + _SIGNATURE_TEXT,
    html_body="""<p>Hi {{ creator.first_name }},</p>
<p>A friendly reminder: <strong>{{ campaign.name }}</strong> runs until {{ campaign.ends_on }}, and
we are looking forward to your {{ creator.posts_required }} post{{ "" if creator.posts_required == 1 else "s" }}.</p>
<p>Please publish through your invite link, so the post is linked to the campaign:</p>
"""
    + _LINKS_HTML
    + _SIGNATURE_HTML,
)

CAMPAIGN_CODE = DefaultTemplate(
    key="campaign_code",
    name="Campaign code",
    subject="{{ campaign.name }}: a campaign code for your post",
    body="""Hi {{ creator.first_name }},

It looks like a post for {{ campaign.name }} went live without your invite link, so it is not linked to the campaign yet and may be taken down as undisclosed branded content.

You can fix it in TikTok without re-posting: add this campaign code to the post.

    {{ tiktok.campaign_code }}

Next time, publish through your invite link: {{ tiktok.invite_link | default(creator.page_url) }}

"""
    + _SIGNATURE_TEXT,
    html_body="""<p>Hi {{ creator.first_name }},</p>
<p>It looks like a post for <strong>{{ campaign.name }}</strong> went live without your invite link,
so it is not linked to the campaign yet and may be taken down as undisclosed branded content.</p>
<p>You can fix it in TikTok without re-posting: add this campaign code to the post.</p>
<p style="font-size: 1.4em; font-family: monospace;">{{ tiktok.campaign_code }}</p>
"""
    + _SIGNATURE_HTML,
)

LINKING_REQUEST = DefaultTemplate(
    key="linking_request",
    name="Linking request",
    subject="{{ brand.name }} sent you a request to link your post to {{ campaign.name }}",
    body="""Hi {{ creator.first_name }},

We have asked TikTok to link your post to {{ campaign.name }}. You will find our request in your TikTok notifications: approve it, and the post is linked with the branded content toggle on. Nothing else to do.

"""
    + _SIGNATURE_TEXT,
    html_body="""<p>Hi {{ creator.first_name }},</p>
<p>We have asked TikTok to link your post to <strong>{{ campaign.name }}</strong>. You will find our
request in your TikTok notifications: approve it, and the post is linked with the branded content
toggle on. Nothing else to do.</p>
"""
    + _SIGNATURE_HTML,
)

DEFAULTS: tuple[DefaultTemplate, ...] = (TIKTOK_INVITE, REMINDER, CAMPAIGN_CODE, LINKING_REQUEST)
