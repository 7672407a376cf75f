# AMQP 0-9-1 interop tests with amqplib (npm, pinned by amqplib/package-lock.json) and the
# RabbitMQ Java client (Debian's librabbitmq-client-java, compiled with javac by java/run.sh),
# each run through with_warren.py against a fresh warren. Included from this directory's
# CMakeLists.txt. A missing node, amqplib (`npm ci` in amqplib/), JDK or jar fails the test with
# what to install (scripts/install-deps --test installs all of them); nothing passes silently.
set(warren_amqp_clients_dir ${CMAKE_CURRENT_LIST_DIR})
if(Python3_EXECUTABLE)
    set(warren_amqp_python ${Python3_EXECUTABLE})
else()
    set(warren_amqp_python python3)
endif()
set(warren_amqp_driver ${warren_amqp_python} ${warren_amqp_clients_dir}/with_warren.py $<TARGET_FILE:warren>)

# amqplib: one node script per test; tls runs with with_warren.py --tls.
find_program(WARREN_AMQP_NODE_EXECUTABLE NAMES node nodejs)
set(warren_amqplib_tests work_queue pubsub_routing confirms_returns errors http_interop rpc tls)
foreach(test IN LISTS warren_amqplib_tests)
    set(tls_flag "")
    if(test STREQUAL "tls")
        set(tls_flag "--tls")
    endif()
    if(WARREN_AMQP_NODE_EXECUTABLE)
        add_test(NAME amqp_amqplib_${test}
                 COMMAND ${warren_amqp_driver} ${tls_flag} -- ${WARREN_AMQP_NODE_EXECUTABLE}
                         ${warren_amqp_clients_dir}/amqplib/${test}.test.mjs
                 WORKING_DIRECTORY ${warren_amqp_clients_dir}/amqplib)
    else()
        add_test(NAME amqp_amqplib_${test}
                 COMMAND sh -c "echo 'amqp_amqplib_${test}: node is not installed (scripts/install-deps --test installs it, then npm ci in tests/integration/amqp_clients/amqplib)' >&2; exit 1")
    endif()
    set_tests_properties(amqp_amqplib_${test} PROPERTIES LABELS "integration;amqp" TIMEOUT 120)
endforeach()

# RabbitMQ Java client: javac is slow (~5 s), so a fixture compiles every class once into the
# build tree and the tests only run `java`. run.sh itself fails with a message when the JDK or
# the jars are missing.
set(warren_java_classes ${CMAKE_CURRENT_BINARY_DIR}/amqp_java_classes)
add_test(NAME amqp_java_compile
         COMMAND sh ${warren_amqp_clients_dir}/java/run.sh --compile ${warren_java_classes})
set_tests_properties(amqp_java_compile PROPERTIES LABELS "integration;amqp" TIMEOUT 120
                     FIXTURES_SETUP amqp_java_classes)
set(warren_java_tests work_queue:WorkQueueTest pubsub:PubSubTest confirms:ConfirmsTest
    errors:ErrorsTest rpc:RpcTest tls:TlsTest)
foreach(entry IN LISTS warren_java_tests)
    string(REPLACE ":" ";" parts ${entry})
    list(GET parts 0 test)
    list(GET parts 1 class)
    set(tls_flag "")
    if(test STREQUAL "tls")
        set(tls_flag "--tls")
    endif()
    add_test(NAME amqp_java_${test}
             COMMAND ${warren_amqp_driver} ${tls_flag} -- sh ${warren_amqp_clients_dir}/java/run.sh
                     ${warren_java_classes} ${class}
             WORKING_DIRECTORY ${warren_amqp_clients_dir}/java)
    set_tests_properties(amqp_java_${test} PROPERTIES LABELS "integration;amqp" TIMEOUT 120
                         FIXTURES_REQUIRED amqp_java_classes)
endforeach()
