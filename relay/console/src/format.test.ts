import { describe, expect, it } from 'vitest';
import { answeredByLabel, bilingual, callStatusLabel, endReasonLabel, errorLabel, formatCoords, formatDuration, terminalKindLabel } from './format.ts';
import { call } from './testFixtures.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [7_400, '0:07'],
    [754_000, '12:34'],
    [3_723_000, '1:02:03'],
    [-5_000, '0:00'],
  ])('%d ms -> %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('formatCoords', () => {
  it('writes hemispheres and five decimals', () => {
    expect(formatCoords(39.94003, 116.39265)).toBe('39.94003°N 116.39265°E');
    expect(formatCoords(-33.8688, -70.1)).toBe('33.86880°S 70.10000°W');
  });
});

describe('labels', () => {
  it('uses the shared end reason labels, with a fallback for an unknown reason', () => {
    expect(endReasonLabel('no_answer')).toEqual({ zh: '无人接听', en: 'No answer' });
    expect(endReasonLabel(null).en).toBe('Ended while disconnected');
  });

  it('labels the call state from the viewing officer’s side', () => {
    const answered = call('c', 'XC-SCH-001', { state: 'answered', answeredBy: { id: 2, displayName: '李警官' } });
    expect(bilingual(callStatusLabel(answered, 2))).toBe('通话中 In call');
    expect(bilingual(callStatusLabel(answered, 1))).toBe('已由 李警官 接听 Answered by 李警官');
    expect(callStatusLabel(call('c', 'XC-SCH-001'), 1).en).toBe('Incoming help call');
    expect(bilingual(answeredByLabel('王警官'))).toBe('已由 王警官 接听 Answered by 王警官');
  });

  it('translates error codes, with a generic fallback', () => {
    expect(bilingual(errorLabel('call_already_answered'))).toBe('已被其他民警接听 Already answered by another officer');
    expect(errorLabel('something_new').en).toBe('Request failed');
  });

  it('names terminal kinds and passes unknown ones through', () => {
    expect(terminalKindLabel('kindergarten')).toEqual({ zh: '幼儿园', en: 'Kindergarten' });
    expect(terminalKindLabel('bridge')).toEqual({ zh: 'bridge', en: 'bridge' });
  });
});
