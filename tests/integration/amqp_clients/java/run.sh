#!/bin/sh
# Compiles one RabbitMQ Java client test (with Harness.java) and runs it.
#   run.sh CLASSES_DIR TestClass
# CLASSES_DIR gets a subdirectory per test class, so tests run in parallel do not race on
# class files. Uses Debian's librabbitmq-client-java (/usr/share/java/amqp-client.jar) and
# slf4j (libslf4j-java); RABBITMQ_JAVA_CLASSPATH overrides the jar list. Missing tools fail the
# test with a message (scripts/install-deps --test installs them).
set -eu
if [ $# -ne 2 ]; then
    echo "usage: run.sh CLASSES_DIR TestClass" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
out="$1/$2"
class="$2"
jars=/usr/share/java
cp="${RABBITMQ_JAVA_CLASSPATH:-$jars/amqp-client.jar:$jars/slf4j-api.jar:$jars/slf4j-nop.jar}"

for tool in javac java; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "java tests: $tool is not installed (apt-get install openjdk-17-jdk-headless; scripts/install-deps --test does it)" >&2
        exit 1
    fi
done
old_ifs=$IFS
IFS=:
for jar in $cp; do
    if [ ! -f "$jar" ]; then
        echo "java tests: $jar is missing (apt-get install librabbitmq-client-java libslf4j-java; scripts/install-deps --test does it)" >&2
        exit 1
    fi
done
IFS=$old_ifs
if [ ! -f "$here/$class.java" ]; then
    echo "java tests: no $here/$class.java" >&2
    exit 2
fi

mkdir -p "$out"
javac -nowarn -encoding UTF-8 -cp "$cp" -d "$out" "$here/Harness.java" "$here/$class.java"
exec java -cp "$out:$cp" "$class"
