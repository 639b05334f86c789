# FindIDN2: libidn2 ships only a pkg-config file on Debian.
# Provides the imported target IDN2::IDN2.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_IDN2 QUIET libidn2)
endif()
find_path(IDN2_INCLUDE_DIR NAMES idn2.h HINTS ${PC_IDN2_INCLUDE_DIRS})
find_library(IDN2_LIBRARY NAMES idn2 HINTS ${PC_IDN2_LIBRARY_DIRS})
set(IDN2_VERSION ${PC_IDN2_VERSION})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(IDN2
  REQUIRED_VARS IDN2_LIBRARY IDN2_INCLUDE_DIR
  VERSION_VAR IDN2_VERSION)
if(IDN2_FOUND AND NOT TARGET IDN2::IDN2)
  add_library(IDN2::IDN2 UNKNOWN IMPORTED)
  set_target_properties(IDN2::IDN2 PROPERTIES
    IMPORTED_LOCATION "${IDN2_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${IDN2_INCLUDE_DIR}")
endif()
mark_as_advanced(IDN2_INCLUDE_DIR IDN2_LIBRARY)
