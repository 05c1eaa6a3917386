#!/bin/bash
# Makes a test CA and server certificates for TLS tests.
#
# Usage: make_certs.sh DIR [NAME...]
#   NAME is a DNS name (wildcards allowed) or an IPv4/IPv6 literal; default: localhost 127.0.0.1.
#
# Writes into DIR (each *.pem beside its *.key):
#   ca.pem ca.key                  the test CA (trust this one)
#   valid.pem valid.key            signed by the CA, SANs = NAMEs
#   expired.pem expired.key        signed by the CA, SANs = NAMEs, valid 2020-01-01..2021-01-01
#   wrong_host.pem wrong_host.key  signed by the CA, only for wrong-host.invalid
#   self_signed.pem self_signed.key  self-signed, SANs = NAMEs
# Prints nothing on success. A second run with the same names reuses the files, so many test
# processes can share one directory; a lock serialises concurrent first runs.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 DIR [NAME...]" >&2
  exit 2
fi
dir=$1
shift
names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  names=(localhost 127.0.0.1)
fi

mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9

stamp="v1 ${names[*]}"
if [[ -f $dir/stamp && "$(cat "$dir/stamp")" == "$stamp" ]]; then
  exit 0
fi

san=""
for n in "${names[@]}"; do
  if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then
    san+="IP:$n,"
  else
    san+="DNS:$n,"
  fi
done
san=${san%,}
# The subject CN is informational only (clients check SANs), but keep it a real name.
cn=${names[0]}

work=$(mktemp -d "$dir/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A self-contained config so the system openssl.cnf cannot add or clash with extensions.
cat >"$work/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $san
[wrong_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:wrong-host.invalid
[self_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $san
# 'openssl ca' is the only way in OpenSSL 3.0 to set an explicit notBefore/notAfter (for the
# expired certificate) without faking the clock.
[ca]
default_ca = test_ca
[test_ca]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any_policy
unique_subject = no
copy_extensions = none
[any_policy]
commonName = supplied
EOF
: >"$work/index.txt"
echo 1000 >"$work/serial"

cfg=(-config "$work/openssl.cnf")
newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)

openssl req "${cfg[@]}" -x509 "${newkey[@]}" -keyout "$work/ca.key" -out "$work/ca.pem" \
  -days 3650 -subj "/CN=channel-verifier test CA" -extensions ca_ext 2>/dev/null

leaf() {  # name subject extensions-section
  openssl req "${cfg[@]}" -new "${newkey[@]}" -keyout "$work/$1.key" -out "$work/$1.csr" \
    -subj "/CN=$2" 2>/dev/null
  openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -days 825 -sha256 \
    -extfile "$work/openssl.cnf" -extensions "$3" -out "$work/$1.pem" 2>/dev/null
}
leaf valid "$cn" leaf
leaf wrong_host wrong-host.invalid wrong_leaf

openssl req "${cfg[@]}" -new "${newkey[@]}" -keyout "$work/expired.key" \
  -out "$work/expired.csr" -subj "/CN=$cn" 2>/dev/null
openssl ca "${cfg[@]}" -batch -notext -cert "$work/ca.pem" -keyfile "$work/ca.key" \
  -in "$work/expired.csr" -out "$work/expired.pem" -extensions leaf \
  -startdate 20200101000000Z -enddate 20210101000000Z 2>/dev/null

openssl req "${cfg[@]}" -x509 "${newkey[@]}" -keyout "$work/self_signed.key" \
  -out "$work/self_signed.pem" -days 825 -subj "/CN=$cn" -extensions self_leaf 2>/dev/null

for f in ca valid expired wrong_host self_signed; do
  # Readable by the unprivileged users of Postfix and Dovecot, which load them after setuid.
  chmod 0644 "$work/$f.pem" "$work/$f.key"
  mv -f "$work/$f.pem" "$work/$f.key" "$dir/"
done
echo "$stamp" >"$dir/stamp"
