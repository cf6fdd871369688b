"""The Flask app: the demo page, ``/api/bundles`` (the index the page reads), the bundles' files
under ``/bundles/<name>/``, the npm package's published files under ``/webgrad/`` and the page's own
static modules. Every file goes through one response path (strong ETag, 304, gzip) and every
response carries the cross-origin isolation headers. A bundle being rewritten is answered with 503 and
``Retry-After`` (never a 500); nothing a client sees names a server path."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, Response, abort, jsonify, render_template, request

from .bundles import DEFAULT_CACHE_BYTES, BundleBusyError, BundleIndex
from .federated import FederatedDemo, mount
from .package import NpmPackage, PackageError
from .responses import FileCache, GzipCache, add_isolation_headers, file_response, mimetype_for

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_PACKAGE = REPO / "js_runtime"
TEXT_SUBDIR = "text"  # the "Text" panel's bundles: <bundle_dir>/text/<name>/, kept out of the digits' list
log = logging.getLogger("demo_app")


def _static_files(root: Path) -> frozenset[str]:
    """The page's own files (fixed at start: the page is part of this package, not user data)."""
    return frozenset(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def create_app(bundle_dir: str | Path = REPO / "build" / "bundles", package_dir: str | Path = DEFAULT_PACKAGE,
               default_model: str | None = None, cache_bytes: int = DEFAULT_CACHE_BYTES,
               federated: bool | FederatedDemo = False) -> Flask:
    """The demo app serving the bundles under ``bundle_dir`` with the npm package in ``package_dir``.

    ``default_model``: the model (bundle name without its ``-<dtype>`` suffix) the page opens with;
    by default ``mnist_cnn`` if present, else the first. ``cache_bytes``: how many bytes of bundle
    files are held in memory (recent versions included). A missing or broken bundle directory or
    package never stops the app: the page and ``/api/bundles`` say what is wrong, and it is logged.

    The "Text" panel's bundles (exported with a tokenizer) live in ``<bundle_dir>/text/``: listed by
    ``/api/text-bundles`` and served under ``/text-bundles/<name>/``, apart from the digits' bundles.

    ``federated``: the "Federated" panel's server (``True``: a ``FederatedDemo`` over the trainable
    bundle of ``bundle_dir``, if there is one), mounted under ``/fl/``; off by default.

    >>> client = create_app(bundle_dir="/nowhere/bundles").test_client()
    >>> client.get("/api/bundles").get_json()["bundleDir"]
    'bundles'
    """
    app = Flask(__name__, static_folder=None, template_folder=str(HERE / "templates"))
    app.json.sort_keys = False  # type: ignore[attr-defined]
    index = BundleIndex(Path(bundle_dir), cache_bytes=cache_bytes)
    text_index = BundleIndex(Path(bundle_dir) / TEXT_SUBDIR, cache_bytes=cache_bytes)
    files, gz = FileCache(), GzipCache()
    static_root = HERE / "static"
    static_files = _static_files(static_root)
    package: NpmPackage | None = None
    package_error: str | None = None
    try:
        package = NpmPackage.load(Path(package_dir))
    except PackageError as e:
        package_error = str(e)
        log.error("npm package: %s", e)
    if index.problem():
        log.warning("%s", index.problem())

    def send(path: Path) -> Response:
        got = files.read(path)
        if got is None:
            abort(404)
        data, digest = got
        return file_response(request, data, digest, mimetype_for(path), gz)

    @app.after_request
    def _headers(response: Response) -> Response:
        return add_isolation_headers(response)

    @app.get("/")
    def page() -> str:
        return render_template("index.html", entry=f"webgrad/{package.entry}" if package else None,
                               package=package, package_error=package_error)

    @app.get("/api/bundles")
    def api_bundles() -> Response:
        bundles = index.bundles()
        models = list(dict.fromkeys(b["model"] for b in bundles))
        preferred = default_model if default_model in models else ("mnist_cnn" if "mnist_cnn" in models else None)
        return jsonify({
            "bundleDir": index.label, "problem": index.problem(), "bundles": bundles,
            "defaultModel": preferred or (models[0] if models else None),
            "package": {"name": package.name, "version": package.version, "entry": package.entry}
            if package else None,
            "packageError": package_error})

    @app.get("/api/text-bundles")
    def api_text_bundles() -> Response:
        return jsonify({"bundles": [{**b, "url": f"text-bundles/{b['name']}/"} for b in text_index.bundles()]})

    @app.get("/bundles/<name>/<path:file>")
    def bundle_file(name: str, file: str) -> Response:
        return serve_bundle_file(index, name, file)

    @app.get("/text-bundles/<name>/<path:file>")
    def text_bundle_file(name: str, file: str) -> Response:
        return serve_bundle_file(text_index, name, file)

    def serve_bundle_file(index: BundleIndex, name: str, file: str) -> Response:
        try:  # only files a snapshot names: no other path is reachable, '..' and symlinks included
            got = index.file(name, file, request.args.get("sha256"))
        except BundleBusyError as busy:
            return Response(f"bundle {name} is being rewritten; retry in {busy.retry_after_s} s\n", status=503,
                            mimetype="text/plain", headers={"Retry-After": str(busy.retry_after_s),
                                                            "Cache-Control": "no-store"})
        if got is None:
            abort(404)
        data, digest = got
        return file_response(request, data, digest, mimetype_for(file), gz)

    @app.get("/webgrad/<path:rel>")
    def package_file(rel: str) -> Response:
        path = package.path_of(rel) if package else None
        if path is None:
            abort(404)
        return send(path)

    @app.get("/static/<path:rel>")
    def static_file(rel: str) -> Response:
        if rel not in static_files:
            abort(404)
        return send(static_root / rel)

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204)

    if federated is True:
        found = FederatedDemo.find_bundle(bundle_dir)
        federated = FederatedDemo(found) if found else False
        if not found:
            log.warning("federated: no <model>-trainable bundle in %s; the Federated panel is off", index.label)
    mount(app, federated or None)
    return app
