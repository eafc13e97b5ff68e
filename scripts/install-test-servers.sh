#!/usr/bin/env bash
# Installs the real FTP servers and the PostgreSQL the integration tests start (run as
# root; idempotent).
# vsftpd comes from apt; ProFTPD and pure-ftpd conflict with it as Debian packages
# (all provide ftp-server), so they are unpacked into $PASV_TEST_SERVERS_DIR instead.
set -euo pipefail

dest="${PASV_TEST_SERVERS_DIR:-/opt/pasv-test-servers}"
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-servers.sh must run as root" >&2
  exit 1
fi

# A fresh machine has no package lists yet.
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
  apt-get update
fi

# Installs only what is missing, so nothing already there is upgraded or re-marked.
install_missing() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
}

# passwd: useradd/chpasswd for the test account; util-linux: flock and runuser.
# postgresql: the server binaries (Debian 12: postgresql-15) and the unprivileged
# postgres user that the tests run their own clusters as.
install_missing vsftpd lftp openssl chromium passwd util-linux postgresql

# Installing vsftpd may start the system's own instance on port 21, and postgresql a
# system cluster on 5432. Both are left alone: the tests start their own instances on
# their own addresses and ports.

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download runs as the _apt user when it can write here.
chmod 0777 "$work"

# The runtime libraries a .deb links against: its lib* dependencies, first alternative.
lib_depends() {
  dpkg-deb -f "$1" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' | grep '^lib' || true
}

# unpack NAME CHECK-FILE PACKAGE...
unpack() {
  local name="$1" check="$2"
  shift 2
  # The libraries are remembered beside the unpacked tree, so that a machine that has
  # the tree but lost a library gets it back on the next run.
  if [ -e "$dest/$name/$check" ] && [ -f "$dest/$name/.pasv-libs" ]; then
    mapfile -t libs < "$dest/$name/.pasv-libs"
    if [ "${#libs[@]}" -gt 0 ]; then
      install_missing "${libs[@]}"
    fi
    echo "$name: already in $dest/$name"
    return
  fi
  (cd "$work" && apt-get download "$@")
  local libs=()
  for deb in "$work"/*.deb; do
    mapfile -t -O "${#libs[@]}" libs < <(lib_depends "$deb")
  done
  if [ "${#libs[@]}" -gt 0 ]; then
    install_missing "${libs[@]}"
  fi
  rm -rf "$dest/$name.partial"
  mkdir -p "$dest/$name.partial"
  for deb in "$work"/*.deb; do
    dpkg-deb -x "$deb" "$dest/$name.partial"
  done
  printf '%s\n' "${libs[@]}" | sort -u > "$dest/$name.partial/.pasv-libs"
  rm -f "$work"/*.deb
  rm -rf "$dest/$name"
  mv "$dest/$name.partial" "$dest/$name"
  echo "$name: unpacked into $dest/$name"
}

# proftpd-basic is only a metapackage: the daemon is in proftpd-core, mod_tls in proftpd-mod-crypto.
unpack proftpd usr/lib/proftpd/mod_tls.so proftpd-core proftpd-mod-crypto
unpack pure-ftpd usr/sbin/pure-ftpd pure-ftpd

# Fail here, not in a test, when a library is still missing.
for binary in "$dest/proftpd/usr/sbin/proftpd" "$dest/proftpd/usr/lib/proftpd/mod_tls.so" \
  "$dest/pure-ftpd/usr/sbin/pure-ftpd" "$dest/pure-ftpd/usr/bin/pure-pw"; do
  if ldd "$binary" | grep -q 'not found'; then
    echo "missing libraries for $binary:" >&2
    ldd "$binary" | grep 'not found' >&2
    exit 1
  fi
done
pg_bin="$(find /usr/lib/postgresql -path '*/bin/postgres' 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$pg_bin" ] || ! id -u postgres >/dev/null 2>&1; then
  echo "postgresql is installed but its server binaries or the postgres user are missing" >&2
  exit 1
fi
echo "test servers ready: vsftpd $(command -v vsftpd || echo /usr/sbin/vsftpd), $dest/proftpd, $dest/pure-ftpd, $pg_bin"
