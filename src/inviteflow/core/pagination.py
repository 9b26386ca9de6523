"""One page of a queryset for list pages, with the numbers the template needs."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest


@dataclass
class PageOf:
    items: list[Any]
    number: int
    num_pages: int
    count: int
    has_previous: bool
    has_next: bool
    querystring: str

    def link(self, number: int) -> str:
        return f"?{self.querystring}&page={number}" if self.querystring else f"?page={number}"

    @property
    def prev_link(self) -> str:
        return self.link(self.number - 1)

    @property
    def next_link(self) -> str:
        return self.link(self.number + 1)


def paginate(request: HttpRequest, queryset: Any, per_page: int = 50) -> PageOf:
    paginator = Paginator(queryset, per_page)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    params = request.GET.copy()
    params.pop("page", None)
    return PageOf(
        items=list(page.object_list),
        number=page.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
        has_previous=page.has_previous(),
        has_next=page.has_next(),
        querystring=params.urlencode(),
    )
