"""Page-number pagination with ``page`` and ``pageSize`` and links to the neighbouring pages."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_PAGE_SIZE = 100


class PagePagination(PageNumberPagination):
    page_size = 25
    page_query_param = "page"
    page_size_query_param = "pageSize"
    max_page_size = MAX_PAGE_SIZE

    def get_paginated_response(self, data):
        page = self.page
        links = {
            "self": self.request.build_absolute_uri(),
            "first": self._page_link(1),
            "previous": self.get_previous_link(),
            "next": self.get_next_link(),
            "last": self._page_link(page.paginator.num_pages),
        }
        headers = {}
        parts = [f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self"]
        if parts:
            headers["Link"] = ", ".join(parts)
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pageSize": page.paginator.per_page,
                "links": links,
                "results": data,
            },
            headers=headers,
        )

    def _page_link(self, number: int) -> str:
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, number)
