#!/usr/bin/env bash
# Adds the test runner to what ../shared/gpu/pack.sh packed, for the GPU machine, which has no
# .NET: the tests published self-contained (xunit v3 tests are an executable), less every file
# the app's own publish already carries byte for byte (the runtime), as .gpu/tests.tar.xz.
# bench/gpu/run.sh unpacks it over the app and runs there the tests that need CUDA.
# Run from the project root, after ../shared/gpu/pack.sh.
set -euo pipefail
[ -f .gpu/app.tar.xz ] || { echo "pack_tests.sh: no .gpu/app.tar.xz; run ../shared/gpu/pack.sh first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet publish tests -c Release -r linux-x64 --self-contained -o "$work/tests" -v quiet
mkdir -p "$work/app" && tar xJf .gpu/app.tar.xz -C "$work/app"
(cd "$work/tests" && find . -type f) | while read -r file; do
  if cmp -s "$work/tests/$file" "$work/app/$file"; then rm "$work/tests/$file"; fi
done
# The CUDA tests run.sh picks need none of these, and the device tool carries 64 MiB in all:
# other platforms' natives, code coverage's instrumentation, ONNX Runtime's native library.
(cd "$work/tests" && rm -rf CodeCoverage alpine arm64 macos ubuntu x64 x86 \
  onnxruntime.dll onnxruntime_providers_shared.dll libonnxruntime.so libonnxruntime_providers_shared.so)
tar cJf .gpu/tests.tar.xz -C "$work/tests" .
du -sh .gpu/* | sed 's/^/packed: /'
total=$(du -sm .gpu | cut -f1)
[ "$total" -lt 60 ] || echo "warning: .gpu is ${total} MiB; the device tool carries 64 MiB in all"
