"""``python -m demo_app [--host H] [--port P] [--bundles DIR] [--federated]``: serve the live demo.

Flags fall back to the environment (``WEBGRAD_DEMO_HOST``, ``WEBGRAD_DEMO_PORT``,
``WEBGRAD_DEMO_BUNDLES``, ``WEBGRAD_DEMO_PACKAGE``); ``--port 0`` takes a free port. The address is
printed once the socket is bound; Ctrl-C (or SIGTERM) stops the server cleanly.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import sys
from collections.abc import Sequence

from werkzeug.serving import BaseWSGIServer, make_server

from .app import DEFAULT_PACKAGE, REPO, create_app

DEFAULT_PORT = 8000


def build_parser() -> argparse.ArgumentParser:
    """The command line, with defaults from the environment."""
    env = os.environ.get
    p = argparse.ArgumentParser(prog="python -m demo_app", description="Serve the webgrad live demo page.")
    p.add_argument("--host", default=env("WEBGRAD_DEMO_HOST", "127.0.0.1"),
                   help="address to bind (env WEBGRAD_DEMO_HOST; default 127.0.0.1)")
    p.add_argument("--port", type=int, default=int(env("WEBGRAD_DEMO_PORT")) if env("WEBGRAD_DEMO_PORT") else None,
                   help="port, 0 for a free one (env WEBGRAD_DEMO_PORT; default 8000, or a free port if 8000 is taken)")
    p.add_argument("--bundles", default=env("WEBGRAD_DEMO_BUNDLES", str(REPO / "build" / "bundles")),
                   help="directory of bundle folders (env WEBGRAD_DEMO_BUNDLES; default build/bundles)")
    p.add_argument("--package", default=env("WEBGRAD_DEMO_PACKAGE", str(DEFAULT_PACKAGE)),
                   help="the npm package directory to serve (env WEBGRAD_DEMO_PACKAGE; default js_runtime/)")
    p.add_argument("--model", default=env("WEBGRAD_DEMO_MODEL"),
                   help="model the page opens with (bundle name without -float32/-int8; default mnist_cnn)")
    p.add_argument("--federated", action="store_true", default=env("WEBGRAD_DEMO_FEDERATED") == "1",
                   help="run the Federated panel's server under /fl/ over the <model>-trainable bundle "
                        "(env WEBGRAD_DEMO_FEDERATED=1)")
    return p


def _listen(host: str, port: int | None, app: object) -> BaseWSGIServer:
    """A bound server: on ``port``, or on 8000 (any free port if 8000 is taken) when none was asked for."""
    if port is not None:
        return make_server(host, port, app, threaded=True)
    try:
        return make_server(host, DEFAULT_PORT, app, threaded=True)
    except OSError as e:
        if e.errno != errno.EADDRINUSE:
            raise
        print(f"demo_app: port {DEFAULT_PORT} is taken, using a free one", file=sys.stderr)
        return make_server(host, 0, app, threaded=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Serves until Ctrl-C or SIGTERM; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(bundle_dir=args.bundles, package_dir=args.package, default_model=args.model,
                     federated=args.federated)
    try:
        server = _listen(args.host, args.port, app)
    except OSError as e:
        print(f"demo_app: cannot listen on {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        return 2
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"webgrad demo: serving {args.bundles} at http://{host}:{server.server_port}/  (Ctrl-C to stop)",
          flush=True)
    # SIGTERM stops like Ctrl-C (a parent script or a test ending the process); SIGINT is set too, as a
    # process started in the background by a shell inherits it ignored
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        server.serve_forever()  # returns on KeyboardInterrupt (werkzeug catches it)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("\nwebgrad demo: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
