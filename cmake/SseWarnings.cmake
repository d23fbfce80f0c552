# Strict warnings for our own targets only: never forced on a parent project.
function(sse_add_warnings target)
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE
      -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
      -Wmissing-prototypes -Wpointer-arith -Wcast-align -Wwrite-strings
      -Wundef -Wvla)
    if(SSE_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
