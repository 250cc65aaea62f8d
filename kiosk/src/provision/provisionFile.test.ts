import { describe, expect, it } from 'vitest';
import { classifyEnrolError, clockProblem } from './outcome.ts';
import { parseProvisionFile, withoutCode } from './provisionFile.ts';

describe('helppoint.txt', () => {
  it('reads relay, code and CA, with comments, a BOM and Windows line ends', () => {
    const f = parseProvisionFile('\uFEFF# station\r\nrelay = https://relay.xc.example:8443\r\ncode=ABCD-EFGH-JKLM\r\nca=station-ca.pem\r\n');
    expect(f).toEqual({ relay: 'https://relay.xc.example:8443', code: 'ABCD-EFGH-JKLM', ca: 'station-ca.pem' });
  });

  it.each([
    ['code=ABCD-EFGH-JKLM\n', /no relay=/],
    ['relay=relay.example\n', /not a URL/],
    ['relay=ftp://relay.example\n', /must be https/],
    ['relay=https://r\ncode=AB CD\n', /not an enrolment code/],
    ['relay=https://r\nrelay=https://s\n', /given twice/],
    ['relay=https://r\npassword=x\n', /unknown key "password"/],
    ['relay=https://r\nca=../etc/shadow\n', /file name next to/],
    ['relay https://r\n', /expected KEY=value/],
  ])('refuses %j with a clear reason', (text, reason) => {
    expect(() => parseProvisionFile(text)).toThrow(reason);
  });

  it('spends the code: the line becomes a comment, everything else is kept byte for byte', () => {
    const text = '# station\r\nrelay=https://r\r\ncode=ABCD-EFGH-JKLM\r\n';
    const out = withoutCode(text, new Date('2026-12-01T00:00:00Z'));
    expect(out).toBe('# station\r\nrelay=https://r\r\n# code used 2026-12-01T00:00:00.000Z\r\n');
    expect(parseProvisionFile(out).code).toBeNull();
  });
});

describe('what a failed enrolment means to the technician', () => {
  it.each([
    ['enrolment_code_invalid', 'wrong_code', false],
    ['enrolment_code_used', 'wrong_code', false],
    ['enrolment_code_expired', 'wrong_code', false],
    ['CERT_NOT_YET_VALID', 'clock_wrong', false],
    ['CERT_HAS_EXPIRED', 'clock_wrong', false],
    ['ECONNREFUSED', 'relay_unreachable', true],
    ['EHOSTUNREACH', 'relay_unreachable', true],
  ])('%s → %s (retry %s)', (code, outcome, retry) => {
    expect(classifyEnrolError(Object.assign(new Error('x'), { code }))).toEqual({ outcome, retry });
  });

  it('a clock before the build, or 10 min off the relay, is wrong; a few seconds off is fine', () => {
    const built = Date.parse('2026-12-01T00:00:00Z');
    expect(clockProblem(Date.parse('1970-01-01T00:00:10Z'), built, null)).toMatch(/before this software was built/);
    expect(clockProblem(built + 3600_000, built, built + 3600_000 + 30 * 60_000)).toMatch(/-30 min off the relay/);
    expect(clockProblem(built + 3600_000, built, built + 3600_000 + 5_000)).toBeNull();
  });
});
