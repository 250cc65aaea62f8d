// N-API surface of Apm: class AudioProcessor { render(frame), capture(frame, delayMs), metrics() };
// and of Mdf (MdfAddon.cc): class EchoCanceller.
// Calls are synchronous on the JS thread: one 10 ms frame costs well under a millisecond,
// less than a worker hop would, and the order of render/capture calls is kept as it happened.
#include <napi.h>

#include <memory>
#include <stdexcept>

#include "Apm.h"
#include "MdfAddon.h"
#include "napiArgs.h"

namespace {

using helppoint::boolOpt;
using helppoint::intOpt;

class AudioProcessor : public Napi::ObjectWrap<AudioProcessor> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "AudioProcessor",
                       {InstanceMethod("render", &AudioProcessor::Render), InstanceMethod("capture", &AudioProcessor::Capture),
                        InstanceMethod("metrics", &AudioProcessor::Metrics), InstanceMethod("close", &AudioProcessor::Close),
                        InstanceAccessor("frameSamples", &AudioProcessor::FrameSamples, nullptr)});
  }

  explicit AudioProcessor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<AudioProcessor>(info) {
    helppoint::ApmOptions o;
    if (info.Length() > 0 && info[0].IsObject()) {
      Napi::Object opts = info[0].As<Napi::Object>();
      o.sampleRate = intOpt(opts, "sampleRate", o.sampleRate);
      o.echoCancellation = boolOpt(opts, "echoCancellation", o.echoCancellation);
      o.echoSuppression = intOpt(opts, "echoSuppression", o.echoSuppression);
      o.noiseSuppression = intOpt(opts, "noiseSuppression", o.noiseSuppression);
      o.gainControl = boolOpt(opts, "gainControl", o.gainControl);
      o.agcTargetDbfs = intOpt(opts, "agcTargetDbfs", o.agcTargetDbfs);
      o.agcCompressionDb = intOpt(opts, "agcCompressionDb", o.agcCompressionDb);
      o.highPass = boolOpt(opts, "highPass", o.highPass);
      o.voiceDetection = boolOpt(opts, "voiceDetection", o.voiceDetection);
      o.delayAgnostic = boolOpt(opts, "delayAgnostic", o.delayAgnostic);
      o.extendedFilter = boolOpt(opts, "extendedFilter", o.extendedFilter);
      o.transientSuppression = boolOpt(opts, "transientSuppression", o.transientSuppression);
    }
    try {
      apm_ = std::make_unique<helppoint::Apm>(o);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
  }

 private:
  int16_t* frameArg(const Napi::CallbackInfo& info) { return helppoint::frameArg(info, apm_ != nullptr, apm_ ? apm_->frameSamples() : 0); }

  Napi::Value Render(const Napi::CallbackInfo& info) {
    int16_t* s = frameArg(info);
    try {
      apm_->render(s);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
    return info.Env().Undefined();
  }

  Napi::Value Capture(const Napi::CallbackInfo& info) {
    int16_t* s = frameArg(info);
    int delay = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 0;
    try {
      return Napi::Number::New(info.Env(), apm_->capture(s, delay));
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), e.what());
    }
  }

  Napi::Value Metrics(const Napi::CallbackInfo& info) {
    if (!apm_) throw Napi::Error::New(info.Env(), "AudioProcessor is closed");
    helppoint::ApmMetrics m = apm_->metrics();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("delayMedianMs", m.delayMedianMs);
    o.Set("delayStdMs", m.delayStdMs);
    o.Set("fractionPoorDelays", m.fractionPoorDelays);
    o.Set("erlDb", m.erlDb);
    o.Set("erleDb", m.erleDb);
    o.Set("aNlpDb", m.aNlpDb);
    return o;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    apm_.reset();
    return info.Env().Undefined();
  }

  Napi::Value FrameSamples(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), apm_ ? apm_->frameSamples() : 0);
  }

  std::unique_ptr<helppoint::Apm> apm_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("AudioProcessor", AudioProcessor::Define(env));
  exports.Set("EchoCanceller", helppoint::DefineEchoCanceller(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(helppoint_apm, Init)
