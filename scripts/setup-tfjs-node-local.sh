#!/usr/bin/env bash
# Builds @tensorflow/tfjs-node's native binding against the libtensorflow inside a local
# tensorflow-cpu wheel, so the `tensorflow` backend route runs on machines whose only package
# sources are a local npm registry and a local pip wheel index (tfjs-node's own install downloads
# libtensorflow from Google's storage). A test/bench route: people get tfjs-node the normal way.
# Idempotent; exits 0 with "skipped: …" where the wheel, a compiler or Node's headers are missing.
# Why each step exists: src/backend/software-gpu.md, "tfjs-node built on the local TensorFlow wheel".
set -euo pipefail

TFJS_NODE_VERSION=4.22.0 # the version the engine's own TF.js packages are pinned to

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${TFJS_NODE_LOCAL_DIR:-$root/.tfjs-node-local}"
venv="${TFJS_NODE_LOCAL_VENV:-/tmp/kv}"
wheels="${TFJS_NODE_LOCAL_WHEELS:-/opt/pypi/files}"
pkg="$prefix/node_modules/@tensorflow/tfjs-node"

say() { printf '[setup-tfjs-node-local] %s\n' "$*"; }
skip() {
  say "skipped: $*"
  exit 0
}

[[ "$(uname -s)/$(uname -m)" == Linux/x86_64 ]] ||
  skip "only Linux x86-64 is set up (this is $(uname -s)/$(uname -m))"
for tool in node npm python3 make g++; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (building the binding needs node, npm, python3, make, g++)"
done

# Node's headers: node-gyp downloads them unless it is given a folder that holds them.
nodedir="${npm_config_nodedir:-$(npm config get nodedir 2>/dev/null || true)}"
[[ "$nodedir" == undefined || "$nodedir" == null ]] && nodedir=""
if [[ -z "$nodedir" ]]; then
  node_prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  [[ -f "$node_prefix/include/node/common.gypi" ]] && nodedir="$node_prefix"
fi
node_version="$(node -p 'process.versions.node')"
if [[ -z "$nodedir" && ! -f "$HOME/.cache/node-gyp/$node_version/include/node/common.gypi" ]]; then
  skip "no Node.js $node_version headers found (set npm_config_nodedir to a folder with include/node/node_api.h)"
fi

# 1. TensorFlow's shared libraries and C API headers, from the tensorflow-cpu wheel.
tf_dir() {
  "$venv/bin/python" -c 'import importlib.util as u; print(u.find_spec("tensorflow").submodule_search_locations[0])' 2>/dev/null
}
tf="$(tf_dir || true)"
if [[ -z "$tf" ]]; then
  wheel="$(find "$wheels" -maxdepth 1 -name 'tensorflow_cpu-*-cp3*-manylinux*_x86_64.whl' 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$wheel" ]] || skip "TensorFlow is not in $venv and no tensorflow_cpu wheel is in $wheels (set TFJS_NODE_LOCAL_VENV / TFJS_NODE_LOCAL_WHEELS)"
  say "installing $(basename "$wheel") into $venv"
  python3 -m venv "$venv" || skip "could not create the venv $venv"
  # pip.conf on these machines names an index that is not there: use the local wheel folder only.
  "$venv/bin/pip" install --quiet --no-index --find-links "$wheels" "$wheel" ||
    skip "pip could not install $(basename "$wheel") from $wheels"
  tf="$(tf_dir || true)"
fi
for file in libtensorflow_cc.so.2 libtensorflow_framework.so.2 include/tensorflow/c/c_api.h include/tensorflow/c/eager/c_api.h include/tensorflow/core/platform/ctstring_internal.h; do
  [[ -f "$tf/$file" ]] || skip "the TensorFlow in $venv has no $file"
done
say "TensorFlow $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("tensorflow-cpu"))' 2>/dev/null || echo '?') at $tf"

# The binding loads, is the pinned version, and computes on the tensorflow backend.
check_binding() {
  (cd "$prefix" && TF_CPP_MIN_LOG_LEVEL=2 node -e '
    const tf = require("@tensorflow/tfjs-node");
    const sum = tf.tensor1d([1, 2, 3]).square().sum().dataSync()[0];
    if (tf.version.tfjs !== process.argv[1] || tf.getBackend() !== "tensorflow" || sum !== 14) {
      throw new Error(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, 1²+2²+3² = ${sum}`);
    }' "$TFJS_NODE_VERSION") 2>&1
}

# 2. The package, without its install script (that script is the download).
mkdir -p "$prefix"
installed="$(node -p "require('$pkg/package.json').version" 2>/dev/null || true)"
if [[ "$installed" != "$TFJS_NODE_VERSION" || ! -f "$prefix/node_modules/@tensorflow/tfjs/package.json" ]]; then
  printf '{ "private": true, "dependencies": { "@tensorflow/tfjs-node": "%s" } }\n' "$TFJS_NODE_VERSION" >"$prefix/package.json"
  say "npm install @tensorflow/tfjs-node@$TFJS_NODE_VERSION --ignore-scripts (into $prefix)"
  (cd "$prefix" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

# 3. deps/ as binding.gyp reads it: headers in deps/include, -ltensorflow -ltensorflow_framework
#    from deps/lib. The wheel's library is libtensorflow_cc.so.2 (it exports the C and eager C
#    APIs), so the addon records that soname, found at run time through its $ORIGIN/../../deps/lib
#    runpath. Symlinks: the libraries are ~850 MB.
mkdir -p "$pkg/deps/lib"
ln -sfn "$tf/include" "$pkg/deps/include"
ln -sfn "$tf/libtensorflow_cc.so.2" "$pkg/deps/lib/libtensorflow.so"
ln -sfn "$tf/libtensorflow_cc.so.2" "$pkg/deps/lib/libtensorflow_cc.so.2"
ln -sfn "$tf/libtensorflow_framework.so.2" "$pkg/deps/lib/libtensorflow_framework.so"
ln -sfn "$tf/libtensorflow_framework.so.2" "$pkg/deps/lib/libtensorflow_framework.so.2"

# 4. The addon, built from source unless one that works is already there.
if check_binding >/dev/null; then
  say "the binding is already built and works"
else
  pre_gyp="$(cd "$pkg" && node -p "require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp')")"
  say "building tfjs_binding.node (node-pre-gyp → node-gyp${nodedir:+, headers from $nodedir}; about a minute)"
  log="$prefix/build.log"
  if ! (cd "$pkg" && nice node "$pre_gyp" rebuild --build-from-source ${nodedir:+"--nodedir=$nodedir"}) >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    say "the build failed; full log: $log"
    exit 1
  fi
  if ! failure="$(check_binding)"; then
    printf '%s\n' "$failure" >&2
    say "the binding was built but does not run"
    exit 1
  fi
fi

say "ready: @tensorflow/tfjs-node $TFJS_NODE_VERSION on TensorFlow's C API from $tf"
say "use it with:"
printf 'export ACTIVATION_LENS_TFJS_NODE_PATH=%s\n' "$prefix"
