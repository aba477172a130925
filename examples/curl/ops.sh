#!/usr/bin/env bash
# Liveness, readiness, metrics and the OpenAPI document (no key needed).
source "$(dirname "$0")/_common.sh"
curl -sS --fail-with-body --max-time 10 "$URL/healthz"; echo
curl -sS --fail-with-body --max-time 10 "$URL/readyz"; echo
metrics="$(curl -sS --fail-with-body --max-time 10 "$URL/metrics")"
grep -m 3 '^negotiator_http_requests_total' <<<"$metrics" || true
spec="$(curl -sS --fail-with-body --max-time 10 "$URL/openapi.yaml")"
head -n 1 <<<"$spec"
