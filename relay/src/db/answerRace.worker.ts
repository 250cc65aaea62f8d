// Test worker: one "relay process" with its own connection that tries to answer every
// listed call the moment the test releases the barrier.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './openDatabase.ts';
import { CallRepo } from './CallRepo.ts';

interface RaceData {
  file: string;
  callIds: string[];
  userId: number;
  barrier: SharedArrayBuffer;
}

const data = workerData as RaceData;
const port = parentPort;
if (!port) throw new Error('answerRace.worker must run as a worker thread');

const db = openDatabase(data.file);
try {
  const calls = new CallRepo({ db });
  port.postMessage({ type: 'ready' });
  Atomics.wait(new Int32Array(data.barrier), 0, 0);
  const results = data.callIds.map((callId) => {
    const r = calls.answer({ callId, userId: data.userId, at: Date.now() });
    return { callId, ok: r.ok, answeredBy: r.call.answeredBy, state: r.call.state };
  });
  port.postMessage({ type: 'results', results });
} finally {
  db.close();
}
