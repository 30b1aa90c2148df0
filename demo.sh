#!/usr/bin/env bash
# Runs Spine Outcomes on the embedded default: a real Kafka broker (KRaft) and a real schema
# registry (Apicurio, Confluent API) on 127.0.0.1, no Docker; the streams app; and a simulated
# cohort published through the producer library in compressed time (progress line, app address printed
# at once). Prints the computed arm comparison, then keeps
# running until Ctrl-C. Needs Java 17+ and Maven 3.8+. Options: --patients N, --seed S, --minutes M,
# --http-port P, --exit, --bootstrap-servers/--schema-registry-url (external cluster).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v java > /dev/null || ! command -v mvn > /dev/null; then
  echo "demo.sh needs java (17+) and mvn on the PATH" >&2
  exit 1
fi

echo "Building (first run downloads dependencies, a few minutes)..." >&2
# package, not install: the reactor wires the modules together from their target folders.
mvn -B -q -Dstyle.color=never package -DskipTests -pl demo -am

CLASSPATH="demo/target/classes:$(cat demo/target/classpath.txt)"
# exec: Ctrl-C reaches the JVM directly, whose shutdown hook stops the app and the stack and removes the temp folder.
exec java -Xmx2g -Dorg.apache.avro.SERIALIZABLE_PACKAGES=org.spineoutcomes \
  -cp "$CLASSPATH" org.spineoutcomes.demo.DemoMain "$@"
