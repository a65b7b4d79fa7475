"""GraphiQL, served from the files installed with the package (comptoir/static/graphiql): no CDN, so it
works offline and on intranets. The page's Content-Security-Policy lets it load nothing from elsewhere."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).resolve().parent / "static" / "graphiql"
ASSETS_PATH = "/static/graphiql"

# GraphiQL sets inline styles and its stylesheet embeds its fonts as data: URLs.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "font-src 'self' data:; img-src 'self' data:; connect-src 'self' ws: wss:; "
                           "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Comptoir GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{assets}/graphiql.min.css">
<link rel="stylesheet" href="{assets}/page.css">
</head>
<body>
<div id="graphiql">Loading…</div>
<script src="{assets}/react.production.min.js"></script>
<script src="{assets}/react-dom.production.min.js"></script>
<script src="{assets}/graphiql.min.js"></script>
<script src="{assets}/start.js"></script>
</body>
</html>
"""


def graphiql_page(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE.format(assets=ASSETS_PATH), headers={
        "Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"})


def graphiql_assets() -> Mount:
    return Mount(ASSETS_PATH, app=StaticFiles(directory=ASSETS), name="graphiql")
