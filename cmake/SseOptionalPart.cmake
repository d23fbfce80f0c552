# The library needs nothing but a C compiler; the programs and tests around
# it need Debian packages. Each such part has a cache option:
#   AUTO (default)  build it if its packages are found, else skip it with
#                   one configure line naming the missing package and the
#                   option that forces it on;
#   ON              require it: a missing package is a configure error;
#   OFF             skip it.
#
#   sse_optional_part(<OPTION> <what it is> [<pkg-config module> <Debian package>]...)
#
# Sets <OPTION>_ENABLED (ON/OFF) in the caller's scope and, for each module
# found, the imported target PkgConfig::<MODULE> (upper case, '-' as '_').

function(sse_optional_part option what)
  set(${option}_ENABLED OFF PARENT_SCOPE)
  string(TOUPPER "${${option}}" _mode)
  if(_mode STREQUAL "AUTO")
    set(_required OFF)
  elseif(${option})
    set(_required ON)
  else()
    return()
  endif()

  set(_missing "")
  set(_args ${ARGN})
  if(_args)
    find_package(PkgConfig QUIET)
    if(NOT PKG_CONFIG_FOUND)
      set(_missing "pkg-config (Debian package pkg-config)")
    endif()
  endif()
  while(_args AND NOT _missing)
    list(POP_FRONT _args _module _package)
    string(TOUPPER "${_module}" _var)
    string(REPLACE "-" "_" _var "${_var}")
    if(NOT TARGET PkgConfig::${_var})
      pkg_check_modules(${_var} QUIET IMPORTED_TARGET GLOBAL ${_module})
    endif()
    if(NOT TARGET PkgConfig::${_var})
      set(_missing "${_module} (Debian package ${_package})")
    endif()
  endwhile()

  if(NOT _missing)
    set(${option}_ENABLED ON PARENT_SCOPE)
  elseif(_required)
    message(FATAL_ERROR "${option}=ON: ${what} needs ${_missing}, which was "
      "not found. Install it, or configure with -D${option}=OFF.")
  else()
    message(STATUS "Skipping ${what}: ${_missing} not found "
      "(-D${option}=ON makes this an error)")
  endif()
endfunction()
