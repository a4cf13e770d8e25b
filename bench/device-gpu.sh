#!/usr/bin/env bash
# The one command for a lent GPU machine (no network, no npm, no Chromium): unpacks the archive that
# bench/device-prepare.sh made (carried as .device), runs bench/gpu-node.mjs on Dawn's Vulkan backend
# with the carried Vulkan loader and the machine's NVIDIA driver, and writes the `gpu` section to
# $OUT/gpu-section.json (merge it here with `node bench/gpu-node.mjs --merge FILE`). See bench/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$here/.device/out}
work=$(mktemp -d)
mkdir -p "$out"
command -v node >/dev/null || { echo "device-gpu: no node on this machine" >&2; exit 1; }
echo "device-gpu: node $(node --version), $(nproc) cores"
tar -C "$work" -xJf "$here/.device/gpu-node.tar.xz"
export LD_LIBRARY_PATH="$work/lib-vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The NVIDIA driver's Vulkan ICD, where the machine has one and none was chosen.
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then export VK_DRIVER_FILES=$nvidia_icd VK_ICD_FILENAMES=$nvidia_icd; fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
cd "$work"
BENCH_GPU_SECTION="$out/gpu-section.json" timeout "${BENCH_GPU_TIMEOUT:-280}" node bench/gpu-node.mjs 2>&1 | tee "$out/gpu-node.log"
