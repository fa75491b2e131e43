#!/usr/bin/env bash
# Mints an HS256 token signed with JWT_SECRET (from the environment or .env), for trying the API by hand:
#   ./scripts/token.sh SUBJECT "SCOPES" [LIFETIME_SECONDS]
#   curl -H "Authorization: Bearer $(./scripts/token.sh me 'publish topology:write')" ...
# Adds iss and aud when JWT_ISSUER and JWT_AUDIENCE are set. For development: the secret is passed to
# openssl on its command line, where other users of the machine could see it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
source scripts/lib.sh
load_dotenv

(( $# >= 2 && $# <= 3 )) || die "usage: scripts/token.sh SUBJECT \"SCOPES\" [LIFETIME_SECONDS]"
subject="$1" scopes="$2" lifetime="${3:-3600}"
[[ -n "${JWT_SECRET:-}" ]] || die "JWT_SECRET is not set (in the environment or .env)"
[[ "$lifetime" =~ ^[0-9]+$ ]] || die "LIFETIME_SECONDS must be a number of seconds, got '$lifetime'"
for value in "$subject" "$scopes" "${JWT_ISSUER:-}" "${JWT_AUDIENCE:-}"; do
    [[ "$value" != *[\"\\]* ]] || die "quotes and backslashes are not supported in claims"
done

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

now="$(date +%s)"
claims="{\"sub\":\"$subject\",\"scope\":\"$scopes\",\"iat\":$now,\"exp\":$((now + lifetime))"
[[ -z "${JWT_ISSUER:-}" ]] || claims+=",\"iss\":\"$JWT_ISSUER\""
[[ -z "${JWT_AUDIENCE:-}" ]] || claims+=",\"aud\":\"$JWT_AUDIENCE\""
claims+="}"

signing_input="$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | b64url).$(printf '%s' "$claims" | b64url)"
signature="$(printf '%s' "$signing_input" | openssl dgst -sha256 -hmac "$JWT_SECRET" -binary | b64url)"
printf '%s.%s\n' "$signing_input" "$signature"
