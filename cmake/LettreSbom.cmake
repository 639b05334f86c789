# The software bill of materials: a CycloneDX 1.5 JSON document,
# ${PROJECT_BINARY_DIR}/lettre.cdx.json, written at configure time from what
# find_package found, and installed beside the package config. It lists
# lettre, each of its CMake components, and each library those components
# link (only the layers built: no Boost without LETTRE_WITH_SMTP, no c-ares
# without LETTRE_WITH_MX), with the version found, a purl and a license, and
# the link graph in "dependencies". docs/release.md says how it is read and
# checked (tests/release, scripts/audit.sh).
#
# A library that a Debian package provides gets a pkg:deb purl carrying the
# package's own version (1.18.1-3: Debian fixes CVEs by adding patches
# without changing the upstream 1.18.1); anything else a pkg:generic purl
# with the upstream version. "version" is always the upstream version.

set(LETTRE_SBOM_FILE ${PROJECT_BINARY_DIR}/lettre.cdx.json)

# The Debian package that owns `file` (after resolving symlinks, then as
# given), its version and architecture; empty when dpkg does not know it.
function(lettre_sbom_debian_package file out_name out_version out_arch)
  set(${out_name} "" PARENT_SCOPE)
  find_program(LETTRE_DPKG_QUERY dpkg-query)
  mark_as_advanced(LETTRE_DPKG_QUERY)
  if(NOT LETTRE_DPKG_QUERY OR NOT EXISTS "${file}")
    return()
  endif()
  file(REAL_PATH "${file}" real)
  foreach(candidate IN ITEMS "${file}" "${real}")
    execute_process(COMMAND ${LETTRE_DPKG_QUERY} -S "${candidate}"
                    OUTPUT_VARIABLE owner ERROR_QUIET RESULT_VARIABLE failed
                    OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT failed AND owner MATCHES "^([^:, ]+)(:[^:, ]+)?: ")
      set(package ${CMAKE_MATCH_1})
      execute_process(COMMAND ${LETTRE_DPKG_QUERY} -W -f=\${Version}\ \${Architecture}
                              ${package}
                      OUTPUT_VARIABLE installed ERROR_QUIET RESULT_VARIABLE failed)
      if(NOT failed AND installed MATCHES "^([^ ]+) ([^ ]+)$")
        set(${out_name} ${package} PARENT_SCOPE)
        set(${out_version} ${CMAKE_MATCH_1} PARENT_SCOPE)
        set(${out_arch} ${CMAKE_MATCH_2} PARENT_SCOPE)
        return()
      endif()
    endif()
  endforeach()
endfunction()

# purl for a library: pkg:deb/debian/<package>@<debian version>?arch=..&distro=..
# when Debian owns `file`, else pkg:generic/<name>@<version>.
function(lettre_sbom_purl name version file out)
  lettre_sbom_debian_package("${file}" package deb_version arch)
  if(package)
    set(codename "")
    if(EXISTS /etc/os-release)
      file(STRINGS /etc/os-release codename REGEX "^VERSION_CODENAME=")
      string(REPLACE "VERSION_CODENAME=" "" codename "${codename}")
    endif()
    # purl: '+' in a version is percent-encoded; ':' (an epoch) and '~' stay.
    string(REPLACE "+" "%2B" deb_version "${deb_version}")
    set(purl "pkg:deb/debian/${package}@${deb_version}?arch=${arch}")
    if(codename)
      string(APPEND purl "&distro=${codename}")
    endif()
  else()
    set(purl "pkg:generic/${name}@${version}")
  endif()
  set(${out} ${purl} PARENT_SCOPE)
endfunction()

