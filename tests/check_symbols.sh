#!/usr/bin/env bash
# The library must not call an allocator, locale-dependent or lax number
# parsing, printf-family formatting, or anything that ends the process:
# lists the undefined symbols of the static archive and fails on any of them.
set -eu
nm=$1 lib=$2
forbidden='malloc|calloc|realloc|free|strdup|strndup|strtol|strtoul|strtoll|strtoull|strtod|atoi|atol|atoll|sscanf|setlocale|localeconv|printf|fprintf|sprintf|snprintf|vsnprintf|vfprintf|puts|fputs|fwrite|abort|exit|_exit|__assert_fail|isspace|isdigit|isalpha|__ctype_b_loc'
found=$("$nm" -u "$lib" | awk '{print $NF}' | sed 's/@.*//' | grep -E -x "$forbidden" | sort -u || true)
if [ -n "$found" ]; then
  echo "libsse references forbidden symbols:"
  echo "$found"
  exit 1
fi
echo "libsse: no allocator, libc parsing, printf or abort symbols"
