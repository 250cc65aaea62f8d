/** Who did something, for the audit log and for created_by columns. */
export interface Actor {
  /** user:<username>, cli, anonymous, terminal:<id> */
  label: string;
  userId: number | null;
  remote?: string | undefined;
}

export const CLI_ACTOR: Actor = { label: 'cli', userId: null };

export function userActor(user: { id: number; username: string }, remote?: string): Actor {
  return { label: `user:${user.username}`, userId: user.id, remote };
}

export function anonymousActor(remote?: string): Actor {
  return { label: 'anonymous', userId: null, remote };
}
