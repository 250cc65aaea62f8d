import type { DispatchView, ResponderView, TerminalView } from '@helppoint/shared/types';
import { ConsoleSocket } from '../ConsoleSocket.ts';
import type { Bilingual } from '../format.ts';
import { DispatchPanel } from './DispatchPanel.ts';

interface DeskHello {
  responders: ResponderView[];
  dispatches: DispatchView[];
}

/**
 * The desk's side of dispatch: its own socket (/ws/dispatch) for status
 * changes and responder positions, and the panel. Kept apart from the call
 * socket so the console's call handling does not change; roles that may not
 * dispatch are refused at hello and simply get no panel.
 */
export class DispatchDesk {
  readonly panel: DispatchPanel;
  #socket: ConsoleSocket | null = null;

  constructor(opts: { onError: (error: unknown) => void; onInfo: (message: Bilingual) => void }) {
    this.panel = new DispatchPanel(opts);
  }

  enter(me: () => Promise<boolean | null>): void {
    this.leave();
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/dispatch`;
    const socket = new ConsoleSocket({ url, sessionValid: me });
    this.#socket = socket;
    socket.on('hello', (hello) => {
      const h = hello as unknown as DeskHello;
      this.panel.load(h.responders, h.dispatches);
      document.body.dataset['dispatchReady'] = 'true';
    });
    socket.on('event', (...args) => {
      // ConsoleSocket is typed for /ws/console; this socket carries the dispatch catalogue's events.
      const [type, data] = args as unknown as [string, unknown];
      if (type === 'dispatch.updated') this.panel.dispatchUpdated((data as { dispatch: DispatchView }).dispatch);
      else if (type === 'responder.updated') this.panel.responderUpdated((data as { responder: ResponderView }).responder);
    });
    // Forbidden at hello (a role that may not dispatch): no panel, nothing else changes.
    socket.on('unauthenticated', () => this.leave());
    socket.start();
  }

  open(callId: string, terminal: TerminalView): void {
    void this.panel.open(callId, terminal);
    this.panel.el.scrollIntoView({ block: 'nearest' });
  }

  leave(): void {
    this.#socket?.close();
    this.#socket = null;
    this.panel.close();
    delete document.body.dataset['dispatchReady'];
  }
}
