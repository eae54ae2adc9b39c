#!/usr/bin/env bash
# Gives the test suites a Docker-compatible container engine on the project's CI machines
# (Debian 12, root, no systemd, no container registry reachable, apt reaching the configured
# Debian mirror): rootful podman with runc, its Docker API on a unix socket, and the database
# images the suites start, built locally from Debian packages. Nothing is pulled.
#
# Usage:
#   eval "$(ci/containers.sh up)"   # or just `ci/containers.sh`; prints the exports below
#   ci/containers.sh status         # does the engine answer, which of our images exist
#   ci/containers.sh down           # stop what `up` started, restore what it changed
#
# `up` prints exactly these lines on stdout (progress goes to stderr):
#   export DOCKER_HOST=unix:///run/nextauth-podman/podman.sock
#   export NEXTAUTH_TEST_POSTGRES_IMAGE=localhost/nextauth-postgres:15
#   export NEXTAUTH_TEST_MYSQL_IMAGE=localhost/nextauth-mariadb:10.11
#
# What `up` does, each step skipped when already done (a warm `up` takes a few seconds):
#   1. records the host state podman changes behind our back: net.ipv4.ip_forward and
#      net.ipv6.conf.all.forwarding (netavark sets them to 1 when a container gets a port),
#      and whether netavark's iptables chains exist (it leaves them behind, empty);
#   2. installs podman, runc, netavark, iptables and debootstrap with apt when missing;
#   3. installs two drop-in files, rendered from ci/containers/etc/:
#        /etc/containers/containers.conf.d/50-nextauth-ci.conf   (runc, cgroupfs, file events,
#            k8s-file logs, netavark, ulimits within this machine's hard limits)
#        /etc/containers/registries.conf.d/50-nextauth-ci-offline.conf  (public registries
#            blocked, so a pull fails at once)
#      and records which files and directories it created;
#   4. builds, once, localhost/nextauth-debian:bookworm (debootstrap --variant=minbase from the
#      host's Debian mirror, imported with `podman import`), then
#      localhost/nextauth-postgres:15 and localhost/nextauth-mariadb:10.11 from
#      ci/containers/images/{postgres,mariadb}/ (rebuilt only when their build context or the
#      base image changes; NEXTAUTH_CONTAINERS_REBUILD=1 forces it);
#   5. starts `podman system service --time=0 unix:///run/nextauth-podman/podman.sock` in the
#      background (PID in /run/nextauth-podman/service.pid), or reuses the one answering.
#
# `down` removes the containers created from our two images, stops the API service it
# started (by its recorded PID, nothing else), restores the recorded sysctls, removes
# netavark's iptables chains if none existed before `up` and no container is left, and
# removes the drop-in files and directories `up` created (unless edited since). It keeps the
# images, so the next `up` is fast, and the packages (listed in /var/lib/nextauth-podman/).
#
# Notes for test code:
#   - Publish container ports on 127.0.0.1 and connect to 127.0.0.1: podman 4.3 reports an
#     empty HostIp for publish-all bindings (testcontainers then finds no port), and this
#     machine has a /.dockerenv, so testcontainers' get_host() answers podman's bridge
#     gateway instead of localhost.
#   - The host's own PostgreSQL (5432) and MariaDB (3306) are not touched.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ASSETS=$ROOT/ci/containers

RUN_DIR=/run/nextauth-podman            # runtime state: socket, PID, recorded host state
SOCK=$RUN_DIR/podman.sock
PID_FILE=$RUN_DIR/service.pid
SERVICE_LOG=$RUN_DIR/service.log
HOST_RECORD=$RUN_DIR/host.before      # host state before podman touched it
STATE_DIR=/var/lib/nextauth-podman      # lasting state: files we created, packages, build logs
CREATED_RECORD=$STATE_DIR/created
PACKAGES_RECORD=$STATE_DIR/packages-installed

BASE_IMAGE=localhost/nextauth-debian:bookworm
PG_IMAGE=localhost/nextauth-postgres:15
MYSQL_IMAGE=localhost/nextauth-mariadb:10.11
SUITE=bookworm
LABEL=org.nextauth.ci                   # label prefix on our images
PACKAGES=(podman runc netavark iptables debootstrap)
SYSCTLS=(net.ipv4.ip_forward net.ipv6.conf.all.forwarding)

