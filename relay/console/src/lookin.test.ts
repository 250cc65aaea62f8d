import { describe, expect, it } from 'vitest';
import { canLookIn, isTalking } from './lookin.ts';
import { mediaPlan, ringMode, sortedTerminals } from './selectors.ts';
import { applyCallUpdated, applyHello, initialState, setTalk, type ConsoleState } from './store.ts';
import { call, officerWang, terminal } from './testFixtures.ts';

const connected = (user = officerWang): ConsoleState =>
  applyHello(initialState(), { user, terminals: [terminal('XC-HT-003'), terminal('XC-HT-006', { online: false }), terminal('XC-KG-005')], calls: [] }, 0);

const lookin = call('L1', 'XC-HT-003', { kind: 'lookin', state: 'answered', answeredAt: 10_000, answeredBy: { id: officerWang.id, displayName: officerWang.displayName }, producers: [{ id: 'v', kind: 'video' }] });

describe('look-in on the console', () => {
  it('offers 查看 Look-in only on online terminals not in a call, and only to roles that may', () => {
    const s = applyCallUpdated(connected(), call('C1', 'XC-KG-005'), 0);
    const offered = sortedTerminals(s).filter((row) => canLookIn(s, row)).map((row) => row.terminal.id);
    expect(offered).toEqual(['XC-HT-003']);
    const field = connected({ ...officerWang, role: 'field' });
    expect(sortedTerminals(field).some((row) => canLookIn(field, row))).toBe(false);
  });

  it('receives the picture at once but sends the microphone only while 对讲 Talk is on', () => {
    let s = applyCallUpdated(connected(), lookin, 0);
    expect(mediaPlan(s)).toEqual([{ callId: 'L1', producers: [{ id: 'v', kind: 'video' }], playAudio: true, sendMic: false, ringing: false }]);
    s = setTalk(s, 'L1', true);
    expect(isTalking(s, 'L1')).toBe(true);
    expect(mediaPlan(s)[0]!.sendMic).toBe(true);
    // a later update of the call keeps Talk as the officer left it
    s = applyCallUpdated(s, { ...lookin, producers: [...lookin.producers, { id: 'a', kind: 'audio' }] }, 1);
    expect(isTalking(s, 'L1')).toBe(true);
    expect(setTalk(s, 'L1', true)).toBe(s);
    expect(setTalk(s, 'nope', true)).toBe(s);
  });

  it('a call ringing during a look-in rings loud: looking in is not talking to a caller', () => {
    const s = applyCallUpdated(applyCallUpdated(connected(), lookin, 0), call('C2', 'XC-KG-005'), 0);
    expect(ringMode(s)).toBe('loud');
  });
});
