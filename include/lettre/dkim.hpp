// DKIM signing.
#pragma once

#include <lettre/dkim/key.hpp>
#include <lettre/dkim/signer.hpp>
