"""Pagination for the HTTP layer: cursor / next-token, ``Link`` header, and start/count.

:class:`Paginator` is mixed into :class:`auditor.http.client.HttpClient`; every page is fetched through
the client's ``get`` (so retries, rate limits, the SSRF guard and the cache apply to each page)
and yielded as parsed JSON. ``max_pages`` bounds every loop: a hostile server cannot keep a
collector paging forever. A listing that stops at ``max_pages`` while the server still offers a
next page is truncated, and the paginator says so: it calls the caller's ``on_truncated(pages)``
(a required argument, so no caller can take a truncated listing for a complete one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urljoin

import requests


class Paginator:
    """Pagination helpers over ``get`` and ``parse_json`` (provided by the client)."""

    def get(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """A GET that raises a CollectionError for a non-2xx answer (the client's)."""
        raise NotImplementedError

    def parse_json(self, response: requests.Response) -> Any:
        """The JSON body of ``response`` (the client's)."""
        raise NotImplementedError

    def paginate(
        self,
        path_or_url: str,
        *,
        next_params: Callable[[Any, requests.Response], Mapping[str, Any] | str | None],
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        max_pages: int = 50,
        on_truncated: Callable[[int], None],
    ) -> Iterator[Any]:
        """Yield parsed JSON pages; ``next_params(page, response)`` gives the next page's extra
        params, or an absolute next URL, or None to stop. When the last allowed page still
        names a next one, ``on_truncated(max_pages)`` is called once the pages are consumed."""
        url, current = path_or_url, dict(params or {})
        for _ in range(max_pages):
            response = self.get(url, params=current, headers=headers)
            page = self.parse_json(response)
            yield page
            step = next_params(page, response)
            if not step:
                return
            if isinstance(step, str):
                url, current = step, {}
            else:
                current = {**current, **step}
        on_truncated(max_pages)

    def paginate_cursor(
        self,
        path_or_url: str,
        *,
        cursor_param: str,
        next_cursor: Callable[[Any], str | None],
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        max_pages: int = 50,
        on_truncated: Callable[[int], None],
    ) -> Iterator[Any]:
        """Cursor / next-token pagination (X ``pagination_token``, YouTube ``pageToken``,
        Bluesky ``cursor``)."""

        def step(page: Any, _response: requests.Response) -> Mapping[str, Any] | None:
            token = next_cursor(page)
            return {cursor_param: token} if token else None

        return self.paginate(
            path_or_url,
            next_params=step,
            params=params,
            headers=headers,
            max_pages=max_pages,
            on_truncated=on_truncated,
        )

    def paginate_links(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        max_pages: int = 50,
        on_truncated: Callable[[int], None],
    ) -> Iterator[Any]:
        """``Link: <...>; rel="next"`` pagination (GitHub, Mastodon)."""

        def step(_page: Any, response: requests.Response) -> str | None:
            target = response.links.get("next", {}).get("url")
            return urljoin(response.url, target) if target else None

        return self.paginate(
            path_or_url,
            next_params=step,
            params=params,
            headers=headers,
            max_pages=max_pages,
            on_truncated=on_truncated,
        )

    def paginate_offset(
        self,
        path_or_url: str,
        *,
        count_of: Callable[[Any], int],
        start_param: str = "start",
        count_param: str = "count",
        count: int = 50,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        max_pages: int = 50,
        on_truncated: Callable[[int], None],
    ) -> Iterator[Any]:
        """``start``/``count`` pagination (LinkedIn): stops at a short page."""
        state = {"start": int((params or {}).get(start_param, 0))}

        def step(page: Any, _response: requests.Response) -> Mapping[str, Any] | None:
            got = count_of(page)
            if got < count:
                return None
            state["start"] += got
            return {start_param: state["start"]}

        first = {**(params or {}), start_param: state["start"], count_param: count}
        return self.paginate(
            path_or_url,
            next_params=step,
            params=first,
            headers=headers,
            max_pages=max_pages,
            on_truncated=on_truncated,
        )
