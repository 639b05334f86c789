#include "dns/ares_status.hpp"

#include <lettre/error.hpp>

#include <boost/asio/error.hpp>

#include <ares.h>

namespace lettre::dns::detail {

boost::system::error_code from_ares_status(int status) {
    using boost::system::error_code;
    switch (status) {
        case ARES_SUCCESS: return {};
        case ARES_ENOTFOUND: return error_code(make_error_code(errc::dns_nxdomain));
        case ARES_ENODATA: return error_code(make_error_code(errc::dns_nodata));
        case ARES_ESERVFAIL: return error_code(make_error_code(errc::dns_servfail));
        case ARES_ETIMEOUT: return error_code(make_error_code(errc::dns_timeout));
        case ARES_EREFUSED: return error_code(make_error_code(errc::dns_refused));
        case ARES_EBADNAME: return error_code(make_error_code(errc::invalid_domain));
        case ARES_ECANCELLED:
        case ARES_EDESTRUCTION: return boost::asio::error::operation_aborted;
        default: return error_code(make_error_code(errc::dns_failed));
    }
}

}  // namespace lettre::dns::detail
