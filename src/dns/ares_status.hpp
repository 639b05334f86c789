// c-ares status codes as lettre error codes. Internal.
#pragma once

#include <boost/system/error_code.hpp>

namespace lettre::dns::detail {

/// ARES_ENOTFOUND -> dns_nxdomain, ENODATA -> dns_nodata, ESERVFAIL ->
/// dns_servfail, ETIMEOUT -> dns_timeout, EREFUSED -> dns_refused, EBADNAME
/// -> invalid_domain, ECANCELLED/EDESTRUCTION -> operation_aborted, anything
/// else -> dns_failed.
boost::system::error_code from_ares_status(int status);

}  // namespace lettre::dns::detail
