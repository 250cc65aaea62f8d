import type { Logger } from 'pino';
import type { Prompt } from './CallMachine.ts';
import type { VoicePrompter } from './CallController.ts';

/** What the resident hears at each step, in Mandarin. */
export const PROMPT_TEXT: Record<Prompt, string> = {
  connecting: '正在为您接通民警，请稍候',
  answered: '民警已接听，请讲话',
  cancelled: '求助已取消',
  ended: '通话结束',
  no_answer: '暂时无人接听，请拨打110报警电话',
  failed: '呼叫失败，请拨打110报警电话',
  network_problem: '网络故障，正在尝试其他方式',
  help_coming: '已派人赶往您的位置，请在原地等候',
};

/**
 * Logs each prompt with its text. Playing recorded audio files through the
 * speaker is a separate driver (not yet built); this is what the simulated
 * terminal uses, and the prompt also shows on the status page.
 */
export class LogPrompter implements VoicePrompter {
  readonly #log: Logger;
  constructor(logger: Logger) {
    this.#log = logger.child({ component: 'voice' });
  }
  say(prompt: Prompt): void {
    this.#log.info({ prompt, text: PROMPT_TEXT[prompt] }, 'voice prompt');
  }
}
