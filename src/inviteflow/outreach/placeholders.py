"""The placeholder catalogue: every name a template may use, what it means, an example.

The editor lists this catalogue, the save-time check refuses anything not in it,
and context.py fills exactly these names for each creator. A placeholder with no
value for a creator blocks sending to that creator (with `missing` as the reason)
unless the template makes it optional: `{% if tiktok.campaign_code %}…{% endif %}`
or `{{ tiktok.campaign_code | default("…") }}`.
"""

from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str
    example: str
    missing: str = ""  # why a creator is blocked when it has no value
    item_fields: tuple[str, ...] = ()  # for lists: the fields of each item

    @property
    def group(self) -> str:
        return self.name.split(".")[0]

    @property
    def tag(self) -> str:
        """What the editor inserts."""
        if self.item_fields:
            return (
                f"{{% for link in {self.name} %}}{{{{ link.url }}}} "
                f"({{{{ link.posts_left }}}} posts left)\n{{% endfor %}}"
            )
        return f"{{{{ {self.name} }}}}"


LINK_FIELDS = ("url", "posts_left", "sequence")

CATALOGUE: tuple[Placeholder, ...] = (
    Placeholder("creator.first_name", "The creator's first name", "Ada"),
    Placeholder("creator.name", "The creator's full name", "Ada Lovelace"),
    Placeholder("creator.handle", "TikTok handle, without @", "ada.codes"),
    Placeholder("creator.posts_required", "Posts this creator owes the campaign", "12"),
    Placeholder(
        "creator.page_url",
        "Address of the creator's own page: links, QR codes, deadlines",
        "https://inviteflow.example/c/3pX…/",
    ),
    Placeholder("campaign.name", "Campaign name", "Spring Launch"),
    Placeholder(
        "campaign.brief",
        "Campaign brief",
        "Show the new colours in daylight.",
        missing="the campaign has no brief",
    ),
    Placeholder("campaign.starts_on", "First day to publish", "1 May 2025"),
    Placeholder("campaign.ends_on", "Last day to publish (the deadline)", "31 May 2025"),
    Placeholder("campaign.content_type", "Video, Photo or Any", "Video"),
    Placeholder(
        "campaign.hashtags",
        "Hashtags to use, with #",
        "#springlaunch #ad",
        missing="the campaign has no hashtags",
    ),
    Placeholder("brand.name", "Your workspace's name", "Acme"),
    Placeholder(
        "tiktok.invite_link",
        "The creator's current TikTok Campaign Invite Link (the first active one with posts left)",
        "https://www.tiktok.com/t/ZT8abc/",
        missing="no active TikTok invite link with posts left yet",
    ),
    Placeholder(
        "tiktok.invite_links",
        "All the creator's invite links, with posts left on each; "
        "shown as a list, or loop over it for link.url, link.posts_left, link.sequence",
        "https://www.tiktok.com/t/ZT8abc/ (10 posts left)",
        missing="no TikTok invite links yet",
        item_fields=LINK_FIELDS,
    ),
    Placeholder(
        "tiktok.campaign_code",
        "Campaign code, for a post published without the link",
        "7A1C-93FD",
        missing="no campaign code yet",
    ),
)

BY_NAME: dict[str, Placeholder] = {p.name: p for p in CATALOGUE}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(p.group for p in CATALOGUE))

# Jinja's own names inside a loop, and the filters a template may use. Anything else
# (calls, other filters, includes, macros) is refused when the template is saved.
LOOP_FIELDS = ("index", "index0", "first", "last", "length", "revindex")
ALLOWED_FILTERS = frozenset(
    {
        "capitalize",
        "default",
        "d",
        "e",
        "escape",
        "first",
        "join",
        "last",
        "length",
        "count",
        "lower",
        "replace",
        "round",
        "title",
        "trim",
        "truncate",
        "upper",
        "wordwrap",
        "int",
        "striptags",
    }
)


class LinkList(list):
    """`tiktok.invite_links`: a plain list of {url, posts_left, sequence} dicts that reads
    well when dropped into an email as is — one line per link in text, a list in HTML."""

    def __str__(self) -> str:
        return "\n".join(f"{link['url']} ({_posts_left(link)})" for link in self)

    def __html__(self) -> Markup:
        items = Markup("").join(
            Markup('<li><a href="{0}">{0}</a> ({1})</li>').format(link["url"], _posts_left(link))
            for link in self
        )
        return Markup("<ul>") + items + Markup("</ul>")


def _posts_left(link: dict) -> str:
    left = link["posts_left"]
    return f"{left} post{'' if left == 1 else 's'} left"


def example_context() -> dict[str, dict[str, object]]:
    """The catalogue's examples as a rendering context (preview without a creator)."""
    context: dict[str, dict[str, object]] = {group: {} for group in GROUPS}
    for p in CATALOGUE:
        value: object = p.example
        if p.item_fields:
            value = LinkList([{"url": p.example.split()[0], "posts_left": 10, "sequence": 1}])
        context[p.group][p.name.split(".", 1)[1]] = value
    return context
