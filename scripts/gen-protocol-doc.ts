/** Rewrites the generated message reference inside docs/protocol.md from the shared schemas. */
import fs from 'node:fs';
import path from 'node:path';
import { replaceReference } from './lib/protocolDoc.ts';

const file = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../docs/protocol.md');
fs.writeFileSync(file, replaceReference(fs.readFileSync(file, 'utf8')));
console.log(`updated ${file}`);
