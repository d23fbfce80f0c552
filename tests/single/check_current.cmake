# Fails unless the committed include/single/sse.h is exactly what
# src/amalgamate.cmake generates from the current sources.
#   cmake -DSRC=<source dir> -DWORK=<scratch dir> -P check_current.cmake
execute_process(
  COMMAND ${CMAKE_COMMAND} -DOUT=${WORK}/sse_single_fresh.h
    -P ${SRC}/src/amalgamate.cmake
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "src/amalgamate.cmake failed")
endif()
file(READ ${SRC}/include/single/sse.h committed HEX)
file(READ ${WORK}/sse_single_fresh.h fresh HEX)
if(NOT committed STREQUAL fresh)
  message(FATAL_ERROR "include/single/sse.h is out of date: run "
    "cmake -P src/amalgamate.cmake and commit the result")
endif()
message(STATUS "include/single/sse.h matches the sources")
