#!/usr/bin/env bash
# test-failover-stall over TLS: a black-holed and a killed primary, where the
# acknowledged ciphertext is mapped back to whole frames (lib/core/ack-map.c).
TL_TRANSPORT=tls exec bash "$(dirname "$0")/test-failover-stall.sh" "$@"
