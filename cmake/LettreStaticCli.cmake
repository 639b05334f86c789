# LETTRE_STATIC_CLI: static archives for everything Debian ships as one.
# glibc stays shared: the SMTP transport resolves relay host names with
# getaddrinfo, which a static glibc can only do with the shared NSS modules
# of the same glibc at run time. docs/container.md.
if(BUILD_SHARED_LIBS)
  message(FATAL_ERROR "LETTRE_STATIC_CLI links lettre's own libraries into the tool: "
                      "configure with BUILD_SHARED_LIBS=OFF")
endif()
set(OPENSSL_USE_STATIC_LIBS TRUE)
# c-ares and libidn2 through their find modules: archives only.
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)

# After find_package: what the static archives need that their targets do
# not say.
function(lettre_static_dependencies)
  # libidn2.a calls libunistring (Debian: libunistring-dev).
  find_library(LETTRE_UNISTRING_ARCHIVE NAMES unistring)
  if(NOT LETTRE_UNISTRING_ARCHIVE)
    message(FATAL_ERROR "LETTRE_STATIC_CLI: libunistring.a not found (apt-get install libunistring-dev)")
  endif()
  set_property(TARGET IDN2::IDN2 APPEND PROPERTY INTERFACE_LINK_LIBRARIES
               ${LETTRE_UNISTRING_ARCHIVE})
  # Debian ships fmt as a shared library only; fmt's header-only target
  # compiles it into lettre instead.
  if(NOT TARGET fmt::fmt-header-only)
    message(FATAL_ERROR "LETTRE_STATIC_CLI: this fmt has no fmt::fmt-header-only target")
  endif()
  set(LETTRE_FMT_TARGET fmt::fmt-header-only PARENT_SCOPE)
endfunction()