# ---------------------------------------------------------------------------------------
# logging

T0=${EPOCHREALTIME/./}
log() {
  local us=$(( ${EPOCHREALTIME/./} - T0 ))
  printf '%(%H:%M:%S)T ci/containers [%3d.%01ds] %s\n' -1 $((us / 1000000)) $((us / 100000 % 10)) "$*" >&2
}
die() { log "error: $*"; exit 1; }

# run_logged LOGFILE CMD...: runs CMD with its output in LOGFILE; on failure shows the tail.
run_logged() {
  local logfile=$1; shift
  if ! "$@" >"$logfile" 2>&1; then
    log "failed: $* (last lines of $logfile follow)"
    tail -n 40 "$logfile" >&2
    return 1
  fi
}

seconds_since() { # start (from ${EPOCHREALTIME/./}) -> "12.3s"
  local us=$(( ${EPOCHREALTIME/./} - $1 ))
  printf '%d.%01ds' $((us / 1000000)) $((us / 100000 % 10))
}

# ---------------------------------------------------------------------------------------
# helpers

have_podman() { command -v podman >/dev/null 2>&1; }

ping_api() { curl -fsS --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

# The PID recorded by `up`, if that process is still the API service we started.
our_service_pid() {
  local pid
  [ -s "$PID_FILE" ] || return 1
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  local cmd
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  [[ $cmd == *podman*" system service "*"unix://$SOCK"* ]] || return 1
  echo "$pid"
}

lock() { # serialise concurrent runs of this script
  mkdir -p "$RUN_DIR"
  exec 9>"$RUN_DIR/lock"
  flock -w 900 9 || die "another ci/containers.sh is still running (lock $RUN_DIR/lock)"
}

boot_id() { cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown; }
sysctl_path() { echo "/proc/sys/${1//.//}"; }

# ---------------------------------------------------------------------------------------
# up, step 1: host state podman/netavark change as a side effect
#
# netavark sets net.ipv4.ip_forward=1 when it connects a container, and leaves its iptables
# chains (NETAVARK-*, NETAVARK_FORWARD) and the jumps to them behind, empty, when the last
# container goes. The record is written once per up/down cycle (and per boot), before
# podman runs.

netavark_iptables_present() {
  local t
  command -v iptables >/dev/null 2>&1 || return 1
  for t in nat filter; do
    iptables -t "$t" -S 2>/dev/null | grep -q -- '-N NETAVARK' && return 0
  done
  return 1
}

record_host_state() {
  if [ -f "$HOST_RECORD" ] && grep -qx "boot_id=$(boot_id)" "$HOST_RECORD"; then
    return # recorded by an earlier `up` of this boot: keep the state from before podman ran
  fi
  {
    echo "boot_id=$(boot_id)"
    local name path
    for name in "${SYSCTLS[@]}"; do
      path=$(sysctl_path "$name")
      [ -r "$path" ] && echo "sysctl $name=$(<"$path")"
    done
    if netavark_iptables_present; then echo "netavark-iptables=present"; else echo "netavark-iptables=absent"; fi
  } >"$HOST_RECORD.tmp"
  mv "$HOST_RECORD.tmp" "$HOST_RECORD"
  log "recorded host state before podman: $(grep -v '^boot_id=' "$HOST_RECORD" | sed 's/^sysctl //' | tr '\n' ' ')"
}

# Removes netavark's chains and the jumps to them (IPv4 and IPv6), when no container is left.
remove_netavark_iptables() {
  local tool t rule chain
  for tool in iptables ip6tables; do
    command -v "$tool" >/dev/null 2>&1 || continue
    for t in nat filter; do
      # jumps from the built-in chains first, then the (now unreferenced) chains themselves
      while IFS= read -r rule; do
        eval "$tool -t $t ${rule/#-A /-D }" || true
      done < <("$tool" -t "$t" -S 2>/dev/null | grep -E -- '^-A [A-Z]+ .*-j NETAVARK' | grep -Ev -- '^-A NETAVARK')
      for chain in $("$tool" -t "$t" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^NETAVARK/ { print $2 }'); do
        "$tool" -t "$t" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$tool" -t "$t" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^NETAVARK/ { print $2 }'); do
        "$tool" -t "$t" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

restore_host_state() {
  [ -f "$HOST_RECORD" ] || { log "no recorded host state to restore"; return; }
  if ! grep -qx "boot_id=$(boot_id)" "$HOST_RECORD"; then
    log "the recorded host state is from an earlier boot; not applying it"
    rm -f "$HOST_RECORD"
    return
  fi
  local line name value path now
  while IFS= read -r line; do
    case "$line" in
      "sysctl "*)
        line=${line#sysctl }; name=${line%%=*}; value=${line#*=}
        path=$(sysctl_path "$name")
        [ -w "$path" ] || continue
        now=$(<"$path")
        if [ "$now" != "$value" ]; then
          echo "$value" >"$path"
          log "restored $name: $now -> $value"
        else
          log "$name is $value, as before"
        fi ;;
      netavark-iptables=absent)
        if ! netavark_iptables_present; then :
        elif have_podman && [ -n "$(podman ps -aq 2>/dev/null)" ]; then
          log "keeping netavark's iptables chains: other containers still exist"
        else
          remove_netavark_iptables
          log "removed the iptables chains netavark left (none existed before up)"
        fi ;;
    esac
  done <"$HOST_RECORD"
  rm -f "$HOST_RECORD"
}

# ---------------------------------------------------------------------------------------
# up, step 2: packages

installed_packages() {
  dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 2>/dev/null | awk '$1 == "ii" { print $2 }' | sort
}

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  local t=${EPOCHREALTIME/./} before
  before=$(installed_packages)
  log "installing ${missing[*]} (apt)"
  mkdir -p "$STATE_DIR"
  run_logged "$STATE_DIR/apt.log" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  # Without recommends: no crun (it refuses this host's hybrid cgroups), no rootless or
  # checkpoint tooling; netavark and iptables are what rootful port publishing needs.
  run_logged "$STATE_DIR/apt.log" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
  comm -13 <(echo "$before") <(installed_packages) >>"$PACKAGES_RECORD"
  log "installed in $(seconds_since "$t"): $(podman --version), $(runc --version | head -n1)"
}

# ---------------------------------------------------------------------------------------
# up, step 3: engine configuration (drop-in files; recorded so `down` removes them)

MARKER='# nextauth-ci:'

render_containers_conf() {
  local nofile nproc
  nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
  if [ "$nofile" = unlimited ] || [ "$nofile" -gt 1048576 ]; then nofile=1048576; fi
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
  sed -e "s/@NOFILE@/$nofile/g" -e "s/@NPROC@/$nproc/g" "$ASSETS/etc/containers.conf.d/50-nextauth-ci.conf"
}

record_created() { # kind path
  mkdir -p "$STATE_DIR"
  grep -qxF "$1 $2" "$CREATED_RECORD" 2>/dev/null || echo "$1 $2" >>"$CREATED_RECORD"
}

# install_managed CONTENT DEST: writes DEST when its content differs (CONFIG_CHANGED=1).
CONFIG_CHANGED=0
install_managed() {
  local content=$1 dest=$2 dir
  if [ -e "$dest" ]; then
    if [ "$(<"$dest")" = "$content" ]; then
      return 0
    fi
    if ! head -n1 "$dest" | grep -qF "$MARKER"; then
      die "$dest exists and was not written by this script; not overwriting it"
    fi
    log "updating $dest"
  else
    dir=$(dirname "$dest")
    if [ ! -d "$dir" ]; then
      mkdir -p "$dir"
      record_created dir "$dir"
    fi
    record_created file "$dest"
    log "writing $dest"
  fi
  printf '%s\n' "$content" >"$dest.nextauth-tmp"
  chmod 644 "$dest.nextauth-tmp"
  mv "$dest.nextauth-tmp" "$dest"
  CONFIG_CHANGED=1
}

ensure_config() {
  local conf
  mkdir -p "$STATE_DIR"
  conf=$(render_containers_conf)
  install_managed "$conf" /etc/containers/containers.conf.d/50-nextauth-ci.conf
  conf=$(<"$ASSETS/etc/registries.conf.d/50-nextauth-ci-offline.conf")
  install_managed "$conf" /etc/containers/registries.conf.d/50-nextauth-ci-offline.conf
  if [ "$CONFIG_CHANGED" = 1 ]; then
    local info
    info=$(podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}} {{.Host.EventLogger}} {{.Host.NetworkBackend}} {{.Store.GraphDriverName}}' 2>"$STATE_DIR/podman-info.log") ||
      die "podman info failed: $(cat "$STATE_DIR/podman-info.log")"
    log "engine: runtime, cgroups, events, network, storage = $info"
    [[ $info == "runc cgroupfs file netavark "* ]] ||
      die "podman does not use the settings of /etc/containers/containers.conf.d/50-nextauth-ci.conf"
  fi
}

