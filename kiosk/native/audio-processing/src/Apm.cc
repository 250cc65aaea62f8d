#include "Apm.h"

#include <cstring>
#include <stdexcept>

#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

namespace helppoint {

namespace {
void check(int err, const char* what) {
  if (err != webrtc::AudioProcessing::kNoError) throw std::runtime_error(std::string(what) + " failed with APM error " + std::to_string(err));
}
}  // namespace

Apm::Apm(const ApmOptions& opts) : opts_(opts), frameSamples_(opts.sampleRate / 100), frame_(new webrtc::AudioFrame()) {
  if (opts.sampleRate != 8000 && opts.sampleRate != 16000 && opts.sampleRate != 32000 && opts.sampleRate != 48000)
    throw std::invalid_argument("sampleRate must be 8000, 16000, 32000 or 48000");
  webrtc::Config config;
  // The terminal's speaker→microphone delay goes through ffmpeg and ALSA buffers nobody reports
  // reliably: let the AEC find it (delay-agnostic) and give it the longer filter for a metal box's tail.
  config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(opts.extendedFilter));
  config.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(opts.delayAgnostic));
  // No analog microphone volume to steer on a terminal: the experimental (analog) AGC stays off.
  config.Set<webrtc::ExperimentalAgc>(new webrtc::ExperimentalAgc(false));
  config.Set<webrtc::ExperimentalNs>(new webrtc::ExperimentalNs(opts.transientSuppression));
  apm_.reset(webrtc::AudioProcessing::Create(config));
  if (!apm_) throw std::runtime_error("could not create the WebRTC audio processing module");

  webrtc::ProcessingConfig pc = {{
      webrtc::StreamConfig(opts.sampleRate, 1, false),  // input
      webrtc::StreamConfig(opts.sampleRate, 1, false),  // output
      webrtc::StreamConfig(opts.sampleRate, 1, false),  // reverse input
      webrtc::StreamConfig(opts.sampleRate, 1, false),  // reverse output
  }};
  check(apm_->Initialize(pc), "Initialize");
  check(apm_->high_pass_filter()->Enable(opts.highPass), "high_pass_filter");
  auto* ec = apm_->echo_cancellation();
  check(ec->enable_drift_compensation(false), "enable_drift_compensation");
  static const webrtc::EchoCancellation::SuppressionLevel levels[] = {
      webrtc::EchoCancellation::kLowSuppression, webrtc::EchoCancellation::kModerateSuppression, webrtc::EchoCancellation::kHighSuppression};
  check(ec->set_suppression_level(levels[opts.echoSuppression < 0 ? 0 : opts.echoSuppression > 2 ? 2 : opts.echoSuppression]), "set_suppression_level");
  check(ec->enable_metrics(true), "enable_metrics");
  check(ec->enable_delay_logging(true), "enable_delay_logging");
  check(ec->Enable(opts.echoCancellation), "echo_cancellation");
  auto* ns = apm_->noise_suppression();
  if (opts.noiseSuppression >= 0) {
    static const webrtc::NoiseSuppression::Level nsLevels[] = {webrtc::NoiseSuppression::kLow, webrtc::NoiseSuppression::kModerate,
                                                               webrtc::NoiseSuppression::kHigh, webrtc::NoiseSuppression::kVeryHigh};
    check(ns->set_level(nsLevels[opts.noiseSuppression > 3 ? 3 : opts.noiseSuppression]), "noise_suppression level");
    check(ns->Enable(true), "noise_suppression");
  }
  auto* gc = apm_->gain_control();
  if (opts.gainControl) {
    check(gc->set_mode(webrtc::GainControl::kAdaptiveDigital), "gain_control mode");
    check(gc->set_target_level_dbfs(opts.agcTargetDbfs), "gain_control target");
    check(gc->set_compression_gain_db(opts.agcCompressionDb), "gain_control compression");
    check(gc->enable_limiter(true), "gain_control limiter");
    check(gc->Enable(true), "gain_control");
  }
  if (opts.voiceDetection) {
    check(apm_->voice_detection()->set_likelihood(webrtc::VoiceDetection::kModerateLikelihood), "voice_detection likelihood");
    check(apm_->voice_detection()->Enable(true), "voice_detection");
  }
}

Apm::~Apm() = default;

void Apm::render(const int16_t* samples) {
  webrtc::AudioFrame& f = *frame_;
  f.sample_rate_hz_ = opts_.sampleRate;
  f.num_channels_ = 1;
  f.samples_per_channel_ = frameSamples_;
  std::memcpy(f.data_, samples, sizeof(int16_t) * frameSamples_);
  check(apm_->AnalyzeReverseStream(&f), "AnalyzeReverseStream");
}

int Apm::capture(int16_t* samples, int streamDelayMs) {
  webrtc::AudioFrame& f = *frame_;
  f.sample_rate_hz_ = opts_.sampleRate;
  f.num_channels_ = 1;
  f.samples_per_channel_ = frameSamples_;
  f.vad_activity_ = webrtc::AudioFrame::kVadUnknown;
  std::memcpy(f.data_, samples, sizeof(int16_t) * frameSamples_);
  // A hint only (delay-agnostic mode estimates it); APM warns when never set.
  int err = apm_->set_stream_delay_ms(streamDelayMs);
  if (err != webrtc::AudioProcessing::kNoError && err != webrtc::AudioProcessing::kBadStreamParameterWarning) check(err, "set_stream_delay_ms");
  if (opts_.gainControl) apm_->gain_control()->set_stream_analog_level(0);
  err = apm_->ProcessStream(&f);
  if (err != webrtc::AudioProcessing::kNoError && err != webrtc::AudioProcessing::kBadStreamParameterWarning) check(err, "ProcessStream");
  std::memcpy(samples, f.data_, sizeof(int16_t) * frameSamples_);
  int flags = 0;
  if (opts_.voiceDetection && apm_->voice_detection()->stream_has_voice()) flags |= 1;
  if (opts_.echoCancellation && apm_->echo_cancellation()->stream_has_echo()) flags |= 2;
  return flags;
}

ApmMetrics Apm::metrics() {
  ApmMetrics m;
  auto* ec = apm_->echo_cancellation();
  if (!ec->is_enabled()) return m;
  ec->GetDelayMetrics(&m.delayMedianMs, &m.delayStdMs, &m.fractionPoorDelays);
  webrtc::EchoCancellation::Metrics em;
  if (ec->GetMetrics(&em) == webrtc::AudioProcessing::kNoError) {
    m.erlDb = em.echo_return_loss.average;
    m.erleDb = em.echo_return_loss_enhancement.average;
    m.aNlpDb = em.a_nlp.average;
  }
  return m;
}

}  // namespace helppoint
