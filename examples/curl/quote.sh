#!/usr/bin/env bash
# POST /v1/quotes: every option for one account. Usage: quote.sh [request.json]
source "$(dirname "$0")/_common.sh"
"${CURL[@]}" -X POST "$URL/v1/quotes" -H "Content-Type: application/json" \
  --data-binary @"${1:-$REQUESTS/card_cny.json}"
echo
