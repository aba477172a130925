#!/usr/bin/env bash
# POST /v1/proposals: what-if for a borrower's proposal. Usage: proposal.sh [request.json]
source "$(dirname "$0")/_common.sh"
"${CURL[@]}" -X POST "$URL/v1/proposals" -H "Content-Type: application/json" \
  --data-binary @"${1:-$REQUESTS/proposal_payment.json}"
echo
