import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1,
 * made with the openssl CLI, as a station with its own CA would have.
 */
export function makeTestCa(dir: string, name = 'ca', subjectAltName = 'IP:127.0.0.1', extendedKeyUsage = 'serverAuth'): { caFile: string; certFile: string; keyFile: string } {
  const p = (f: string) => path.join(dir, `${name}-${f}`);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=HelpPoint test CA ${name}`, '-keyout', p('ca.key'), '-out', p('ca.pem')]);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', p('server.key'), '-out', p('server.csr')]);
  fs.writeFileSync(p('ext.cnf'), `subjectAltName=${subjectAltName}\nextendedKeyUsage=${extendedKeyUsage}\n`);
  run(['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', p('ext.cnf'), '-out', p('server.pem')]);
  return { caFile: p('ca.pem'), certFile: p('server.pem'), keyFile: p('server.key') };
}
