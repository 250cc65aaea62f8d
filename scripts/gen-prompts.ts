/**
 * Generates the terminal's voice prompts as WAV files with espeak-ng's
 * Mandarin voice (cmn), from the texts in kiosk/src/call/LogPrompter.ts.
 *   node scripts/gen-prompts.ts [outDir]      (default kiosk/prompts/generated)
 * A file is regenerated only when its text changed (a .txt beside it keeps
 * the text it was made from). A station replaces prompts with real
 * recordings by putting <prompt>.wav files in HELPPOINT_PROMPTS_DIR, which
 * the kiosk searches first.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROMPT_TEXT } from '../kiosk/src/call/LogPrompter.ts';
import { PROVISION_PROMPT_TEXT } from '../kiosk/src/provision/outcome.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const outDir = path.resolve(process.argv[2] ?? path.join(root, 'kiosk/prompts/generated'));
fs.mkdirSync(outDir, { recursive: true });
const espeak = process.env['HELPPOINT_ESPEAK'] ?? 'espeak-ng';
let made = 0;
// Call prompts, and the first-boot provisioning's (provision_<outcome>.wav).
const all = { ...PROMPT_TEXT, ...Object.fromEntries(Object.entries(PROVISION_PROMPT_TEXT).map(([k, v]) => [`provision_${k}`, v])) };
for (const [prompt, text] of Object.entries(all)) {
  const wav = path.join(outDir, `${prompt}.wav`);
  const txt = path.join(outDir, `${prompt}.txt`);
  if (fs.existsSync(wav) && fs.existsSync(txt) && fs.readFileSync(txt, 'utf8') === text) continue;
  // -s 150: a little slower than the default, for elderly listeners in street noise.
  const r = spawnSync(espeak, ['-v', 'cmn', '-s', '150', '-w', wav, text], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    console.error(`gen-prompts: ${espeak} failed for ${prompt}: ${r.error?.message ?? r.stderr}`);
    process.exit(1);
  }
  fs.writeFileSync(txt, text);
  made++;
}
if (made) console.error(`gen-prompts: ${made} prompt(s) written to ${outDir}`);
