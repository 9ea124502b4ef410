"""One spelling per URL. A page may link a report as written (…/附件1.pdf) and another page, or
the same one, percent-encoded (…/%E9%99%84%E4%BB%B61.pdf, or with lower-case hex): all name one
resource, and a server reads them alike. Spelled one way, it is fetched once per crawl and lands
under one name.

The spelling is the one httpx sends, and reports as a response's URL (which names what a crawl
lands): characters beyond ASCII escaped as UTF-8, and the ASCII characters a URL cannot hold as
they are (a space, a double quote); the scheme and host in lower case. Besides, every escape is
in upper-case hex and the fragment is dropped. Escapes already there are never decoded: %2F or
%26 asks for something else than / or &, and a GBK query string is no UTF-8."""

from __future__ import annotations

import re

import httpx

ESCAPE = re.compile(r"%([0-9a-fA-F]{2})")


def canonical_url(url: str) -> str:
    """The one spelling of an http(s) URL (see above). Raises ValueError (httpx.InvalidURL) for
    what is no URL."""
    try:
        spelled = str(httpx.URL(url).copy_with(fragment=None))
    except httpx.InvalidURL as error:
        raise ValueError(str(error)) from None
    return ESCAPE.sub(lambda escape: "%" + escape[1].upper(), spelled)
