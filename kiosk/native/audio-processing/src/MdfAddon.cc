// N-API surface of Mdf: class EchoCanceller { render(frame), capture(frame) -> speech probability, close() }.
// Synchronous on the JS thread, like AudioProcessor: one frame costs far less than a worker hop.
#include "MdfAddon.h"

#include <memory>
#include <stdexcept>

#include "Mdf.h"
#include "napiArgs.h"

namespace helppoint {
namespace {

class EchoCanceller : public Napi::ObjectWrap<EchoCanceller> {
 public:
  explicit EchoCanceller(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EchoCanceller>(info) {
    MdfOptions o;
    if (info.Length() > 0 && info[0].IsObject()) {
      Napi::Object opts = info[0].As<Napi::Object>();
      o.sampleRate = intOpt(opts, "sampleRate", o.sampleRate);
      o.filterMs = intOpt(opts, "filterMs", o.filterMs);
      o.echoSuppressDb = intOpt(opts, "echoSuppressDb", o.echoSuppressDb);
      o.echoSuppressActiveDb = intOpt(opts, "echoSuppressActiveDb", o.echoSuppressActiveDb);
      o.noiseSuppressDb = intOpt(opts, "noiseSuppressDb", o.noiseSuppressDb);
    }
    try {
      mdf_ = std::make_unique<Mdf>(o);
    } catch (const std::exception& e) {
      throw withCode(Napi::RangeError::New(info.Env(), e.what()), "bad_audio_engine_options");
    }
  }

  Napi::Value Render(const Napi::CallbackInfo& info) {
    mdf_->render(frameArg(info, mdf_ != nullptr, mdf_ ? mdf_->frameSamples() : 0));
    return info.Env().Undefined();
  }

  Napi::Value Capture(const Napi::CallbackInfo& info) {
    int16_t* s = frameArg(info, mdf_ != nullptr, mdf_ ? mdf_->frameSamples() : 0);
    return Napi::Number::New(info.Env(), mdf_->capture(s));
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    mdf_.reset();
    return info.Env().Undefined();
  }

  Napi::Value FrameSamples(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), mdf_ ? mdf_->frameSamples() : 0); }

 private:
  std::unique_ptr<Mdf> mdf_;
};

}  // namespace

Napi::Function DefineEchoCanceller(Napi::Env env) {
  return EchoCanceller::DefineClass(env, "EchoCanceller",
                                    {EchoCanceller::InstanceMethod("render", &EchoCanceller::Render), EchoCanceller::InstanceMethod("capture", &EchoCanceller::Capture),
                                     EchoCanceller::InstanceMethod("close", &EchoCanceller::Close),
                                     EchoCanceller::InstanceAccessor("frameSamples", &EchoCanceller::FrameSamples, nullptr)});
}

}  // namespace helppoint