# Appends one component to the JSON array in `json_var` and records its
# bom-ref in LETTRE_SBOM_REF_<key>.
function(lettre_sbom_component json_var key)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "TYPE;NAME;VERSION;PURL;LICENSE;EXPRESSION;FILE;DESCRIPTION" "")
  set(c "{}")
  string(JSON c SET "${c}" type "\"${arg_TYPE}\"")
  string(JSON c SET "${c}" bom-ref "\"${arg_PURL}\"")
  string(JSON c SET "${c}" name "\"${arg_NAME}\"")
  string(JSON c SET "${c}" version "\"${arg_VERSION}\"")
  if(arg_DESCRIPTION)
    string(JSON c SET "${c}" description "\"${arg_DESCRIPTION}\"")
  endif()
  if(arg_EXPRESSION)
    string(JSON c SET "${c}" licenses "[{\"expression\": \"${arg_EXPRESSION}\"}]")
  else()
    string(JSON c SET "${c}" licenses "[{\"license\": {\"id\": \"${arg_LICENSE}\"}}]")
  endif()
  string(JSON c SET "${c}" purl "\"${arg_PURL}\"")
  if(arg_FILE)
    string(JSON c SET "${c}" properties
           "[{\"name\": \"lettre:found\", \"value\": \"${arg_FILE}\"}]")
  endif()
  string(JSON n LENGTH "${${json_var}}")
  string(JSON out SET "${${json_var}}" ${n} "${c}")
  set(${json_var} "${out}" PARENT_SCOPE)
  set(LETTRE_SBOM_REF_${key} "${arg_PURL}" PARENT_SCOPE)
endfunction()

# A library found by find_package: its purl, then the component.
function(lettre_sbom_library json_var key name version file)
  if("${version}" STREQUAL "")
    message(FATAL_ERROR "lettre SBOM: no version found for ${name} (${file}); "
                        "its find module must set one")
  endif()
  lettre_sbom_purl(${name} ${version} "${file}" purl)
  lettre_sbom_component(${json_var} ${key} TYPE library NAME ${name} VERSION ${version}
                        PURL ${purl} FILE "${file}" ${ARGN})
  set(LETTRE_SBOM_REF_${key} "${LETTRE_SBOM_REF_${key}}" PARENT_SCOPE)
  set(${json_var} "${${json_var}}" PARENT_SCOPE)
endfunction()

