#!/bin/sh
# Refuse to start with a trust file that is missing, wrong, or about to expire.
set -e
rootcert verify --min-days 30 /etc/ssl/app/DigiCertGlobalRootG2.crt.pem
exec "$@"
