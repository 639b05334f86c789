// `lettre --version`: lettre's version and, for each library it uses, the
// version it was compiled against and (where the library can say) the one
// loaded at run time. A bug report then names the OpenSSL or c-ares that
// actually ran, which a distribution upgrade can change under a built tool.
#pragma once

#include <string>

namespace lettre::cli {

std::string version_text();

}  // namespace lettre::cli
