// One WebRTC audio processing module (APM) per call: the near-end (microphone)
// stream is processed against the far-end (speaker) reference. Kept free of
// N-API so a plain C++ harness could drive it too.
#pragma once
#include <memory>
#include <string>

namespace webrtc {
class AudioProcessing;
struct AudioFrame;
}  // namespace webrtc

namespace helppoint {

struct ApmOptions {
  int sampleRate = 48000;
  bool echoCancellation = true;
  int echoSuppression = 2;   // 0 low, 1 moderate, 2 high
  int noiseSuppression = 2;  // -1 off, 0 low .. 3 very high
  bool gainControl = true;
  int agcTargetDbfs = 9;     // target peak level, dB below full scale
  int agcCompressionDb = 12; // most gain the AGC's digital compressor may add
  bool highPass = true;
  bool voiceDetection = true;
  bool delayAgnostic = true;
  bool extendedFilter = true;
  // APM 0.3's "experimental NS": its transient suppressor (clicks, knocks on the box).
  bool transientSuppression = false;
};

struct ApmMetrics {
  int delayMedianMs = 0;
  int delayStdMs = 0;
  float fractionPoorDelays = 0;
  int erlDb = 0;
  int erleDb = 0;
  int aNlpDb = 0;
};

class Apm {
 public:
  explicit Apm(const ApmOptions& opts);
  ~Apm();
  Apm(const Apm&) = delete;
  Apm& operator=(const Apm&) = delete;

  int frameSamples() const { return frameSamples_; }
  // Both take exactly frameSamples() mono samples (10 ms). Throw std::runtime_error on an APM error.
  void render(const int16_t* samples);
  // Processes in place; returns bit 0 = voice detected, bit 1 = echo present.
  int capture(int16_t* samples, int streamDelayMs);
  ApmMetrics metrics();

 private:
  ApmOptions opts_;
  int frameSamples_;
  std::unique_ptr<webrtc::AudioProcessing> apm_;
  std::unique_ptr<webrtc::AudioFrame> frame_;
};

}  // namespace helppoint
