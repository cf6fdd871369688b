"""The HTTP face of a federated ``Server``: a Flask app with the routes of docs/federated_protocol.md,
CORS on every answer, protocol errors as ``{"error": {"code", "message"}}``, and the published versions'
files with ETags (immutable: a version never changes).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from webgrad.federated.bundle_weights import trainable_vector
from webgrad.federated.validate import NotJSON, ProtocolError

__all__ = ["create_app"]

CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": "Authorization, Content-Type, If-None-Match",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Expose-Headers": "ETag"}
IMMUTABLE = "public, max-age=31536000, immutable"


def create_app(server: Any) -> Any:
    """The Flask app answering ``server``'s protocol under ``/fl/v1``."""
    from flask import Flask, Response, jsonify, request

    app = Flask("webgrad.federated")
    # an update is 4 bytes per value in base64 (4/3), plus the JSON around it
    app.config["MAX_CONTENT_LENGTH"] = 6 * server.update_length + (1 << 20)

    def body() -> Any:
        try:
            return json.loads(request.get_data(cache=False) or b"null")
        except (ValueError, UnicodeDecodeError) as e:
            return NotJSON(str(e))

    def auth() -> str | None:
        return request.headers.get("Authorization")

    @app.errorhandler(ProtocolError)
    def protocol_error(e: ProtocolError) -> Any:
        return jsonify(e.to_json()), e.status

    @app.errorhandler(413)
    def too_large(_e: Any) -> Any:
        limit = app.config["MAX_CONTENT_LENGTH"]
        return jsonify(ProtocolError("EMALFORMED", f"body over {limit} bytes, more than an update of this model "
                                                   "can take").to_json()), 413

    @app.after_request
    def cors(response: Any) -> Any:
        response.headers.update(CORS)
        return response

    @app.before_request
    def preflight() -> Any:
        server.start_ticker()  # rounds close on time in a mounted app too
        # a CORS preflight (Flask would answer OPTIONS itself with 200 and an Allow list)
        return Response(status=204) if request.method == "OPTIONS" else None

    @app.post("/fl/v1/join")
    def join() -> Any:
        return jsonify(server.join(auth(), body()))

    @app.get("/fl/v1/task")
    def task() -> Any:
        return jsonify(server.task(auth(), request.args.get("clientId")))

    @app.post("/fl/v1/update")
    def update() -> Any:
        return jsonify(server.update(auth(), body()))

    @app.get("/fl/v1/status")
    def status() -> Any:
        return jsonify(server.status())

    @app.post("/fl/v1/secagg/<any(advertise, shares, unmask):kind>")
    def secagg_post(kind: str) -> Any:
        return jsonify(server.secagg_post(auth(), kind, body()))

    @app.get("/fl/v1/secagg/<any(roster, inbox, unmask):kind>")
    def secagg_get(kind: str) -> Any:
        return jsonify(server.secagg_get(auth(), kind, request.args.get("clientId"), request.args.get("round")))

    @functools.lru_cache(maxsize=64)
    def version_file(version: int, name: str) -> tuple[bytes, str, str]:
        folder = server.version_dir(version)
        if name == "trainable.bin":
            from webgrad.exporter.bundle_reader import read_bundle

            data = trainable_vector(read_bundle(folder)).astype("<f4").tobytes()
            kind = "application/octet-stream"
        else:
            listed = {"model.json"} | {s["file"] for s in json.loads((folder / "model.json").read_text())["weights"]
                                       ["shards"]}
            if name not in listed:
                raise ProtocolError("ESTATE", f"version {version} has no file {name!r}", status=404)
            data = (folder / name).read_bytes()
            kind = "application/json" if name.endswith(".json") else "application/octet-stream"
        return data, f'"{hashlib.sha256(data).hexdigest()}"', kind

    @app.get("/fl/v1/model/<int:version>/<name>")
    def model_file(version: int, name: str) -> Any:
        server.version_dir(version)  # 404 before caching anything for an unpublished version
        data, etag, kind = version_file(version, name)
        headers = {"ETag": etag, "Cache-Control": IMMUTABLE}
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=304, headers=headers)
        return Response(data, status=200, headers=headers, content_type=kind)

    return app
