// Stable error codes shared by relay, kiosk and console. The wire carries the
// code string; messages are for people and may change, codes never do.
export const ErrorCode = {
  // framing and validation
  BadJson: 'bad_json',
  BadMessage: 'bad_message',
  UnknownType: 'unknown_type',
  FrameTooLarge: 'frame_too_large',
  BadRequest: 'bad_request',
  // identity
  HelloRequired: 'hello_required',
  AlreadyHello: 'already_hello',
  UnknownTerminal: 'unknown_terminal',
  Unauthenticated: 'unauthenticated',
  InvalidCredentials: 'invalid_credentials',
  Forbidden: 'forbidden',
  // calls
  CallNotFound: 'call_not_found',
  CallAlreadyAnswered: 'call_already_answered',
  CallEnded: 'call_ended',
  NotYourCall: 'not_your_call',
  // media
  TransportNotFound: 'transport_not_found',
  ConsumerNotFound: 'consumer_not_found',
  CannotConsume: 'cannot_consume',
  RtcFailed: 'rtc_failed',
  // transport / lifecycle
  Timeout: 'timeout',
  Disconnected: 'disconnected',
  NotFound: 'not_found',
  Internal: 'internal',
  // trust: device keys, enrolment, accounts (issue 3)
  TerminalNotEnrolled: 'terminal_not_enrolled',
  TerminalRevoked: 'terminal_revoked',
  BadSignature: 'bad_signature',
  ChallengeExpired: 'challenge_expired',
  ChallengeReplayed: 'challenge_replayed',
  ChallengeMismatch: 'challenge_mismatch',
  EnrolmentCodeInvalid: 'enrolment_code_invalid',
  EnrolmentCodeExpired: 'enrolment_code_expired',
  EnrolmentCodeUsed: 'enrolment_code_used',
  BadPublicKey: 'bad_public_key',
  TooManyAttempts: 'too_many_attempts',
  AccountDisabled: 'account_disabled',
  Conflict: 'conflict',
  WeakPassword: 'weak_password',
  // terminal self-test (issue 5)
  SelfTestBusy: 'selftest_busy',
  // look-in (issue 4): opening a terminal's camera without a call
  TerminalOffline: 'terminal_offline',
  TerminalBusy: 'terminal_busy',
  // missed calls to call back (console integration)
  NotAMissedCall: 'not_a_missed_call',
  // district federation (issue 14)
  DistrictTokenInvalid: 'district_token_invalid',
  StationUnreachable: 'station_unreachable',
  UnknownStation: 'unknown_station',
  // hardening (issue 16)
  RateLimited: 'rate_limited',
  QuotaExceeded: 'quota_exceeded',
  BadImage: 'bad_image',
  OriginForbidden: 'origin_forbidden',
  DiskFull: 'disk_full',
  // dispatch (issue 13): responders on phones
  ResponderNotFound: 'responder_not_found',
  ResponderOffDuty: 'responder_off_duty',
  ResponderBusy: 'responder_busy',
  AlreadyDispatched: 'already_dispatched',
  DispatchNotFound: 'dispatch_not_found',
  NotYourJob: 'not_your_job',
  BadTransition: 'bad_transition',
  BadCoordinates: 'bad_coordinates',
  PositionTooFrequent: 'position_too_frequent',
  // kiosk updates (issue 10): packages on the relay, rollouts, downloads
  PackageInvalid: 'package_invalid',
  PackageNotKiosk: 'package_not_kiosk',
  PackageTooLarge: 'package_too_large',
  PackageNotFound: 'package_not_found',
  UploadTooSlow: 'upload_too_slow',
  DownloadTokenInvalid: 'download_token_invalid',
  DownloadTokenExpired: 'download_token_expired',
  // the pre-press evidence clip (issue 15): the terminal's upload of the seconds around the press
  PrePressTokenInvalid: 'prepress_token_invalid',
  PrePressTokenExpired: 'prepress_token_expired',
  PrePressTooLarge: 'prepress_too_large',
  PrePressNotWebm: 'prepress_not_webm',
  PrePressExists: 'prepress_exists',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const httpStatus: Partial<Record<ErrorCode, number>> = {
  bad_json: 400,
  bad_message: 400,
  bad_request: 400,
  unknown_type: 400,
  frame_too_large: 413,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  unknown_terminal: 404,
  call_not_found: 404,
  not_found: 404,
  call_already_answered: 409,
  call_ended: 409,
  timeout: 504,
  terminal_not_enrolled: 403,
  terminal_revoked: 403,
  bad_signature: 401,
  challenge_expired: 401,
  challenge_replayed: 401,
  challenge_mismatch: 401,
  enrolment_code_invalid: 400,
  enrolment_code_expired: 410,
  enrolment_code_used: 409,
  bad_public_key: 400,
  too_many_attempts: 429,
  account_disabled: 403,
  conflict: 409,
  weak_password: 400,
  selftest_busy: 409,
  terminal_offline: 409,
  terminal_busy: 409,
  not_a_missed_call: 409,
  district_token_invalid: 401,
  station_unreachable: 503,
  unknown_station: 404,
  not_your_call: 403,
  rate_limited: 429,
  quota_exceeded: 429,
  bad_image: 400,
  origin_forbidden: 403,
  disk_full: 507,
  responder_not_found: 404,
  responder_off_duty: 409,
  responder_busy: 409,
  already_dispatched: 409,
  dispatch_not_found: 404,
  not_your_job: 403,
  bad_transition: 409,
  bad_coordinates: 400,
  position_too_frequent: 429,
  package_invalid: 400,
  package_not_kiosk: 400,
  package_too_large: 413,
  package_not_found: 404,
  upload_too_slow: 408,
  download_token_invalid: 403,
  download_token_expired: 403,
  prepress_token_invalid: 403,
  prepress_token_expired: 403,
  prepress_too_large: 413,
  prepress_not_webm: 400,
  prepress_exists: 409,
};

/** An error that crosses the wire: a stable code plus a human message. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = httpStatus[code] ?? 500;
    this.details = details;
  }
  toWire(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (Object.values(ErrorCode) as string[]).includes(value);
}