remove_created() {
  [ -f "$CREATED_RECORD" ] || return 0
  local kind path keep=()
  # newest first, so files go before the directories they were created in
  while read -r kind path; do
    case "$kind" in
      file)
        if [ ! -e "$path" ]; then :
        elif head -n1 "$path" | grep -qF "$MARKER"; then rm -f "$path"; log "removed $path"
        else log "keeping $path (no longer ours)"
        fi ;;
      dir)
        if [ -d "$path" ] && rmdir "$path" 2>/dev/null; then log "removed directory $path"
        elif [ -d "$path" ]; then log "keeping $path (not empty)"; keep+=("dir $path")
        fi ;;
    esac
  done < <(tac "$CREATED_RECORD")
  if [ ${#keep[@]} -gt 0 ]; then printf '%s\n' "${keep[@]}" >"$CREATED_RECORD"; else rm -f "$CREATED_RECORD"; fi
}

# ---------------------------------------------------------------------------------------
# up, step 4: images

image_label() { # image label -> value ("" when absent)
  podman image inspect --format "{{index .Labels \"$2\"}}" "$1" 2>/dev/null | sed 's/^<no value>$//'
}

debian_mirror() {
  local uri
  uri=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && !/security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || uri=http://deb.debian.org/debian
  echo "$uri"
}

# Host name -> address pins for the builds, so apt inside them resolves the mirror as the
# host does (the mirror may only be known through the host's /etc/hosts).
mirror_host_pins() {
  local uri host addr
  for uri in $(debian_mirror) $(awk '$1 == "URIs:" { print $2 }' /etc/apt/sources.list.d/debian.sources 2>/dev/null); do
    host=${uri#*://}; host=${host%%/*}; host=${host%%:*}
    addr=$(getent ahostsv4 "$host" 2>/dev/null | awk 'NR == 1 { print $1 }')
    [ -n "$addr" ] && echo "--add-host=$host:$addr"
  done | sort -u
}

build_base_image() {
  local mirror work t=${EPOCHREALTIME/./}
  mirror=$(debian_mirror)
  work=$(mktemp -d /var/tmp/nextauth-rootfs.XXXXXX)
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  log "debootstrap --variant=minbase $SUITE from $mirror (log: $STATE_DIR/debootstrap.log)"
  run_logged "$STATE_DIR/debootstrap.log" debootstrap --variant=minbase "$SUITE" "$work/rootfs" "$mirror"
  log "debootstrap took $(seconds_since "$t")"
  local rootfs=$work/rootfs
  # apt inside the image talks to the mirror the way the host does: same sources, same
  # Acquire settings (a snapshot mirror needs Check-Valid-Until false) ...
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/debian.sources"
    rm -f "$rootfs/etc/apt/sources.list"
  fi
  apt-config dump | grep -E '^Acquire::(Check-Valid-Until|Check-Date|https?::Proxy) ' \
    >"$rootfs/etc/apt/apt.conf.d/50nextauth-host" || rm -f "$rootfs/etc/apt/apt.conf.d/50nextauth-host"
  # ... services never start during package installs, and documentation is not unpacked.
  printf '#!/bin/sh\n# no service starts inside image builds\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 755 "$rootfs/usr/sbin/policy-rc.d"
  printf '%s\n' 'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright' \
    'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/info/*' \
    'path-exclude=/usr/share/locale/*' 'path-include=/usr/share/locale/locale.alias' \
    >"$rootfs/etc/dpkg/dpkg.cfg.d/50nextauth-slim"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs/etc/hostname" "$rootfs/etc/resolv.conf"
  t=${EPOCHREALTIME/./}
  tar -C "$rootfs" --numeric-owner -cf - . |
    podman import --quiet \
      --change 'CMD ["/bin/bash"]' \
      --change "LABEL $LABEL.managed=ci/containers.sh" \
      --change "LABEL $LABEL.mirror=$mirror" \
      --message "debootstrap --variant=minbase $SUITE $mirror" \
      - "$BASE_IMAGE" >/dev/null
  rm -rf "$work"
  trap - EXIT
  log "imported $BASE_IMAGE in $(seconds_since "$t")"
}

context_hash() { # build context dir + base image ID -> hash
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum; echo "base $2") | sha256sum | cut -c1-16
}

build_service_image() { # name image
  local name=$1 image=$2 ctx=$ASSETS/images/$1 base_id hash old_id t=${EPOCHREALTIME/./}
  base_id=$(podman image inspect --format '{{.Id}}' "$BASE_IMAGE")
  hash=$(context_hash "$ctx" "$base_id")
  if [ "${NEXTAUTH_CONTAINERS_REBUILD:-0}" != 1 ] && [ "$(image_label "$image" "$LABEL.context")" = "$hash" ]; then
    return
  fi
  old_id=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  log "building $image from ci/containers/images/$name (log: $STATE_DIR/build-$name.log)"
  # --network=host: apt in the build uses the host's network (and, pinned, its name of the
  # mirror); --pull=never: FROM is our local base image, never a registry.
  # shellcheck disable=SC2046
  run_logged "$STATE_DIR/build-$name.log" podman build --pull=never --network=host \
    $(mirror_host_pins) \
    --label "$LABEL.managed=ci/containers.sh" --label "$LABEL.context=$hash" \
    -t "$image" "$ctx"
  log "built $image in $(seconds_since "$t") ($(podman image inspect --format '{{.Size}}' "$image" | awk '{ printf "%d MB", $1 / 1000000 }'))"
  # The image it replaces, when nothing uses it any more.
  if [ -n "$old_id" ] && [ "$old_id" != "$(podman image inspect --format '{{.Id}}' "$image")" ]; then
    if podman rmi "$old_id" >/dev/null 2>&1; then log "removed the previous $image ($old_id)"; fi
  fi
}

# Our images left untagged by a rebuild (kept while a container still used them).
prune_dangling_images() {
  local ids
  ids=$(podman images -q --filter dangling=true --filter "label=$LABEL.managed=ci/containers.sh" 2>/dev/null | sort -u)
  [ -n "$ids" ] || return 0
  local id
  for id in $ids; do
    if podman rmi "$id" >/dev/null 2>&1; then log "removed the untagged previous build $id"; fi
  done
}

ensure_images() {
  mkdir -p "$STATE_DIR"
  if ! podman image exists "$BASE_IMAGE"; then
    build_base_image
  fi
  build_service_image postgres "$PG_IMAGE"
  build_service_image mariadb "$MYSQL_IMAGE"
  prune_dangling_images
}

# ---------------------------------------------------------------------------------------
# up, step 5: the Docker-compatible API service

stop_service() {
  local pid
  if ! pid=$(our_service_pid); then
    rm -f "$PID_FILE"
    return 1
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "API service (pid $pid) did not stop within 10 s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  ping_api || rm -f "$SOCK"
  log "stopped the API service (pid $pid)"
}

ensure_service() {
  local pid
  if ping_api; then
    if pid=$(our_service_pid); then
      if [ "$CONFIG_CHANGED" = 1 ]; then
        log "engine settings changed; restarting the API service (pid $pid)"
        stop_service
      else
        log "API service already answering on $SOCK (pid $pid)"
        return
      fi
    else
      log "an API service not started by this script answers on $SOCK; using it"
      return
    fi
  fi
  rm -f "$SOCK"
  # Own session, no terminal, and no descriptor of ours or of the caller (not the stdout
  # that `eval "$(...)"` or a CI runner waits on, nor the lock): the service outlives this
  # script. The subshell is not a process-group leader, so setsid does not fork and $! is the
  # service's PID.
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec setsid podman system service --time=0 "unix://$SOCK"
  ) </dev/null >>"$SERVICE_LOG" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"
  for _ in $(seq 100); do
    ping_api && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! ping_api; then
    tail -n 20 "$SERVICE_LOG" >&2 || true
    die "the API service did not answer on $SOCK (log: $SERVICE_LOG)"
  fi
  log "started the API service on $SOCK (pid $pid, log $SERVICE_LOG)"
}

