import { AppError, ErrorCode } from '@helppoint/shared';

export const MIN_PASSWORD_LENGTH = 10;

/** Length is what matters against guessing; the username as password is the one obvious mistake to refuse. */
export function checkNewPassword(password: string, username: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new AppError(ErrorCode.WeakPassword, `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.toLowerCase().includes(username.toLowerCase())) {
    throw new AppError(ErrorCode.WeakPassword, 'a password must not contain the username');
  }
}
