/** Entry of a bot child process (see fleet.ts): runs one BotGroup on the parent's commands. */
import { BotGroup, type GroupConfig, type RelayOptions } from './bots.js';

export type BotCommand = { type: 'init'; config: GroupConfig } | { type: 'join' } | { type: 'relay'; options: RelayOptions } | { type: 'close' };
export type BotReply = { type: 'result'; value: unknown } | { type: 'error'; message: string };

let group: BotGroup | undefined;

function reply(message: BotReply): void {
  process.send?.(message);
}

async function handle(command: BotCommand): Promise<unknown> {
  if (command.type === 'init') {
    group = new BotGroup(command.config);
    return undefined;
  }
  if (!group) throw new Error('bot process used before init');
  switch (command.type) {
    case 'join':
      return group.join();
    case 'relay':
      return group.relay(command.options);
    case 'close':
      return group.close();
  }
}

if (process.send) {
  process.on('message', (command: BotCommand) => {
    handle(command).then(
      (value) => reply({ type: 'result', value }),
      (error: unknown) => reply({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  // The parent went away: nothing left to report to.
  process.on('disconnect', () => process.exit(1));
}
