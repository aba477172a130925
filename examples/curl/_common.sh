# Sourced by the other scripts: where the service is and which key to use.
#   NEGOTIATOR_URL  base URL (default http://127.0.0.1:8080, what scripts/run serves)
#   NEGOTIATOR_KEY  API key (default the development agent key of `negotiator serve` without keys)
set -euo pipefail
URL="${NEGOTIATOR_URL:-http://127.0.0.1:8080}"
KEY="${NEGOTIATOR_KEY:-dev-agent-key}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REQUESTS="$HERE/../requests"
# --fail-with-body: a non-2xx answer exits non-zero and still prints the problem+json body.
CURL=(curl -sS --fail-with-body --max-time 10 -H "X-API-Key: $KEY" -H "X-Request-ID: curl-example-$$")
