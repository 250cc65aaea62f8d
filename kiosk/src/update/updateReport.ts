import path from 'node:path';
import { Compile } from 'typebox/compile';
import { UpdateReport } from '@helppoint/shared';
import { AGENT_DIR, readJson } from './updateState.ts';

/**
 * The update agent's state.json, as the heartbeat reports it to the relay's
 * fleet page. Read at each heartbeat (a few hundred bytes): after a rollback
 * the previous kiosk starts and says at once which version failed and why.
 * A file that does not match the schema is not sent (the relay would refuse
 * the whole heartbeat).
 */
const checkReport = Compile(UpdateReport);

export function readUpdateReport(): UpdateReport | null {
  const dir = process.env['HELPPOINT_UPDATE_AGENT_DIR'] || AGENT_DIR;
  const raw = readJson<Record<string, unknown>>(path.join(dir, 'state.json'));
  if (!raw) return null;
  const r = { ...raw, reason: typeof raw['reason'] === 'string' ? raw['reason'].slice(0, 400) : undefined };
  if (r.reason === undefined) delete r.reason;
  return checkReport.Check(r) ? (r as UpdateReport) : null;
}
