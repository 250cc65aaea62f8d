import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleEvents, ConsoleRequests, TerminalEvents, TerminalRequests } from '@helppoint/shared';
import { BEGIN, END, renderProtocolReference } from '../../scripts/lib/protocolDoc.ts';

const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/protocol.md'), 'utf8');

describe('docs/protocol.md', () => {
  it('its message reference is exactly what the shared schemas generate', () => {
    const block = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END) + END.length);
    expect(block).toBe(renderProtocolReference());
  });

  it('documents every message type, and no type that does not exist', () => {
    const documented = [...doc.matchAll(/^#### `([^`]+)`$/gm)].map((m) => m[1]);
    const real = [TerminalRequests, TerminalEvents, ConsoleRequests, ConsoleEvents].flatMap((c) => Object.keys(c));
    expect(documented.sort()).toEqual(real.sort());
  });

  it('lists every error code the relay can send', async () => {
    const { ErrorCode } = await import('@helppoint/shared');
    for (const code of Object.values(ErrorCode)) expect(doc, `error code ${code}`).toContain(`\`${code}\``);
  });
});
