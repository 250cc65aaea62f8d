import type { LedMode } from '../hw/Led.ts';

/** Why provisioning stopped, as the technician is told (LED, voice, helppoint-result.txt). */
export type ProvisionOutcome = 'enrolled' | 'already_enrolled' | 'wrong_code' | 'relay_unreachable' | 'clock_wrong' | 'bad_file';

/** Spoken with espeak-ng's Mandarin voice (scripts/gen-prompts.ts makes provision_<outcome>.wav). */
export const PROVISION_PROMPT_TEXT: Record<ProvisionOutcome | 'working', string> = {
  working: '正在注册终端，请稍候',
  enrolled: '终端注册成功',
  already_enrolled: '终端已注册',
  wrong_code: '注册失败，注册码错误或已过期',
  relay_unreachable: '注册失败，无法连接服务器，请检查网络',
  clock_wrong: '注册失败，系统时间错误',
  bad_file: '注册失败，配置文件有误',
};

export const PROVISION_RESULT_EN: Record<ProvisionOutcome, string> = {
  enrolled: 'enrolled',
  already_enrolled: 'already enrolled (no code in helppoint.txt)',
  wrong_code: 'the enrolment code is wrong, expired or already used: get a new one from the console',
  relay_unreachable: 'the relay cannot be reached: check the network cable / LTE and the relay address',
  clock_wrong: "the terminal's clock is wrong (TLS certificates cannot be checked): check NTP on the station network",
  bad_file: 'helppoint.txt is not valid (see the detail line)',
};

/** Success: steady light; a fault the technician must fix: fast blink (the kiosk's "attention" signal). */
export function ledFor(outcome: ProvisionOutcome): LedMode {
  return outcome === 'enrolled' || outcome === 'already_enrolled' ? 'on' : 'blink-fast';
}

const CLOCK_ERRORS = new Set(['CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_NOT_YET_VALID']);
const CODE_ERRORS = new Set(['enrolment_code_invalid', 'enrolment_code_expired', 'enrolment_code_used']);

/** Sorts an enrolment failure into what the technician can do about it; null = retry later. */
export function classifyEnrolError(error: unknown): { outcome: ProvisionOutcome; retry: boolean } {
  const code = String((error as { code?: unknown }).code ?? '');
  if (CODE_ERRORS.has(code)) return { outcome: 'wrong_code', retry: false };
  if (CLOCK_ERRORS.has(code)) return { outcome: 'clock_wrong', retry: false };
  if (code === 'too_many_attempts') return { outcome: 'wrong_code', retry: false };
  return { outcome: 'relay_unreachable', retry: true };
}

/**
 * The clock is certainly wrong when it is before this package was built (a Pi
 * without a battery-backed clock and no NTP starts from its last saved time,
 * or 1970), or far from the relay's own Date header.
 */
export function clockProblem(now: number, builtAt: number, relayDate: number | null): string | null {
  if (now < builtAt - 24 * 3600_000) return `the clock says ${new Date(now).toISOString()}, before this software was built (${new Date(builtAt).toISOString()})`;
  if (relayDate !== null && Math.abs(now - relayDate) > 10 * 60_000) {
    return `the clock is ${Math.round((now - relayDate) / 60_000)} min off the relay's (${new Date(relayDate).toISOString()})`;
  }
  return null;
}
