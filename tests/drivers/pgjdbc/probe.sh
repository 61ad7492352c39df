#!/bin/sh
# pgjdbc runner: probe.sh string JDBC_URL | probe.sh verify-full HOST PORT CAFILE
#   ROOTCERT_PGJDBC_CLASSES  directory holding Probe.class (javac -d DIR Probe.java)
#   ROOTCERT_PGJDBC_JAR      the driver (default /usr/share/java/postgresql.jar)
#   ROOTCERT_JAVA            the java launcher (default: java on PATH)
#   ROOTCERT_JAVA_OPTS       more JVM options, split on spaces (e.g. -Djavax.net.ssl.trustStore=F)
# pgjdbc reads its default root file from Java's user.home, which is set from HOME here.
classes=${ROOTCERT_PGJDBC_CLASSES:-}
jar=${ROOTCERT_PGJDBC_JAR:-/usr/share/java/postgresql.jar}
java=${ROOTCERT_JAVA:-java}
if [ ! -f "$classes/Probe.class" ] || [ ! -f "$jar" ] || ! command -v "$java" >/dev/null; then
  echo '{"client":"pgjdbc","version":"unknown","connected":false,"error":"java, Probe.class or the pgjdbc jar not found"}'
  exit 2
fi
# shellcheck disable=SC2086 # ROOTCERT_JAVA_OPTS is a list of options
exec "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -Duser.home="${HOME:?HOME must be set}" ${ROOTCERT_JAVA_OPTS:-} \
  -cp "$classes:$jar" Probe "$@"
