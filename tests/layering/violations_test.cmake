# The layering check can fail: a tree with one file breaking each arrow must be refused, with
# every violation named. Run by ctest (tests/layering/CMakeLists.txt):
#   cmake -DCHECK=<cmake/check_layering.cmake> -DWORK_DIR=<scratch> -DFACADE=<headers> -P ...
cmake_minimum_required(VERSION 3.25)

set(tree "${WORK_DIR}/tree")
file(REMOVE_RECURSE "${tree}")
# path | include it makes | whether the check must refuse it
set(cases
    "web/handler.cpp|server/vhost.hpp|refused"
    "web/lists.cpp|routing/router.hpp|refused"
    "web/store.cpp|storage/store.hpp|refused"
    "web/fine.cpp|server/broker.hpp|allowed"
    "amqp/channel.cpp|server/queue.hpp|refused"
    "server/core_part.cpp|storage/sqlite/sqlite_store.hpp|refused"
    "server/fine.cpp|routing/router.hpp|allowed"
    "server/broker.hpp|server/vhost.hpp|refused"
    "routing/trie.cpp|server/queue.hpp|refused"
    "storage/records.cpp|storage/sqlite/db.hpp|refused"
    "tools/cli.cpp|server/broker.hpp|refused"
    "common/error.cpp|web/auth.hpp|refused")
set(expected_refusals 0)
foreach(case IN LISTS cases)
    string(REPLACE "|" ";" fields "${case}")
    list(GET fields 0 path)
    list(GET fields 1 header)
    list(GET fields 2 verdict)
    file(APPEND "${tree}/${path}" "#include \"${header}\"\n")
    if(verdict STREQUAL "refused")
        math(EXPR expected_refusals "${expected_refusals} + 1")
    endif()
endforeach()

execute_process(COMMAND "${CMAKE_COMMAND}" -DSOURCE_DIR=${tree} "-DFACADE=${FACADE}" -P "${CHECK}"
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(result EQUAL 0)
    message(FATAL_ERROR "the check accepted a tree that breaks the arrows:\n${out}${err}")
endif()
if(NOT err MATCHES "layering: ${expected_refusals} include\\(s\\)")
    message(FATAL_ERROR "expected ${expected_refusals} violations, got:\n${err}")
endif()
foreach(case IN LISTS cases)
    string(REPLACE "|" ";" fields "${case}")
    list(GET fields 0 path)
    list(GET fields 1 header)
    list(GET fields 2 verdict)
    string(FIND "${err}" "${path}" at)
    if(verdict STREQUAL "refused" AND at EQUAL -1)
        message(FATAL_ERROR "${path} including ${header} was not named:\n${err}")
    endif()
    if(verdict STREQUAL "allowed" AND NOT at EQUAL -1)
        message(FATAL_ERROR "${path} including ${header} was refused:\n${err}")
    endif()
endforeach()
message(STATUS "the layering check refused all ${expected_refusals} violations")