function(lettre_write_sbom)
  set(components "[]")
  # The libraries, each as its find module found it.
  lettre_sbom_library(components openssl openssl ${OPENSSL_VERSION} "${OPENSSL_CRYPTO_LIBRARY}"
                      LICENSE Apache-2.0)
  lettre_sbom_library(components fmt fmt ${fmt_VERSION} "${fmt_DIR}/fmt-config.cmake"
                      LICENSE MIT)
  lettre_sbom_library(components idn2 libidn2 ${IDN2_VERSION} "${IDN2_LIBRARY}"
                      EXPRESSION "LGPL-3.0-or-later OR GPL-2.0-or-later")
  set(message_deps openssl fmt idn2)
  set(smtp_deps message openssl fmt)
  set(mx_deps smtp openssl fmt)
  if(LETTRE_WITH_SMTP)
    lettre_sbom_library(components boost boost ${Boost_VERSION}
                        "${Boost_INCLUDE_DIR}/boost/version.hpp" LICENSE BSL-1.0)
    list(APPEND smtp_deps boost)
  endif()
  if(LETTRE_WITH_MX)
    lettre_sbom_library(components cares c-ares ${CAres_VERSION} "${CAres_LIBRARY}"
                        LICENSE MIT)
    list(APPEND mx_deps cares)
  endif()

  # lettre's own components, with the libraries each one links.
  set(lettre_deps)
  foreach(component IN LISTS LETTRE_COMPONENTS)
    lettre_sbom_component(components ${component} TYPE library
      NAME lettre-${component} VERSION ${PROJECT_VERSION}
      PURL "pkg:generic/lettre@${PROJECT_VERSION}#${component}" LICENSE MIT
      DESCRIPTION "lettre::${component}")
    list(APPEND lettre_deps ${component})
  endforeach()

  set(bom "{}")
  string(JSON bom SET "${bom}" bomFormat "\"CycloneDX\"")
  string(JSON bom SET "${bom}" specVersion "\"1.5\"")
  string(JSON bom SET "${bom}" version 1)
  set(lettre_ref "pkg:generic/lettre@${PROJECT_VERSION}")
  set(root "{}")
  string(JSON root SET "${root}" type "\"library\"")
  string(JSON root SET "${root}" bom-ref "\"${lettre_ref}\"")
  string(JSON root SET "${root}" name "\"lettre\"")
  string(JSON root SET "${root}" version "\"${PROJECT_VERSION}\"")
  string(JSON root SET "${root}" description "\"${PROJECT_DESCRIPTION}\"")
  string(JSON root SET "${root}" licenses "[{\"license\": {\"id\": \"MIT\"}}]")
  string(JSON root SET "${root}" purl "\"${lettre_ref}\"")
  set(metadata "{}")
  string(JSON metadata SET "${metadata}" component "${root}")
  string(JSON metadata SET "${metadata}" tools
         "{\"components\": [{\"type\": \"application\", \"name\": \"cmake\", \"version\": \"${CMAKE_VERSION}\", \"description\": \"lettre's cmake/LettreSbom.cmake\"}]}")
  string(JSON metadata SET "${metadata}" properties
         "[{\"name\": \"lettre:components\", \"value\": \"${LETTRE_COMPONENTS}\"}]")
  string(JSON bom SET "${bom}" metadata "${metadata}")
  string(JSON bom SET "${bom}" components "${components}")

  # The graph: lettre -> its components -> the libraries each links.
  set(graph "[]")
  set(refs)
  foreach(key IN LISTS lettre_deps)
    list(APPEND refs "\"${LETTRE_SBOM_REF_${key}}\"")
  endforeach()
  list(JOIN refs ", " refs)
  string(JSON graph SET "${graph}" 0 "{\"ref\": \"${lettre_ref}\", \"dependsOn\": [${refs}]}")
  foreach(component IN LISTS LETTRE_COMPONENTS)
    set(refs)
    foreach(key IN LISTS ${component}_deps)
      list(APPEND refs "\"${LETTRE_SBOM_REF_${key}}\"")
    endforeach()
    list(JOIN refs ", " refs)
    string(JSON n LENGTH "${graph}")
    string(JSON graph SET "${graph}" ${n}
           "{\"ref\": \"${LETTRE_SBOM_REF_${component}}\", \"dependsOn\": [${refs}]}")
  endforeach()
  foreach(key IN ITEMS openssl fmt idn2 boost cares)
    if(DEFINED LETTRE_SBOM_REF_${key})
      string(JSON n LENGTH "${graph}")
      string(JSON graph SET "${graph}" ${n}
             "{\"ref\": \"${LETTRE_SBOM_REF_${key}}\", \"dependsOn\": []}")
    endif()
  endforeach()
  string(JSON bom SET "${bom}" dependencies "${graph}")

  # The serial number is a name-based UUID of the content: the same build
  # inputs give the same document (no timestamp either), any change a new one.
  string(UUID serial NAMESPACE 6ba7b811-9dad-11d1-80b4-00c04fd430c8
         NAME "${bom}" TYPE SHA1)
  string(JSON bom SET "${bom}" serialNumber "\"urn:uuid:${serial}\"")
  file(WRITE ${LETTRE_SBOM_FILE}.tmp "${bom}\n")
  file(COPY_FILE ${LETTRE_SBOM_FILE}.tmp ${LETTRE_SBOM_FILE} ONLY_IF_DIFFERENT)
  file(REMOVE ${LETTRE_SBOM_FILE}.tmp)
endfunction()

lettre_write_sbom()
message(STATUS "lettre: SBOM ${LETTRE_SBOM_FILE}")
if(LETTRE_INSTALL)
  install(FILES ${LETTRE_SBOM_FILE} DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lettre)
endif()
