import fs from 'node:fs';
import path from 'node:path';
import { AppError, ErrorCode } from '@helppoint/shared';

export const MIN_PASSWORD_LENGTH = 10;

const LIST_FILE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../data/common-passwords.txt');
let common: Set<string> | null = null;

/** The shipped list, read once (a data file so it can be updated without touching code). */
function commonPasswords(): Set<string> {
  if (!common) {
    common = new Set(
      fs
        .readFileSync(LIST_FILE, 'utf8')
        .split('\n')
        .map((l) => l.trim().toLowerCase())
        .filter((l) => l && !l.startsWith('#')),
    );
  }
  return common;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };
const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'abcdefghijklmnopqrstuvwxyz'];

/** Whether a password is made of one short unit repeated ("aaaaaaaaaa", "abcabcabca", "12121212"). */
function isRepetition(p: string): boolean {
  for (let unit = 1; unit <= 4; unit++) {
    const u = p.slice(0, unit);
    if (u.repeat(Math.ceil(p.length / unit)).slice(0, p.length) === p) return true;
  }
  return false;
}

/** Runs along the keyboard or the alphabet, either way, with wrap-around ("1234567890", "0987654321", "qwertyuiop"). */
function isSequence(p: string): boolean {
  for (const row of KEYBOARD_ROWS) {
    for (const r of [row, [...row].reverse().join('')]) {
      const doubled = r + r;
      if (doubled.includes(p)) return true;
    }
  }
  return false;
}

/** Why a password is too guessable, or null. Compared lower-cased, with common suffixes and leetspeak undone. */
export function weakness(password: string, username: string): string | null {
  const p = password.toLowerCase();
  if ([...password].length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (username && p.includes(username.toLowerCase())) return 'a password must not contain the username';
  if (new Set(p).size < 4) return 'a password needs more than three different characters';
  if (isRepetition(p) || isSequence(p)) return 'a password must not be a repeated or sequential pattern';
  const list = commonPasswords();
  const stripped = p.replace(/[\d\W_]+$/u, '');
  const unleet = (x: string) => [...x].map((c) => LEET[c] ?? c).join('');
  const candidates = [p, stripped, unleet(p), unleet(stripped), p.replace(/^[\d\W_]+/u, '')];
  if (candidates.some((c) => c.length >= 4 && list.has(c))) return 'this password is on the list of commonly used passwords';
  // A common password typed twice ("passwordpassword", "qwerty123qwerty123").
  const half = p.slice(0, p.length / 2);
  if (p.length % 2 === 0 && half + half === p && list.has(half.replace(/[\d\W_]+$/u, '') || half)) return 'this password is built from a commonly used password';
  return null;
}

/** Throws weak_password when `weakness` finds one. */
export function checkNewPassword(password: string, username: string): void {
  const why = weakness(password, username);
  if (why) throw new AppError(ErrorCode.WeakPassword, why);
}
