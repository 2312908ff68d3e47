"""Great Expectations' Data Docs page views with Jinja's bytecode cache.

GX compiles its page templates from source in every process that builds Data Docs (2–3 s of each
build on these machines). These views, named in the Data Docs site configuration of
`expectations.run`, keep the compiled templates in Jinja's own cache folder (a per-user folder of the
temporary directory), keyed by each template's source, so they are compiled once per machine and GX
version."""

from __future__ import annotations

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import FileSystemBytecodeCache

_CACHE = FileSystemBytecodeCache()


class CachedPageView(DefaultJinjaPageView):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = _CACHE


class CachedIndexPageView(DefaultJinjaIndexPageView):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = _CACHE
