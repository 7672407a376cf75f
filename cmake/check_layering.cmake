# check_layering.cmake: the arrows of DESIGN.md section 11, checked on every #include.
#
#   cmake -DSOURCE_DIR=<tree> -DFACADE="broker.hpp;session.hpp;..." -P cmake/check_layering.cmake
#
# Each module may include only what its arrows allow (the link lines in the CMakeLists say the
# same for libraries; this catches a header reached through the shared include root):
#   common/          common/
#   routing/         common/, routing/
#   storage/         common/, storage/ (not storage/sqlite/: the interface never names SQLite)
#   storage/sqlite/  common/, storage/
#   server/          common/, routing/, storage/ (never storage/sqlite/, web/, amqp/, app/)
#   server facade    common/ and the other facade headers only, so nothing leaks through them
#   web/, amqp/      common/, their own folder, and server/'s facade headers; never routing/,
#                    storage/ or a server/ internal (Vhost, Queue, Connection, Journal, ...)
#   tools/           common/, tools/, and amqp/codec/ (clients of the public HTTP, WebSocket
#                    and AMQP protocols only: the AMQP wire format, never amqp/'s edge files
#                    or server/)
#   app/             anything: the composition root
# Fails (non-zero exit, one line per violation) when a file breaks them.

cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR OR NOT DEFINED FACADE)
    message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<tree> -DFACADE=<headers> -P check_layering.cmake")
endif()

set(violations "")

# Checks every quoted include of the files under `folder` against the allowed prefixes.
# `facade_allowed`: server/ facade headers are allowed too.
function(check_folder folder allowed facade_allowed excluded_subfolder)
    file(GLOB_RECURSE files "${SOURCE_DIR}/${folder}/*.cpp" "${SOURCE_DIR}/${folder}/*.hpp")
    foreach(file IN LISTS files)
        file(RELATIVE_PATH relative "${SOURCE_DIR}" "${file}")
        if(excluded_subfolder AND relative MATCHES "^${excluded_subfolder}/")
            continue()
        endif()
        file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
        foreach(line IN LISTS lines)
            string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" header "${line}")
            if(NOT header MATCHES "/")
                continue() # a sibling by bare name, or a generated file of the build
            endif()
            set(ok FALSE)
            foreach(prefix IN LISTS allowed)
                if(header MATCHES "^${prefix}/")
                    set(ok TRUE)
                endif()
            endforeach()
            if(header MATCHES "^storage/sqlite/" AND NOT "storage/sqlite" IN_LIST allowed)
                set(ok FALSE)
            endif()
            if(NOT ok AND facade_allowed AND header MATCHES "^server/([^/]+)$")
                if(CMAKE_MATCH_1 IN_LIST FACADE)
                    set(ok TRUE)
                endif()
            endif()
            if(NOT ok)
                list(APPEND violations "${relative}: includes ${header}")
            endif()
        endforeach()
    endforeach()
    set(violations "${violations}" PARENT_SCOPE)
endfunction()

check_folder(common "common" FALSE "")
check_folder(routing "common;routing" FALSE "")
check_folder(storage "common;storage" FALSE "storage/sqlite")
check_folder(storage/sqlite "common;storage;storage/sqlite" FALSE "")
check_folder(web "common;web" TRUE "")
check_folder(amqp "common;amqp" TRUE "")
check_folder(tools "common;tools;amqp/codec" FALSE "")

# server/: its internals may use routing/ and the Store interface; its facade headers only
# common/ and each other.
file(GLOB server_files "${SOURCE_DIR}/server/*.cpp" "${SOURCE_DIR}/server/*.hpp")
foreach(file IN LISTS server_files)
    file(RELATIVE_PATH relative "${SOURCE_DIR}" "${file}")
    get_filename_component(name "${file}" NAME)
    file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line IN LISTS lines)
        string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" header "${line}")
        if(name IN_LIST FACADE AND name MATCHES "\\.hpp$")
            if(header MATCHES "^common/")
                continue()
            endif()
            if(header MATCHES "^server/([^/]+)$" AND CMAKE_MATCH_1 IN_LIST FACADE)
                continue()
            endif()
            list(APPEND violations "${relative} (facade): includes ${header}")
        elseif(NOT header MATCHES "^(common|routing|storage|server)/" OR
               header MATCHES "^storage/sqlite/")
            list(APPEND violations "${relative}: includes ${header}")
        endif()
    endforeach()
endforeach()

if(violations)
    list(LENGTH violations count)
    list(JOIN violations "\n  " text)
    message(FATAL_ERROR "layering: ${count} include(s) against DESIGN.md section 11:\n  ${text}")
endif()
message(STATUS "layering: every include follows the arrows")