# ---------------------------------------------------------------------------------------
# commands

require_root() {
  [ "$(id -u)" = 0 ] || die "must run as root (rootful podman; writes /etc/containers and /run)"
}

cmd_up() {
  require_root
  lock
  record_host_state
  ensure_packages
  ensure_config
  ensure_images
  ensure_service
  log "ready in $(seconds_since "$T0")"
  echo "export DOCKER_HOST=unix://$SOCK"
  echo "export NEXTAUTH_TEST_POSTGRES_IMAGE=$PG_IMAGE"
  echo "export NEXTAUTH_TEST_MYSQL_IMAGE=$MYSQL_IMAGE"
}

cmd_down() {
  require_root
  lock
  if have_podman; then
    # By name, and by the label every build of our two images carries (containers inherit
    # it), so containers of an earlier build, now untagged, are found too.
    local ids
    ids=$({
      podman ps -aq --filter "ancestor=$PG_IMAGE" 2>/dev/null || true
      podman ps -aq --filter "ancestor=$MYSQL_IMAGE" 2>/dev/null || true
      podman ps -aq --filter "label=$LABEL.context" 2>/dev/null || true
    } | sort -u)
    if [ -n "$ids" ]; then
      # shellcheck disable=SC2086
      podman rm -f -v -t 0 $ids >/dev/null
      log "removed $(wc -w <<<"$ids") container(s) of $PG_IMAGE / $MYSQL_IMAGE"
    fi
  fi
  have_podman && prune_dangling_images
  stop_service || log "no API service started by this script is running"
  restore_host_state
  remove_created
  log "down; images kept for the next up"
}

