import { OBSERVE_ENTRIES } from '../keyed/keyed.js';
import { Attachment } from './attachment.js';
import type { KeyedSource } from './sources.js';

/**
 * Binds each key's policy of a keyed policy as it is kept, into an attachment of its own whose
 * extra label `label` is the key, and detaches it when the key is dropped (idle, for room, or
 * deleted); all of them on `attachment`'s detach. Shared by `firebreak/prometheus` (label `key`)
 * and `firebreak/opentelemetry` (attribute `firebreak.key`).
 */
export function attachEntries(keyed: KeyedSource, label: string, attachment: Attachment, bind: (policy: unknown, entry: Attachment) => void): void {
  const entries = new Map<string, Attachment>();
  const stop = keyed[OBSERVE_ENTRIES]({
    added(key, policy) {
      const entry = new Attachment({ [label]: key });
      try {
        bind(policy, entry);
      } catch (error) {
        entry.detach();
        throw error;
      }
      entries.set(key, entry);
    },
    removed(key) {
      entries.get(key)?.detach();
      entries.delete(key);
    },
  });
  attachment.add(() => {
    stop();
    for (const entry of entries.values()) entry.detach();
    entries.clear();
  });
}
