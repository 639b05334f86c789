# Which layer a test or example source needs, from what it includes, so
# that a build without LETTRE_WITH_SMTP or LETTRE_WITH_MX leaves out exactly
# the files it cannot compile and new files need no list to be kept.
#
#   lettre_filter_sources(<list-var>)
#
# removes from <list-var> every file that includes a header of a layer that
# is not built. A file's own includes decide; headers it includes are not
# followed.
set(LETTRE_SMTP_INCLUDE_REGEX
    "#include [<\"](boost/|lettre/smtp/|lettre/asio_error|lettre/transport/async_|smtp/|transport/sendmail_process)")
set(LETTRE_MX_INCLUDE_REGEX
    "#include [<\"](lettre/dns/|lettre/transport/(async_)?(mx_|mta_sts|tls_report)|dns/|transport/(mx_|mta_sts|tls_re))")

function(lettre_filter_sources var)
  set(kept)
  foreach(file IN LISTS ${var})
    set(needs_missing_layer FALSE)
    if(NOT LETTRE_WITH_SMTP)
      file(STRINGS ${file} hits REGEX "${LETTRE_SMTP_INCLUDE_REGEX}" LIMIT_COUNT 1)
      if(hits)
        set(needs_missing_layer TRUE)
      endif()
    endif()
    if(NOT LETTRE_WITH_MX)
      file(STRINGS ${file} hits REGEX "${LETTRE_MX_INCLUDE_REGEX}" LIMIT_COUNT 1)
      if(hits)
        set(needs_missing_layer TRUE)
      endif()
    endif()
    if(NOT needs_missing_layer)
      list(APPEND kept ${file})
    endif()
  endforeach()
  set(${var} ${kept} PARENT_SCOPE)
endfunction()
