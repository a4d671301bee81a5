#!/usr/bin/env bash
# Regenerates every committed output of Proto/infoplane/v1/*.proto:
#   Swift  -> Sources/InfoplaneProtocol/Generated/   (protoc-gen-swift from swift-protobuf 1.39.0)
#   C      -> Sources/CInfoplaneClient/generated/    (protoc-c 1.4.1, Debian protobuf-c-compiler)
#   Python -> Clients/python/infoplane/_proto/       (protoc 3.21.12, Debian protobuf-compiler)
#
# Run it by hand after changing the .proto, then commit the outputs. It is not part of
# the build or of CI (building protoc-gen-swift takes minutes).
#
#   Scripts/generate-protos.sh            # builds protoc-gen-swift once under .build-protoc-gen-swift/
#   PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift Scripts/generate-protos.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT_PROTOBUF_VERSION=1.39.0
PROTOC_VERSION="libprotoc 3.21.12"
PROTOC_C_VERSION="protobuf-c 1.4.1"

command -v protoc >/dev/null || { echo "protoc missing: sudo apt-get install protobuf-compiler" >&2; exit 1; }
[ "$(protoc --version)" = "$PROTOC_VERSION" ] || { echo "need $PROTOC_VERSION, have $(protoc --version)" >&2; exit 1; }

if [ -z "${PROTOC_GEN_SWIFT:-}" ]; then
  src=.build-protoc-gen-swift/swift-protobuf
  if [ ! -x "$src/.build/release/protoc-gen-swift" ]; then
    rm -rf "$src"; mkdir -p .build-protoc-gen-swift
    git clone -q https://github.com/apple/swift-protobuf "$src"
    git -C "$src" checkout -q "$SWIFT_PROTOBUF_VERSION"
    (cd "$src" && swift build -c release --product protoc-gen-swift)
  fi
  PROTOC_GEN_SWIFT="$PWD/$src/.build/release/protoc-gen-swift"
fi

protos=(Proto/infoplane/v1/*.proto)

out=Sources/InfoplaneProtocol/Generated
rm -rf "$out"; mkdir -p "$out"
protoc -I Proto --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$out" "${protos[@]}"

if command -v protoc-c >/dev/null; then
  [ "$(protoc-c --version | head -1)" = "$PROTOC_C_VERSION" ] || { echo "need $PROTOC_C_VERSION" >&2; exit 1; }
  out=Sources/CInfoplaneClient/generated
  mkdir -p "$out"; rm -f "$out"/*.pb-c.[ch]
  protoc-c -I Proto --c_out="$out" "${protos[@]}"
else
  echo "protoc-c missing (sudo apt-get install protobuf-c-compiler): C output not regenerated" >&2
fi

out=Clients/python/infoplane/_proto
rm -rf "$out"; mkdir -p "$out"
protoc -I Proto --python_out="$out" "${protos[@]}"
touch "$out/__init__.py" "$out/infoplane/__init__.py" "$out/infoplane/v1/__init__.py"
echo "generated Swift, C and Python code from ${protos[*]}"
