#!/bin/sh
# Compiles the RabbitMQ Java client tests and runs one of them.
#   run.sh --compile CLASSES_DIR   compile every *.java here into CLASSES_DIR
#   run.sh CLASSES_DIR TestClass   run TestClass (compiling first when CLASSES_DIR is stale)
# ctest compiles once (the amqp_java_compile fixture, javac is slow) and then runs the tests in
# parallel. Uses Debian's librabbitmq-client-java (/usr/share/java/amqp-client.jar) and slf4j
# (libslf4j-java); RABBITMQ_JAVA_CLASSPATH overrides the jar list. Missing tools or jars fail
# with a message saying what to install (scripts/install-deps --test installs them).
set -eu
compile_only=false
if [ "${1:-}" = "--compile" ]; then
    compile_only=true
    shift
    [ $# -eq 1 ] || { echo "usage: run.sh --compile CLASSES_DIR" >&2; exit 2; }
else
    [ $# -eq 2 ] || { echo "usage: run.sh CLASSES_DIR TestClass | run.sh --compile CLASSES_DIR" >&2; exit 2; }
fi
here=$(cd "$(dirname "$0")" && pwd)
out="$1"
class="${2:-}"
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

compile() {
    mkdir -p "$out"
    javac -nowarn -encoding UTF-8 -cp "$cp" -d "$out" "$here"/*.java
    touch "$out/.compiled"
}
if $compile_only; then
    compile
    exit 0
fi
if [ ! -f "$here/$class.java" ]; then
    echo "java tests: no $here/$class.java" >&2
    exit 2
fi
if [ ! -f "$out/.compiled" ] || [ ! -f "$out/$class.class" ] || [ -n "$(find "$here" -name '*.java' -newer "$out/.compiled")" ]; then
    compile
fi
exec java -cp "$out:$cp" "$class"
