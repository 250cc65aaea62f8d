// Builders for the pure-module tests: plausible wire objects with overridable fields.
import type { CallView, TerminalView, UserView } from './protocolTypes.ts';

export function terminal(id: string, over: Partial<TerminalView> = {}): TerminalView {
  return {
    id,
    name: `${id} 名称`,
    nameEn: `${id} name`,
    address: '北京市西城区烟袋斜街东口',
    hutong: '烟袋斜街',
    district: '西城区',
    kind: 'hutong',
    latitude: 39.94003,
    longitude: 116.39265,
    notes: '',
    online: true,
    lastSeenAt: 1_000,
    ...over,
  };
}

export function call(id: string, terminalId: string, over: Partial<CallView> = {}): CallView {
  return {
    id,
    terminal: terminal(terminalId),
    state: 'ringing',
    createdAt: 10_000,
    answeredAt: null,
    answeredBy: null,
    endedAt: null,
    endReason: null,
    producers: [],
    kind: 'help',
    escalatedAt: null,
    declinedBy: [],
    ...over,
  };
}

export const officerWang: UserView = { id: 1, username: 'wang', displayName: '王警官', role: 'officer' };
export const officerLi: UserView = { id: 2, username: 'li', displayName: '李警官', role: 'officer' };
