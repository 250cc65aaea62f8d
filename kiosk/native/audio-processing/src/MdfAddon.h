#pragma once
#include <napi.h>

namespace helppoint {
// The EchoCanceller class (speexdsp MDF + residual echo suppression) for the addon's exports.
Napi::Function DefineEchoCanceller(Napi::Env env);
}  // namespace helppoint
