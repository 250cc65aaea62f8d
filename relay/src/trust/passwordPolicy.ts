// The policy lives with the other hardening in security/; kept here so existing imports work.
export { MIN_PASSWORD_LENGTH, checkNewPassword } from '../security/passwordPolicy.ts';
