// Child process for durability tests: records calls as fast as it can and tells
// the parent each request ID only after its transaction committed. The parent
// SIGKILLs it mid-stream and checks that every reported call is on disk.
import { openDatabase } from '../../relay/src/db/openDatabase.ts';
import { CallRepo } from '../../relay/src/db/CallRepo.ts';
import { TerminalRepo } from '../../relay/src/db/TerminalRepo.ts';

const file = process.argv[2]!;
const db = openDatabase(file);
new TerminalRepo({ db }).upsert({ id: 'XC-DUR-001', kind: 'hutong', name: '耐久测试', nameEn: 'durability', address: '西城区', hutong: '', latitude: 39.9, longitude: 116.4, notes: '' });
const calls = new CallRepo({ db });
let n = 0;
const step = () => {
  for (let i = 0; i < 20; i++) {
    const requestId = `durable-${String(++n).padStart(6, '0')}`;
    const { call } = calls.createOrGet({ requestId, terminalId: 'XC-DUR-001', at: Date.now() });
    calls.end({ callId: call.id, reason: 'no_answer', endedBy: 'relay', at: Date.now() });
    process.send!({ committed: requestId });
  }
  setImmediate(step);
};
process.send!({ ready: true });
step();
