#!/bin/sh
# Validates a connector configuration on a Kafka Connect worker, then creates the connector (or
# updates it: PUT /connectors/<name>/config is idempotent) and waits until it and its task run.
#
#   CONNECT_URL=http://localhost:8083 config/connect/create-connector.sh config/connect/eventstore-source.json
#
# Needs only sh and curl (docker-compose.yml's connect-setup service runs it). Exit 0 when RUNNING;
# 1 when the worker cannot be reached, the configuration is invalid (the errors are printed, by key)
# or the connector fails.
set -eu

file="${1:?usage: create-connector.sh CONNECTOR.json}"
url="${CONNECT_URL:-http://localhost:8083}"
url="${url%/}"

# The string value of a top-level key (the files hold one flat object of strings).
value() {
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" "$file" | head -n 1 | sed 's/.*:[[:space:]]*"\([^"]*\)"$/\1/'
}
name="$(value name)"
class="$(value connector.class)"
[ -n "$name" ] && [ -n "$class" ] || { echo "$file needs \"name\" and \"connector.class\"" >&2; exit 1; }
plugin="${class##*.}"

tries=0
until curl -fsS -o /dev/null "$url/connector-plugins"; do
  tries=$((tries + 1))
  [ "$tries" -lt 90 ] || { echo "no Kafka Connect REST API at $url" >&2; exit 1; }
  sleep 2
done

echo "validating $file ($plugin) on $url"
validation="$(curl -fsS -X PUT -H 'Content-Type: application/json' --data @"$file" \
  "$url/connector-plugins/$plugin/config/validate")"
case "$validation" in
  *'"error_count":0,'*) ;;
  *)
    echo "$file is not valid:" >&2
    echo "$validation" | tr '{' '\n' | grep '"errors":\["' | sed 's/,"recommended_values".*"errors":/ errors: /' >&2
    exit 1
    ;;
esac

echo "creating or updating connector $name"
curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' --data @"$file" "$url/connectors/$name/config"

tries=0
while :; do
  status="$(curl -fsS "$url/connectors/$name/status" || true)"
  case "$status" in
    *'"state":"FAILED"'*) echo "connector $name failed: $status" >&2; exit 1 ;;
    *'"connector":{"state":"RUNNING"'*'"tasks":[{'*'"state":"RUNNING"'*) echo "connector $name is RUNNING"; exit 0 ;;
  esac
  tries=$((tries + 1))
  [ "$tries" -lt 120 ] || { echo "connector $name not RUNNING after 2 minutes: $status" >&2; exit 1; }
  sleep 1
done
