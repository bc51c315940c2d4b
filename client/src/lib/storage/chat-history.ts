import { db, type StoredChat } from './db.js';

/** Chat history of one room on this device, oldest first, at most `limit` messages. */
export async function loadChat(room: string, limit = 500): Promise<StoredChat[]> {
  try {
    const newest = await db().chat.where('[room+at]').between([room, 0], [room, Infinity]).reverse().limit(limit).toArray();
    return newest.reverse();
  } catch (error) {
    console.warn('conclave: chat history unavailable', error);
    return [];
  }
}

/** Keeps a message; one that is already there (same room and id) is left as it is. */
export async function keepChat(message: StoredChat): Promise<void> {
  try {
    await db().chat.put(message);
  } catch (error) {
    console.warn('conclave: could not keep a chat message', error);
  }
}
