#!/usr/bin/env bash
# Creates a CA and a serving certificate for kuma-injector, stores them in the
# Secret kuma-system/kuma-injector-tls, and prints manifests/kuma-injector.yaml
# with the CA put into caBundle:
#   manifests/gen-certs.sh | kubectl apply -f -
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
svc=kuma-injector.kuma-system.svc
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj "/CN=kuma-injector-ca" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$svc" \
  -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:%s.cluster.local\nextendedKeyUsage=serverAuth\n' "$svc" "$svc" >"$dir/ext"
openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 825 -extfile "$dir/ext" -out "$dir/tls.crt" 2>/dev/null
kubectl create secret tls kuma-injector-tls -n kuma-system --cert "$dir/tls.crt" --key "$dir/tls.key" \
  --dry-run=client -o yaml
echo '---'
sed "s|CA_BUNDLE|$(base64 -w0 <"$dir/ca.crt")|" "$here/kuma-injector.yaml"
