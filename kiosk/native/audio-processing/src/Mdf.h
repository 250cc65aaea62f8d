// speexdsp's MDF echo canceller (speex_echo_*) followed by its preprocessor's
// residual echo suppressor (speex_preprocess_* with the echo state attached):
// one per call, like Apm. Kept free of N-API so a plain C++ harness could drive it too.
#pragma once
#include <cstdint>
#include <vector>

struct SpeexEchoState_;
struct SpeexPreprocessState_;

namespace helppoint {

struct MdfOptions {
  int sampleRate = 48000;
  // Echo tail the adaptive filter covers, ms: speaker→microphone delay plus the enclosure's decay.
  int filterMs = 200;
  // Most attenuation of residual echo, dB (negative), while the resident is silent / while they talk.
  // With echoSuppressDb and noiseSuppressDb both 0 the preprocessor is left out (the linear filter alone).
  int echoSuppressDb = -40;
  int echoSuppressActiveDb = -15;
  // Most attenuation of stationary noise by the same preprocessor, dB (negative); 0 leaves noise to a later stage.
  int noiseSuppressDb = 0;
};

class Mdf {
 public:
  explicit Mdf(const MdfOptions& opts);
  ~Mdf();
  Mdf(const Mdf&) = delete;
  Mdf& operator=(const Mdf&) = delete;

  int frameSamples() const { return frameSamples_; }
  // The speaker frame played alongside the next capture (the far-end reference).
  void render(const int16_t* samples);
  // Removes the echo of the rendered frames (this one's and the filter's span before) in place;
  // returns the preprocessor's speech probability, 0..100 (-1 without the preprocessor).
  int capture(int16_t* samples);

 private:
  MdfOptions opts_;
  int frameSamples_;
  SpeexEchoState_* echo_ = nullptr;
  SpeexPreprocessState_* pre_ = nullptr;
  std::vector<int16_t> ref_;
  std::vector<int16_t> out_;
};

}  // namespace helppoint
