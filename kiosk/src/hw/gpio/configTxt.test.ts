import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultKioskConfig } from '../../config.ts';
import { configTxtGpioLines } from './configTxt.ts';

const SHIPPED = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../deploy-data/config.txt.gpio');

describe('config.txt gpio= lines', () => {
  it('the file the package installs is exactly the lines for the standard harness (button 17, LED 27, door switch 22/23)', () => {
    const gpio = { ...defaultKioskConfig().gpio, tamper: 22, tamperNo: 23 };
    expect(fs.readFileSync(SHIPPED, 'utf8')).toBe(`${configTxtGpioLines(gpio).join('\n')}\n`);
  });

  it('pull-up on the button and door contacts, LED driven low; follows the configured pins', () => {
    const lines = configTxtGpioLines({ button: 5, led: 6, tamper: null, tamperNo: null }).filter((l) => !l.startsWith('#'));
    expect(lines).toEqual(['gpio=5=ip,pu', 'gpio=6=op,dl']);
    expect(configTxtGpioLines({ button: 17, led: 27, tamper: 22, tamperNo: null }).filter((l) => l.startsWith('gpio='))).toEqual([
      'gpio=17=ip,pu',
      'gpio=22=ip,pu',
      'gpio=27=op,dl',
    ]);
  });
});
