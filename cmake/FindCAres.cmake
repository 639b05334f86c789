# FindCAres: c-ares ships only a pkg-config file on Debian.
# Provides the imported target CAres::CAres.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_CARES QUIET libcares)
endif()
find_path(CAres_INCLUDE_DIR NAMES ares.h HINTS ${PC_CARES_INCLUDE_DIRS})
find_library(CAres_LIBRARY NAMES cares HINTS ${PC_CARES_LIBRARY_DIRS})
set(CAres_VERSION ${PC_CARES_VERSION})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CAres
  REQUIRED_VARS CAres_LIBRARY CAres_INCLUDE_DIR
  VERSION_VAR CAres_VERSION)
if(CAres_FOUND AND NOT TARGET CAres::CAres)
  add_library(CAres::CAres UNKNOWN IMPORTED)
  set_target_properties(CAres::CAres PROPERTIES
    IMPORTED_LOCATION "${CAres_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CAres_INCLUDE_DIR}")
endif()
mark_as_advanced(CAres_INCLUDE_DIR CAres_LIBRARY)
