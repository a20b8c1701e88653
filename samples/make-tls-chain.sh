#!/usr/bin/env bash
# Generates a self-signed certificate chain for trying RTMPS locally:
#   ca.pem            the root CA: what clients (ffmpeg, GStreamer, a relay's ca_file) trust
#   intermediate.pem  an intermediate CA, signed by the root
#   chain.pem         the server certificate followed by the intermediate: listeners.rtmps.certificate
#   server.key        the server's private key (mode 600): listeners.rtmps.private_key
# Usage: samples/make-tls-chain.sh [OUT_DIR] [EXTRA_NAME ...]
#   OUT_DIR defaults to samples/tls; the server certificate names localhost, 127.0.0.1 and ::1, plus
#   every EXTRA_NAME (an IP address or a DNS name, e.g. the host OBS connects to).
# Keys are ECDSA P-256; certificates are valid for 825 days (the root for 10 years). Existing files
# in OUT_DIR are replaced.
set -euo pipefail
out="${1:-$(dirname "$0")/tls}"
shift || true
mkdir -p "$out"
cd "$out"
umask 077

san="DNS:localhost,IP:127.0.0.1,IP:::1"
for name in "$@"; do
  if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then san="$san,IP:$name"; else san="$san,DNS:$name"; fi
done

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key ca.key
openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=stagegate sample root CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.pem

key intermediate.key
openssl req -new -key intermediate.key -subj "/CN=stagegate sample intermediate CA" -out intermediate.csr
printf '%s\n' "basicConstraints=critical,CA:TRUE,pathlen:0" "keyUsage=critical,keyCertSign,cRLSign" \
  "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" > intermediate.ext
openssl x509 -req -in intermediate.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 1825 \
  -extfile intermediate.ext -out intermediate.pem 2>/dev/null

key server.key
openssl req -new -key server.key -subj "/CN=${1:-localhost}" -out server.csr
printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
  "extendedKeyUsage=serverAuth" "subjectAltName=$san" "subjectKeyIdentifier=hash" \
  "authorityKeyIdentifier=keyid" > server.ext
openssl x509 -req -in server.csr -CA intermediate.pem -CAkey intermediate.key -CAcreateserial \
  -sha256 -days 825 -extfile server.ext -out server.pem 2>/dev/null

cat server.pem intermediate.pem > chain.pem
rm -f ./*.csr ./*.ext ./*.srl
chmod 644 ca.pem intermediate.pem server.pem chain.pem
openssl verify -CAfile ca.pem -untrusted intermediate.pem server.pem >/dev/null
echo "wrote $(pwd)/{ca.pem,intermediate.pem,chain.pem,server.key} for: $san"
