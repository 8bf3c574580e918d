#!/bin/sh
# The resource behind Apache's checks: it only says who got through, and how.
cat > /dev/null
status='200 OK'
[ "$REQUEST_METHOD" = POST ] && status='201 Created'
printf 'Status: %s\r\nContent-Type: application/json\r\n\r\n' "$status"
printf '{"method":"%s","path":"%s","user":"%s"}\n' "$REQUEST_METHOD" "${PATH_INFO:-$REQUEST_URI}" "${REMOTE_USER:-}"
