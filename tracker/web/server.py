"""The web server of ``tracker serve``: textual-serve's app processes behind the ``Guard``.

textual-serve starts one app process per browser tab and relays its screen over a websocket; its
own server accepts a websocket from any page, builds its links from the bind address (so a page
reached as ``0.0.0.0`` or through a proxy never connects) and links Google Fonts. This server
keeps textual-serve's relay (``handle_websocket``, ``handle_download``) and replaces the rest:
the checks of ``guard.py`` on every request, links built from the address the browser used (or
the public URL), the terminal font served locally, and one line per problem instead of a log of
tracebacks.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
from pathlib import Path
from typing import Any, Awaitable, Callable

import jinja2
from aiohttp import web
from textual_serve.server import Server

from tracker.domain.errors import TrackerError
from tracker.web.guard import Guard

HERE = Path(__file__).parent
REFUSED = (
    "This address needs the secret printed by `tracker serve` when it started: "
    "open the full address it printed (with ?token=...)."
)
# The page: its own scripts, styles and font; its websocket to this server (or the proxy's address).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token never leaves in a Referer
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ServeError(TrackerError):
    """The server could not start (the port is taken, the address is not this machine's)."""


class GuardedServer(Server):
    def __init__(self, command: str, *, guard: Guard, host: str, port: int, title: str) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.guard = guard
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
        )

    # --- the checks -------------------------------------------------------------------------------

    def _has_session(self, request: web.Request) -> bool:
        return self.guard.token_ok(request.cookies.get(self.guard.cookie_name))

    @web.middleware
    async def _checked(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.guard.host_ok(request.headers.get("Host")):
            # A page that reached this port under a name of its own (DNS rebinding), or a typo.
            return web.Response(status=421, text="This server does not answer to that host name.\n")
        try:
            response = await handler(request)
        except web.HTTPException as refused:
            refused.headers.update(SECURITY_HEADERS)
            raise
        if not response.prepared:  # a websocket is already upgraded: its headers are sent
            response.headers.update(SECURITY_HEADERS)
        return response

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        presented = request.query.get("token")
        if presented is not None:
            if not self.guard.token_ok(presented):
                return web.Response(status=403, text=REFUSED + "\n")
            response = web.Response(status=303, headers={"Location": "/"})  # drops the token from the history
            response.set_cookie(
                self.guard.cookie_name,
                self.guard.token,
                httponly=True,
                samesite="Strict",
                secure=self.guard.secure,
                path="/",
            )
            return response
        if not self._has_session(request):
            return web.Response(status=403, text=REFUSED + "\n")
        base = self.guard.base_url(request.headers["Host"])
        page = self.templates.get_template("app_index.html").render(
            title=self.title,
            static_url="/static/",
            local_url="/local/",
            websocket_url=("wss" if base.startswith("https") else "ws") + base[base.index(":") :] + "/ws",
            font_size=16,
        )
        return web.Response(text=page, content_type="text/html")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self.guard.origin_ok(request.headers.get("Origin"), request.headers.get("Host")):
            raise web.HTTPForbidden(text="A websocket from another site's page is refused.\n")
        if not self._has_session(request):
            raise web.HTTPForbidden(text=REFUSED + "\n")
        return await super().handle_websocket(request)

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        if not self._has_session(request):
            raise web.HTTPForbidden(text=REFUSED + "\n")
        return await super().handle_download(request)

    # --- running ----------------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._checked])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),  # textual-serve's script, styles, fonts
                web.static("/local", HERE / "static", name="local"),
            ]
        )
        return app

    def initialize_logging(self) -> None:
        """Warnings only, one line each: textual-serve's default logs tracebacks with local variables."""
        logging.basicConfig(level=logging.WARNING, format="tracker serve: %(message)s")

    def run(self, listening: Callable[[], Any]) -> None:
        """Serve until ctrl+c or SIGTERM; ``listening`` runs once the port is bound (not before)."""
        self.initialize_logging()
        asyncio.run(self._run(listening))

    async def _run(self, listening: Callable[[], Any]) -> None:
        runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            reasons = {
                errno.EADDRINUSE: "the port is already in use; choose another with --port",
                errno.EADDRNOTAVAIL: "that address is not one of this machine's; see --host",
            }
            reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {reason}") from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        listening()
        try:
            await stop.wait()
        finally:
            await runner.cleanup()  # closes every websocket, which stops its app process
