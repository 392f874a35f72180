#!/bin/sh
# Start the compose broker with authentication: the base config plus the secrets volume's
# security settings, SCRAM users written when the storage is first formatted.
set -eu
set -f  # the SCRAM arguments hold brackets: no globbing
secrets=/run/pana/kafka
config=/tmp/server.properties
umask 077  # the config holds the broker's password
cat /etc/pana/kafka-server.properties "$secrets/broker.properties" > "$config"
# shellcheck disable=SC2046  # one argument per line, none with spaces
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --standalone \
  --cluster-id "$KAFKA_CLUSTER_ID" -c "$config" $(cat "$secrets/scram-arguments")
exec /opt/kafka/bin/kafka-server-start.sh "$config"
