/** Sends one text message. The real one talks AT to the LTE modem; tests use a pty modem. */
export interface SmsSender {
  /** Resolves with the network's message reference once the modem accepted it. */
  send(to: string, text: string): Promise<{ reference: number }>;
  close(): void;
}
