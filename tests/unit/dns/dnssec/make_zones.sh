#!/usr/bin/env bash
# Builds the DNSSEC test world in DIR (a fresh temporary directory of the
# test): three zones, signed now (so their signatures never expire in a
# checkout), and the configuration of an nsd serving them and of an unbound
# validating them. The test then starts both (dns_peers.cpp) and stops them
# by PID.
#
#   secure.test    signed; its key is unbound's trust anchor: answers are
#                  secure (AD=1), NXDOMAIN and NODATA securely denied (NSEC)
#   insecure.test  unsigned, no trust anchor: answers are insecure (AD=0)
#   bogus.test     signed, trust anchor configured, then records changed
#                  after signing: the signatures no longer match, unbound
#                  answers SERVFAIL (with EDE "DNSSEC Bogus")
#
# Usage: make_zones.sh DIR NSD_PORT UNBOUND_PORT (both on 127.0.0.1).
# Needs ldns-keygen and ldns-signzone (Debian ldnsutils).
set -euo pipefail
dir=$1 nsd_port=$2 unbound_port=$3
cd "$dir"

# The TLSA association data: fixed SHA-256 sized values the tests compare.
ee=0000000000000000000000000000000000000000000000000000000000000003
ta=0000000000000000000000000000000000000000000000000000000000000002

zone_head() {  # zone_head ORIGIN
  cat <<ZONE
\$ORIGIN $1.
\$TTL 300
@ SOA ns.$1. hostmaster.$1. 1 3600 600 86400 300
@ NS ns.$1.
ns A 127.0.0.1
ZONE
}

{
  zone_head secure.test
  cat <<ZONE
@ MX 10 mx.secure.test.
mx A 192.0.2.25
mx AAAA 2001:db8::25
_25._tcp.mx TLSA 3 1 1 $ee
_25._tcp.mx TLSA 2 1 1 $ta
alias CNAME mx.secure.test.
nodane A 192.0.2.26
_25._tcp.nodata TXT "a name with no TLSA record"
ZONE
} >secure.test.zone

{
  zone_head insecure.test
  cat <<ZONE
@ MX 10 mx.insecure.test.
mx A 192.0.2.35
mx AAAA 2001:db8::35
_25._tcp.mx TLSA 3 1 1 $ee
ZONE
} >insecure.test.zone

{
  zone_head bogus.test
  cat <<ZONE
@ MX 10 mx.bogus.test.
mx A 192.0.2.45
mx AAAA 2001:db8::45
_25._tcp.mx TLSA 3 1 1 $ee
ZONE
} >bogus.test.zone

# Valid from a day ago (clock skew) for 30 days.
inception=$(date -u -d '-1 day' +%Y%m%d%H%M%S)
expiration=$(date -u -d '+30 days' +%Y%m%d%H%M%S)
for zone in secure.test bogus.test; do
  # One key with the SEP flag (257) signs everything: enough for a test.
  key=$(ldns-keygen -a ECDSAP256SHA256 -k "$zone")
  ldns-signzone -i "$inception" -e "$expiration" -f "$zone.signed" "$zone.zone" "$key"
  # unbound reads the DNSKEY of the key as the zone's trust anchor.
  cp "$key.key" "$zone.anchor"
done
# Break bogus.test: change the data of signed records. Their RRSIGs stay,
# and no longer match.
sed -i -e 's/192\.0\.2\.45/192.0.2.46/' -e 's/\tMX\t10 /\tMX\t20 /' \
    -e "s/\tTLSA\t3 1 1 $ee/\tTLSA\t3 1 1 ${ee%3}4/" bogus.test.signed
cp insecure.test.zone insecure.test.signed

cat >nsd.conf <<CONF
server:
  ip-address: 127.0.0.1@$nsd_port
  port: $nsd_port
  username: ""
  chroot: ""
  zonesdir: "$dir"
  database: ""
  zonelistfile: "$dir/zone.list"
  xfrdfile: "$dir/xfrd.state"
  xfrdir: "$dir"
  pidfile: "$dir/nsd.pid"
  logfile: "$dir/nsd.log"
  server-count: 1
  verbosity: 1
remote-control:
  control-enable: no
CONF
for zone in secure.test insecure.test bogus.test; do
  printf 'zone:\n  name: %s\n  zonefile: "%s/%s.signed"\n' "$zone" "$dir" "$zone" >>nsd.conf
done

cat >unbound.conf <<CONF
server:
  interface: 127.0.0.1@$unbound_port
  port: $unbound_port
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: "$dir/unbound.pid"
  use-syslog: no
  logfile: "$dir/unbound.log"
  verbosity: 1
  val-log-level: 2
  num-threads: 1
  so-reuseport: no
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  # Our name server is on loopback, which unbound refuses to ask otherwise.
  do-not-query-localhost: no
  # Extended DNS Errors (RFC 8914) on SERVFAIL: says "DNSSEC Bogus".
  ede: yes
  trust-anchor-file: "$dir/secure.test.anchor"
  trust-anchor-file: "$dir/bogus.test.anchor"
  # No network: everything outside the test zones is refused, so the root
  # hints are never used.
  local-zone: "." refuse
  local-zone: "test." transparent
CONF
for zone in secure.test insecure.test bogus.test; do
  printf 'stub-zone:\n  name: "%s"\n  stub-addr: 127.0.0.1@%s\n' "$zone" "$nsd_port" >>unbound.conf
done
