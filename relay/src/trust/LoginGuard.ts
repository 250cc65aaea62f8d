// Sign-in throttling moved to security/LoginThrottle.ts (atomic check-and-count, back-off, device cookies).
export { DEFAULT_LOGIN_LIMITS, LoginThrottle as LoginGuard, type LoginLimits } from '../security/LoginThrottle.ts';
