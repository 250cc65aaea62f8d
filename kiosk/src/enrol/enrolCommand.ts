import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { EnrolResponse } from '@helppoint/shared/types';
import { DeviceKey } from './deviceKey.ts';
import { postJson } from '../net/relayHttp.ts';

export const ENROL_USAGE = `usage: helppoint-kiosk enrol --relay <https://relay-host[:port]> --code <XXXX-XXXX-XXXX>
                             [--state-dir <dir>] [--config <file>] [--ca <pem>]
  --state-dir  where the device key and config go (default $HELPPOINT_KIOSK_STATE_DIR or /var/lib/helppoint-kiosk)
  --config     the kiosk config file to write (default <state-dir>/kiosk.json; run reads it via HELPPOINT_KIOSK_CONFIG)
  --ca         a CA certificate to trust for this relay (a station's own CA); kept in the config`;

export interface EnrolResult {
  terminalId: string;
  keyFingerprint: string;
  configFile: string;
  keyFile: string;
  place: string;
}

/**
 * `helppoint-kiosk enrol`: makes this Pi's key pair, redeems the one-time
 * code with the public key, and writes the config `run` needs. The new key
 * replaces an old one only once the relay has accepted it, so a failed
 * enrolment leaves a working terminal as it was.
 */
export async function enrol(argv: string[], env: NodeJS.ProcessEnv): Promise<EnrolResult> {
  const { values } = parseArgs({
    args: argv,
    options: { relay: { type: 'string' }, code: { type: 'string' }, 'state-dir': { type: 'string' }, config: { type: 'string' }, ca: { type: 'string' } },
    strict: true,
  });
  if (!values.relay || !values.code) throw new Error(ENROL_USAGE);
  const relay = new URL(values.relay);
  if (relay.protocol !== 'https:' && relay.protocol !== 'http:') throw new Error(`--relay must be an http(s):// URL, got ${values.relay}`);
  const stateDir = path.resolve(values['state-dir'] ?? env['HELPPOINT_KIOSK_STATE_DIR'] ?? '/var/lib/helppoint-kiosk');
  const configFile = path.resolve(values.config ?? path.join(stateDir, 'kiosk.json'));
  const keyFile = path.join(stateDir, 'device-key.pem');
  const caFile = values.ca ? path.resolve(values.ca) : undefined;
  const ca = caFile ? fs.readFileSync(caFile) : undefined;

  const key = DeviceKey.generate();
  const base = relay.origin + relay.pathname.replace(/\/+$/, '');
  const res = await postJson<EnrolResponse>(`${base}/api/enrol`, { code: values.code, publicKey: key.publicKey }, { ca });
  if (res.keyFingerprint !== key.fingerprint) throw new Error(`the relay bound a different key (${res.keyFingerprint}) than this one (${key.fingerprint})`);

  key.save(keyFile);
  const previous = readJsonIfExists(configFile);
  const wsUrl = `${relay.protocol === 'https:' ? 'wss' : 'ws'}://${relay.host}${relay.pathname.replace(/\/+$/, '')}/ws/terminal`;
  const config = { ...previous, relayUrl: wsUrl, terminalId: res.terminalId, keyFile, ...(caFile ? { caFile } : {}) };
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  const tmp = `${configFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
  fs.renameSync(tmp, configFile);
  const place = [res.terminal.name, res.terminal.nameEn, res.terminal.address].filter(Boolean).join(' · ');
  return { terminalId: res.terminalId, keyFingerprint: res.keyFingerprint, configFile, keyFile, place };
}

function readJsonIfExists(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read the existing config ${file}: ${(error as Error).message}`, { cause: error });
  }
}
