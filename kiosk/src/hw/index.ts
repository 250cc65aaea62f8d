// The kiosk's hardware layer. Only main.ts should pick between the real
// drivers and their simulated twins; everything else sees the interfaces.
export type { Button, ButtonEvents } from './Button.ts';
export { ButtonGestures } from './ButtonGestures.ts';
export type { Gesture, ButtonGesturesOptions, GestureTimers } from './ButtonGestures.ts';
export { GpioButton } from './GpioButton.ts';
export type { GpioButtonOptions } from './GpioButton.ts';
export { SimButton } from './SimButton.ts';
export type { SimButtonOptions } from './SimButton.ts';

export type { Led, LedMode } from './Led.ts';
export { BLINK_HALF_PERIOD_MS } from './Led.ts';
export { GpioLed } from './GpioLed.ts';
export type { GpioLedOptions, LedTimers } from './GpioLed.ts';
export { SimLed } from './SimLed.ts';
export type { SimLedOptions, LedChange } from './SimLed.ts';

export type { GpioLine, GpioBackend, GpioBias, GpioLineRequest, GpioValue } from './GpioLine.ts';
export { detectGpioBase, resolveGpioBase, DEFAULT_SYSFS_GPIO } from './gpio/gpioBase.ts';
export type { GpioBaseOptions } from './gpio/gpioBase.ts';
export { SysfsGpioBackend } from './gpio/SysfsGpioBackend.ts';
export { CdevGpioBackend, PI_GPIO_CHIP_LABELS, pickGpioChip } from './gpio/CdevGpioBackend.ts';
export { selectGpioBackend, gpioInterfaces } from './gpio/selectGpioBackend.ts';
export type { GpioDriver } from './gpio/selectGpioBackend.ts';
export { GpioTamper, tamperCondition } from './GpioTamper.ts';
export type { Tamper, TamperCondition, TamperEvents } from './Tamper.ts';
export { RpicamCamera, rpicamVidArgs } from './camera/RpicamCamera.ts';
export { chooseCamera, listCsiCameras, listUsbCameras, parseRpicamCameraList } from './camera/cameraDiscovery.ts';
export { chooseAlsaDevices, listAlsaCards, parseAsoundCards, KNOWN_SPEAKERPHONES } from './alsa/alsaCards.ts';
export { chooseModemPort, listSerialById, KNOWN_MODEMS } from './modem/modemDiscovery.ts';
export { chooseHardware, describeHardware, discoverHardware } from './inventory.ts';

export type { Camera, VideoFrame } from './Camera.ts';
export { i420FrameBytes } from './Camera.ts';
export { FfmpegCamera } from './FfmpegCamera.ts';
export type { FfmpegCameraOptions, TestPatternOptions, V4l2Options } from './FfmpegCamera.ts';
export { FrameSlicer } from './FrameSlicer.ts';
export type { FrameSlicerOptions } from './FrameSlicer.ts';
export { findFont, DEFAULT_FONT_CANDIDATES } from './findFont.ts';

export type { Microphone } from './Microphone.ts';
export { MIC_SAMPLE_RATE, MIC_CHANNELS, MIC_FRAME_SAMPLES, MIC_FRAME_MS } from './Microphone.ts';
export { ToneMicrophone } from './ToneMicrophone.ts';
export type { ToneMicrophoneOptions } from './ToneMicrophone.ts';
export { AlsaMicrophone } from './AlsaMicrophone.ts';
export type { AlsaMicrophoneOptions } from './AlsaMicrophone.ts';

export type { Speaker, SpeakerLevel } from './Speaker.ts';
export { DBFS_FLOOR, rmsDbfs, meanSquareToDbfs, sumOfSquares } from './audioLevel.ts';
export { LevelMeter } from './LevelMeter.ts';
export { MeasuringSpeaker } from './MeasuringSpeaker.ts';
export type { MeasuringSpeakerOptions } from './MeasuringSpeaker.ts';
export { AlsaSpeaker } from './AlsaSpeaker.ts';
export type { AlsaSpeakerOptions } from './AlsaSpeaker.ts';

export { SupervisedProcess } from './SupervisedProcess.ts';
export type { SupervisedProcessOptions, ExitInfo } from './SupervisedProcess.ts';
