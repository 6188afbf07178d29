import { randomBytes, timingSafeEqual } from 'node:crypto';

// Who may use the console: one-time sign-in tokens minted through the API socket (so only who
// can reach berthd may mint them), sessions held in memory (a restart of berthd signs everyone
// out), a CSRF token per session, and a limit on wrong tokens per client address.

export type ConsoleRole = 'admin' | 'readonly';

export interface Session {
  id: string;
  csrf: string;
  role: ConsoleRole;
  expires: number;
}

export interface SessionOptions {
  tokenTtlMs?: number;
  sessionTtlMs?: number;
  /** Wrong tokens one address may try per window before it is refused for the window. */
  maxFailures?: number;
  failureWindowMs?: number;
  now?: () => number;
}

const secret = () => randomBytes(32).toString('base64url');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class ConsoleSessions {
  private readonly tokens = new Map<string, { role: ConsoleRole; expires: number }>();
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly now: () => number;
  readonly sessionTtlMs: number;

  constructor(private readonly o: SessionOptions = {}) {
    this.now = o.now ?? Date.now;
    this.sessionTtlMs = o.sessionTtlMs ?? 12 * 3600_000;
  }

  /** A token good for one sign-in within the token lifetime (10 minutes by default). */
  mintToken(role: ConsoleRole = 'admin'): { token: string; expires: Date } {
    this.sweep();
    const token = secret();
    const expires = this.now() + (this.o.tokenTtlMs ?? 600_000);
    this.tokens.set(token, { role, expires });
    return { token, expires: new Date(expires) };
  }

  /** True while `address` has used up its wrong tries for the window. */
  limited(address: string): boolean {
    const f = this.failures.get(address);
    if (!f) return false;
    if (this.now() - f.since > (this.o.failureWindowMs ?? 60_000)) {
      this.failures.delete(address);
      return false;
    }
    return f.count >= (this.o.maxFailures ?? 5);
  }

  /** Trades a token for a session; a wrong or used token counts against the address. */
  signIn(token: string, address: string): Session | undefined {
    if (this.limited(address)) return undefined;
    const t = this.tokens.get(token);
    if (!t || t.expires < this.now()) {
      const f = this.failures.get(address) ?? { count: 0, since: this.now() };
      f.count++;
      this.failures.set(address, f);
      return undefined;
    }
    this.tokens.delete(token);
    const session: Session = { id: secret(), csrf: secret(), role: t.role, expires: this.now() + this.sessionTtlMs };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expires < this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s;
  }

  checkCsrf(session: Session, token: string | undefined): boolean {
    return token !== undefined && sameSecret(session.csrf, token);
  }

  signOut(id: string): void {
    this.sessions.delete(id);
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, t] of this.tokens) if (t.expires < now) this.tokens.delete(k);
    for (const [k, s] of this.sessions) if (s.expires < now) this.sessions.delete(k);
  }
}
