"""The webgrad live demo: a Flask app serving a page where a digit drawn on a canvas is classified in
the browser by the npm package ``webgrad`` (backends js, wasm, webgpu), the bundles it runs and the
package's own published files. ``create_app(bundle_dir=...)`` builds it; ``python -m demo_app`` serves it.
"""

from .app import create_app

__all__ = ["create_app"]
