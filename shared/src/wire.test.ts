import { describe, expect, it } from 'vitest';
import { FrameDecoder } from './wire.ts';
import { TerminalRequests } from './protocol/terminal.ts';
import { AppError } from './errors.ts';

const decoder = new FrameDecoder({ requests: TerminalRequests, maxBytes: 1024 });
const decode = (text: string) => decoder.decode(text, Buffer.byteLength(text));
function codeOf(fn: () => unknown): { code: string; id: unknown } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return { code: (e as AppError).code, id: (e as AppError).details?.['id'] };
  }
  throw new Error('expected a throw');
}

describe('FrameDecoder', () => {
  it('accepts a valid request', () => {
    const f = decode(JSON.stringify({ id: 7, type: 'help.request', data: { requestId: 'abcdefgh-1234' } }));
    expect(f).toEqual({ kind: 'request', id: 7, type: 'help.request', data: { requestId: 'abcdefgh-1234' } });
  });
  it('refuses malformed JSON', () => {
    expect(codeOf(() => decode('{"id":1,')).code).toBe('bad_json');
  });
  it('refuses non-objects', () => {
    expect(codeOf(() => decode('[1,2]')).code).toBe('bad_message');
    expect(codeOf(() => decode('"hi"')).code).toBe('bad_message');
    expect(codeOf(() => decode('null')).code).toBe('bad_message');
  });
  it('refuses unknown types and keeps the request id for the reply', () => {
    expect(codeOf(() => decode('{"id":3,"type":"reboot"}'))).toEqual({ code: 'unknown_type', id: 3 });
  });
  it('refuses wrong types inside data with the id', () => {
    expect(codeOf(() => decode('{"id":4,"type":"heartbeat","data":{"seq":"x","uptimeS":1}}'))).toEqual({ code: 'bad_message', id: 4 });
    expect(codeOf(() => decode('{"id":5,"type":"hello","data":{"terminalId":"lower-case","version":"1"}}')).code).toBe('bad_message');
    expect(codeOf(() => decode('{"id":6,"type":"help.request","data":{"requestId":"abcdefgh","extra":1}}')).code).toBe('bad_message');
  });
  it('refuses a bad id', () => {
    expect(codeOf(() => decode('{"id":-1,"type":"heartbeat"}')).code).toBe('bad_message');
    expect(codeOf(() => decode('{"id":"1","type":"heartbeat"}')).code).toBe('bad_message');
  });
  it('refuses oversized frames before parsing them', () => {
    const big = JSON.stringify({ id: 1, type: 'hello', data: { pad: 'x'.repeat(2000) } });
    expect(codeOf(() => decode(big)).code).toBe('frame_too_large');
  });
  it('treats a frame without id as an event, unknown here', () => {
    expect(codeOf(() => decode('{"type":"hello"}')).code).toBe('unknown_type');
  });
});
