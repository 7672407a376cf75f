# warren_warnings(target): the warning set for our own code. Third-party headers are SYSTEM
# includes, so these flags never fire on Boost, spdlog or gtest.
function(warren_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
    if(WARREN_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
