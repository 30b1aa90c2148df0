#!/usr/bin/env bash
# Runs Spine Outcomes on the embedded default: a real Kafka broker (KRaft) and a real schema
# registry (Apicurio, Confluent API) on 127.0.0.1, no Docker. Needs Java 17+ and Maven 3.8+.
# Builds what is needed (quietly; the first build downloads dependencies), then starts the local
# stack, prints its addresses and waits for Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v java > /dev/null || ! command -v mvn > /dev/null; then
  echo "demo.sh needs java (17+) and mvn on the PATH" >&2
  exit 1
fi

echo "Building (first run downloads dependencies, about 1-3 minutes)..." >&2
# package, not install: the reactor wires the modules together from their target folders, so
# nothing is written to ~/.m2 except downloaded dependencies.
mvn -B -q -Dstyle.color=never package -DskipTests -pl local-stack -am

CLASSPATH="local-stack/target/classes:$(cat local-stack/target/classpath.txt)"
# exec: Ctrl-C reaches the JVM directly, whose shutdown hook stops the stack and removes its temp folder.
exec java -Xmx1g -Dorg.apache.avro.SERIALIZABLE_PACKAGES=org.spineoutcomes \
  -cp "$CLASSPATH" org.spineoutcomes.localstack.LocalStackMain "$@"
