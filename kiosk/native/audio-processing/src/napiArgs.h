// What both N-API classes share: reading options, and the frame check (a closed engine, a wrong type
// and a wrong length each get an error with a stable `code`, so the kiosk can tell a bug in its chain
// from an engine fault).
#pragma once
#include <napi.h>

#include <string>

namespace helppoint {

inline int intOpt(const Napi::Object& o, const char* key, int fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : fallback;
}

inline bool boolOpt(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : fallback;
}

inline Napi::Error withCode(Napi::Error err, const char* code) {
  err.Set("code", Napi::String::New(err.Env(), code));
  return err;
}

// The samples of info[0], which must be an Int16Array of exactly `samples` (one 10 ms mono frame).
inline int16_t* frameArg(const Napi::CallbackInfo& info, bool open, int samples) {
  if (!open) throw withCode(Napi::Error::New(info.Env(), "audio engine is closed"), "audio_engine_closed");
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int16_array)
    throw withCode(Napi::TypeError::New(info.Env(), "expected an Int16Array frame"), "bad_audio_frame");
  Napi::Int16Array a = info[0].As<Napi::Int16Array>();
  if (static_cast<int>(a.ElementLength()) != samples)
    throw withCode(Napi::RangeError::New(info.Env(), "frame must hold exactly " + std::to_string(samples) + " samples (10 ms mono), got " + std::to_string(a.ElementLength())),
                   "bad_audio_frame");
  return a.Data();
}

}  // namespace helppoint
