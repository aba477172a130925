#!/usr/bin/env bash
# GET /v1/policies, or GET /v1/policies/{name} with a name. Usage: policies.sh [name]
source "$(dirname "$0")/_common.sh"
"${CURL[@]}" "$URL/v1/policies${1:+/$1}"
echo
