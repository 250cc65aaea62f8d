#include "Mdf.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

namespace helppoint {

Mdf::Mdf(const MdfOptions& opts) : opts_(opts), frameSamples_(opts.sampleRate / 100), ref_(frameSamples_, 0), out_(frameSamples_, 0) {
  if (opts.sampleRate != 8000 && opts.sampleRate != 16000 && opts.sampleRate != 32000 && opts.sampleRate != 48000)
    throw std::invalid_argument("sampleRate must be 8000, 16000, 32000 or 48000");
  if (opts.filterMs < 10 || opts.filterMs > 1000) throw std::invalid_argument("filterMs must be 10..1000");
  // A whole number of frames: MDF splits the filter into frame-sized blocks.
  int taps = (opts.filterMs * opts.sampleRate / 1000 + frameSamples_ - 1) / frameSamples_ * frameSamples_;
  echo_ = speex_echo_state_init(frameSamples_, taps);
  // No suppression asked for: no preprocessor, and none of the 10 ms its overlap-add adds.
  const bool residual = opts.echoSuppressDb < 0 || opts.noiseSuppressDb < 0;
  if (residual) pre_ = speex_preprocess_state_init(frameSamples_, opts.sampleRate);
  if (!echo_ || (residual && !pre_)) {
    if (echo_) speex_echo_state_destroy(echo_);
    if (pre_) speex_preprocess_state_destroy(pre_);
    throw std::runtime_error("could not create the speexdsp echo canceller");
  }
  spx_int32_t rate = opts.sampleRate;
  speex_echo_ctl(echo_, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
  if (!pre_) return;
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_ECHO_STATE, echo_);
  // The residual echo suppressor lives in the denoiser's gain: it must be on, with the noise floor
  // left where the caller wants it (0 dB hands noise to a later suppressor).
  spx_int32_t on = 1, off = 0;
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_DENOISE, &on);
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_AGC, &off);
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_DEREVERB, &off);
  // The preprocessor takes these as -|dB|; a 0 dB noise floor keeps noise whole.
  spx_int32_t ns = std::min(0, opts.noiseSuppressDb), es = std::min(0, opts.echoSuppressDb), esa = std::min(0, opts.echoSuppressActiveDb);
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &ns);
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &es);
  speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &esa);
}

Mdf::~Mdf() {
  if (pre_) speex_preprocess_state_destroy(pre_);
  speex_echo_state_destroy(echo_);
}

void Mdf::render(const int16_t* samples) { std::memcpy(ref_.data(), samples, sizeof(int16_t) * frameSamples_); }

int Mdf::capture(int16_t* samples) {
  // The reference and the microphone frame go in together: the kiosk hands over one reference
  // frame per microphone frame, so speexdsp's own playback/capture buffering is not needed.
  speex_echo_cancellation(echo_, samples, ref_.data(), out_.data());
  spx_int32_t prob = -1;
  if (pre_) {
    speex_preprocess_run(pre_, out_.data());
    speex_preprocess_ctl(pre_, SPEEX_PREPROCESS_GET_PROB, &prob);
  }
  std::memcpy(samples, out_.data(), sizeof(int16_t) * frameSamples_);
  return prob;
}

}  // namespace helppoint