cmd_status() {
  local ok=1 pid
  if ping_api; then
    local version
    version=$(curl -fsS --max-time 2 --unix-socket "$SOCK" http://d/version 2>/dev/null |
      sed -n 's/.*"Version":"\([^"]*\)".*"ApiVersion":"\([^"]*\)".*/\1 (API \2)/p' | head -n1)
    if pid=$(our_service_pid); then
      echo "engine: answering on unix://$SOCK, podman $version, pid $pid (started by ci/containers.sh)"
    else
      echo "engine: answering on unix://$SOCK, podman $version (not started by ci/containers.sh)"
    fi
  else
    echo "engine: not answering on unix://$SOCK"
    ok=0
  fi
  if have_podman; then
    local image line
    for image in "$BASE_IMAGE" "$PG_IMAGE" "$MYSQL_IMAGE"; do
      if line=$(podman image inspect --format '{{.Id}} {{.Size}} {{.Created}}' "$image" 2>/dev/null); then
        echo "$line" | awk -v i="$image" '{ sub(/\..*/, "", $4); printf "image: %s present (id %.12s, %d MB, built %s %s)\n", i, $1, $2 / 1000000, $3, $4 }'
        if [ "$image" != "$BASE_IMAGE" ]; then
          local n
          n=$(podman ps -aq --filter "ancestor=$image" | wc -l)
          [ "$n" = 0 ] || echo "       $n container(s) of $image exist"
        fi
      else
        echo "image: $image missing"
        [ "$image" = "$BASE_IMAGE" ] || ok=0
      fi
    done
  else
    echo "podman: not installed"
    ok=0
  fi
  local f
  for f in /etc/containers/containers.conf.d/50-nextauth-ci.conf /etc/containers/registries.conf.d/50-nextauth-ci-offline.conf; do
    if [ -e "$f" ]; then echo "config: $f installed"; else echo "config: $f absent"; fi
  done
  if [ -f "$HOST_RECORD" ]; then
    echo "host: recorded before podman: $(grep -v '^boot_id=' "$HOST_RECORD" | sed 's/^sysctl //' | tr '\n' ' ')(now net.ipv4.ip_forward=$(<"$(sysctl_path net.ipv4.ip_forward)"))"
  fi
  [ "$ok" = 1 ]
}

case "${1:-up}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  -h|--help|help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) echo "usage: $0 [up|down|status]" >&2; exit 2 ;;
esac
